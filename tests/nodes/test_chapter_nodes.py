"""Chapter 4-7 nodes against dsp, librosa and closed forms."""

import librosa
import numpy as np
import pytest

from listenwidgets import dsp
from listenwidgets.data import demo_path
from listenwidgets.errors import ParameterError
from listenwidgets.nodes import (
    CQT, MFCC, STFT, AudioSource, Chroma, Envelope, MelSpectrogram, MFCCInversion, NoveltyCurve,
    ShepardTones, SignalGenerator, SourceFilter, SpectralFeatures)


@pytest.fixture(scope="module")
def speech():
    return AudioSource(demo="speech_female", sr=16000)


def test_spectral_features_equal_librosa_and_offer_the_lecture_weighting():
    gen = SignalGenerator(waveform="sawtooth", frequency=220.0, n_harmonics=30, duration=1.0)
    stft = STFT(source=gen)
    node = SpectralFeatures(spectrogram=stft, features=["centroid", "bandwidth", "zcr", "rms"])
    y, mag = gen.output.y, np.abs(stft.output.S)
    # 1e-4 relative: the parity tolerance of the dsp tests
    np.testing.assert_allclose(node.output.curves["centroid"],
                               librosa.feature.spectral_centroid(S=mag, sr=22050)[0], rtol=1e-4)
    np.testing.assert_allclose(node.output.curves["zcr"],
                               librosa.feature.zero_crossing_rate(y)[0], rtol=1e-4)
    magnitude_weighted = node.output.curves["centroid"].copy()
    node.power = 2.0
    power = mag ** 2
    freqs = dsp.fft_frequencies(sr=22050, n_fft=2048)
    lecture = (freqs @ power) / power.sum(axis=0)
    np.testing.assert_allclose(node.output.curves["centroid"], lecture, rtol=1e-4)
    assert not np.allclose(magnitude_weighted, lecture)
    assert "lecture" in node.describe()


def test_novelty_finds_the_tempo_of_a_click_track():
    bpm = 120.0
    clicks = SignalGenerator(waveform="impulse_train", frequency=bpm / 60, duration=8.0, amplitude=1.0)
    node = NoveltyCurve(source=clicks)
    assert node.output.tempo == pytest.approx(bpm, rel=0.03)
    assert node.output.envelope.shape == node.output.times.shape


def test_envelope_three_methods_and_lpc_order_changes_the_curve(speech):
    node = Envelope(source=speech, order=8)
    out = node.output
    index = out.frame_at(1.0)
    first = out.envelopes["lpc"][:, index].copy()
    assert set(out.envelopes) == {"lpc", "cepstrum", "vocoder"}
    for curve in out.envelopes.values():
        assert curve.shape == out.magnitude.shape and np.all(np.isfinite(curve))
    node.order = 32
    assert not np.allclose(first, node.output.envelopes["lpc"][:, index])


def test_source_filter_resynthesis_follows_the_envelope(speech):
    envelope = Envelope(source=speech)
    voice = SourceFilter(envelope=envelope, excitation="noise")
    y = voice.output.y
    assert y.size == speech.output.y.size and np.all(np.isfinite(y))
    spectrum = np.abs(dsp.stft(y.astype(np.float64), n_fft=1024, hop_length=256))
    target = envelope.output.envelopes["lpc"]
    frames = slice(10, min(spectrum.shape[1], target.shape[1]) - 10)
    # noise through the envelope: the average log spectra rise and fall together
    correlation = np.corrcoef(np.log(spectrum[:, frames].mean(axis=1) + 1e-9),
                              np.log(target[:, frames].mean(axis=1) + 1e-9))[0, 1]
    assert correlation > 0.9
    count = envelope.compute_count
    voice.param.update(excitation="pulse", f0=120.0)
    assert np.all(np.isfinite(voice.output.y)) and envelope.compute_count == count  # upstream untouched


def test_mel_and_mfcc_nodes_equal_librosa_end_to_end():
    y, sr = dsp.load(demo_path("melody"), sr=22050, duration=5.0)
    source = AudioSource(demo="melody", duration=5.0)
    mel = MelSpectrogram(spectrogram=STFT(source=source))
    mfcc = MFCC(mel=mel)
    reference_mel = librosa.feature.melspectrogram(y=y, sr=sr)
    # 1e-5 of the maximum for the mel spectrogram, 1e-4 of the largest |coefficient| for MFCC
    assert np.max(np.abs(mel.output.M - reference_mel)) <= 1e-5 * reference_mel.max()
    reference = librosa.feature.mfcc(y=y, sr=sr)
    assert np.max(np.abs(mfcc.output.mfcc - reference)) <= 1e-4 * np.abs(reference).max()


def test_mel_convention_switch_and_fmax_above_nyquist():
    mel = MelSpectrogram(spectrogram=STFT(source=SignalGenerator(duration=0.3)))
    slaney = mel.output.mel_frequencies.copy()
    mel.htk = True
    assert not np.allclose(slaney, mel.output.mel_frequencies)
    assert "HTK" in mel.describe()
    mel.fmax = 20000.0
    assert isinstance(mel.error, ParameterError) and "fmax=20000" in str(mel.error)


def test_mfcc_inversion_keeps_the_envelope():
    source = AudioSource(demo="speech_male", sr=16000, duration=1.5)
    mfcc = MFCC(mel=MelSpectrogram(spectrogram=STFT(source=source, n_fft=512, hop_length=128)))
    inverted = MFCCInversion(mfcc=mfcc, n_iter=16).output
    assert inverted.y.size == source.output.y.size and np.all(np.isfinite(inverted.y))
    original = dsp.mfcc(y=source.output.y, sr=16000, n_fft=512, hop_length=128)
    again = dsp.mfcc(y=inverted.y, sr=16000, n_fft=512, hop_length=128)
    correlation = np.corrcoef(original[1:6].ravel(), again[1:6].ravel())[0, 1]
    assert correlation > 0.8


def test_chroma_of_a_piano_note_peaks_at_its_pitch_class():
    piano = AudioSource(demo="piano_a4")
    for spectrum in (CQT(source=piano), STFT(source=piano)):
        chroma = Chroma(spectrum=spectrum)
        profile = chroma.output.chroma.mean(axis=1)
        assert chroma.output.pitch_classes[int(np.argmax(profile))] == "A"
        assert chroma.output.tonnetz.shape == (6, chroma.output.chroma.shape[1])


def test_cqt_top_bin_past_nyquist_names_fmin_and_n_bins():
    node = CQT(source=SignalGenerator(sr=8000, duration=0.5), fmin=200.0, n_bins=84)
    assert isinstance(node.error, ParameterError)
    assert "fmin" in str(node.error) and "n_bins" in str(node.error)
    node.n_bins = 36
    assert node.error is None and node.output.notes[0].startswith("G")


def test_shepard_tones_sonify_the_chroma():
    chroma = Chroma(spectrum=CQT(source=SignalGenerator(frequency=440.0, duration=1.0)))
    sound = ShepardTones(chroma=chroma).output
    assert np.all(np.isfinite(sound.y)) and np.max(np.abs(sound.y)) < 1.0
    again = dsp.chroma_stft(y=sound.y.astype(np.float64), sr=sound.sr).mean(axis=1)
    assert int(np.argmax(again)) == 9  # A

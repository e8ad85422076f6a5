"""Tests of listenwidgets.dsp.onset: onset strength, novelty, tempogram, tempo (chapter 4).

Parity with librosa 0.11 on the bundled real recordings and on synthetic
click tracks. The onset envelope is a mean of differences of dB values, so
values near 0 are compared with an absolute floor of 1e-4 of the envelope's
peak (float32 mel powers summed in another order differ by ~1e-7 relative,
~5e-7 dB); elsewhere the tolerance is 1e-4 relative. The tempogram is the
same FFT autocorrelation as librosa's and is compared to rounding.
"""

import librosa
import numpy as np
import pytest
import scipy.stats

from listenwidgets import ParameterError
from listenwidgets.data import demo_path
from listenwidgets.dsp import (
    load,
    melspectrogram,
    novelty,
    onset_strength,
    power_to_db,
    tempo,
    tempo_frequencies,
    tempo_histogram,
    tempogram,
)

RTOL = 1e-4
SR = 22050


def assert_envelope_close(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-4 * np.abs(theirs).max())


def click_track(bpm, sr=SR, seconds=20.0):
    y = np.zeros(int(seconds * sr))
    period = 60.0 / bpm
    for t in np.arange(0.1, seconds - 0.1, period):
        start = int(t * sr)
        y[start:start + 200] += np.hanning(200) * np.sin(2 * np.pi * 2000 * np.arange(200) / sr)
    return y


@pytest.fixture(scope="module", params=["melody", "guitar_chords", "speech_female"])
def clip(request):
    return load(demo_path(request.param))


# ----------------------------------------------------------------------------- onset strength


@pytest.mark.parametrize("kwargs", [
    {},
    {"lag": 2, "max_size": 3},
    {"detrend": True, "center": False},
    {"aggregate": np.median, "n_mels": 64, "fmax": 6000.0},
    {"n_fft": 1024, "hop_length": 256, "window": "hamming", "fmin": 50.0, "htk": True},
])
def test_onset_strength_matches_librosa(clip, kwargs):
    y, sr = clip
    assert_envelope_close(onset_strength(y=y, sr=sr, **kwargs),
                          librosa.onset.onset_strength(y=y, sr=sr, **kwargs))


def test_onset_strength_from_log_mel_matches_librosa(clip):
    y, sr = clip
    S = power_to_db(melspectrogram(y=y, sr=sr))
    for kwargs in [{}, {"max_size": 5}, {"ref": np.roll(S, 1, axis=0)}]:
        assert_envelope_close(onset_strength(S=S, sr=sr, **kwargs),
                              librosa.onset.onset_strength(S=S, sr=sr, **kwargs))


def test_onset_strength_multichannel():
    y, sr = load(demo_path("melody"))
    y2 = np.stack([y, 0.3 * y[::-1]])
    ours = onset_strength(y=y2, sr=sr)
    assert ours.shape == (2, 1 + len(y) // 512)
    assert_envelope_close(ours, librosa.onset.onset_strength(y=y2, sr=sr))


def test_onset_strength_peaks_at_clicks():
    y = np.zeros(SR)
    y[::SR // 4] = 1.0                                    # every 10.77 frames
    envelope = onset_strength(y=y, sr=SR)
    assert list(np.flatnonzero(envelope > 0.5 * envelope.max())) == [11, 22, 33]


def test_onset_strength_of_silence_is_zero():
    envelope = onset_strength(y=np.zeros(SR), sr=SR)
    assert envelope.shape == (44,) and np.all(envelope == 0)
    assert np.all(onset_strength(S=np.zeros((128, 10))) == 0)


def test_onset_strength_bad_input():
    S = np.zeros((128, 20))
    S[:, 5] = np.nan
    with pytest.raises(ParameterError, match="NaN or Inf.*t=5"):
        onset_strength(S=S)
    with pytest.raises(ParameterError, match="NaN or Inf"):
        onset_strength(y=np.array([0.0, np.nan] * 5000))
    with pytest.raises(ParameterError, match="lag must be >= 1, got lag=0"):
        onset_strength(S=np.zeros((128, 20)), lag=0)
    with pytest.raises(ParameterError, match="max_size must be >= 1"):
        onset_strength(S=np.zeros((128, 20)), max_size=0)
    with pytest.raises(ParameterError, match="ref.shape=\\(3, 3\\)"):
        onset_strength(S=np.zeros((128, 20)), ref=np.zeros((3, 3)))
    with pytest.raises(ParameterError, match="ref contains NaN or Inf"):
        onset_strength(S=np.zeros((128, 20)), ref=S)
    with pytest.raises(ParameterError, match="aggregate must be callable"):
        onset_strength(S=np.zeros((128, 20)), aggregate=False)
    with pytest.raises(ParameterError, match="exactly one of y"):
        onset_strength()
    with pytest.raises(ParameterError, match="exactly one of y"):
        onset_strength(y=np.zeros(4096), S=np.zeros((128, 20)))


# ----------------------------------------------------------------------------- novelty


def test_novelty_formula_by_hand():
    rng = np.random.default_rng(0)
    S = rng.random((513, 30))
    raw = novelty(S=S, gamma=0.0, local_average=0.0, normalize=False)
    expected = np.concatenate([[0.0], np.maximum(np.diff(S, axis=1), 0).sum(axis=0)])
    np.testing.assert_allclose(raw, expected, rtol=1e-12)
    compressed = novelty(S=S, gamma=10.0, local_average=0.0, normalize=False)
    Y = np.log1p(10.0 * S)
    expected = np.concatenate([[0.0], np.maximum(np.diff(Y, axis=1), 0).sum(axis=0)])
    np.testing.assert_allclose(compressed, expected, rtol=1e-12)


def test_novelty_finds_a_tone_onset():
    y = np.zeros(2 * SR)
    y[SR:] = np.sin(2 * np.pi * 440.0 * np.arange(SR) / SR)
    nov = novelty(y=y, sr=SR)
    # the window centred on frame 42 already reaches 0.5 frame into the tone
    assert int(np.argmax(nov)) == 42
    assert nov.max() == 1.0 and nov.min() >= 0.0


def test_novelty_local_average_and_silence():
    rng = np.random.default_rng(1)
    S = rng.random((513, 200))
    plain = novelty(S=S, local_average=0.0, normalize=False)
    averaged = novelty(S=S, local_average=0.1, normalize=False)
    assert np.all(averaged >= 0) and np.all(averaged <= plain + 1e-12)
    assert np.all(novelty(y=np.zeros(SR), sr=SR) == 0)
    assert novelty(S=np.stack([S, S])).shape == (2, 200)


def test_novelty_bad_input():
    with pytest.raises(ParameterError, match="gamma=-1.0"):
        novelty(S=np.ones((513, 4)), gamma=-1.0)
    with pytest.raises(ParameterError, match="local_average=-0.1"):
        novelty(S=np.ones((513, 4)), local_average=-0.1)
    S = np.ones((513, 4))
    S[:, 2] = np.nan
    with pytest.raises(ParameterError, match="NaN or Inf.*t=2"):
        novelty(S=S)


# ----------------------------------------------------------------------------- tempogram, tempo


@pytest.mark.parametrize("kwargs", [
    {}, {"center": False, "win_length": 64}, {"norm": None}, {"norm": 2.0, "window": "hamming"},
])
def test_tempogram_matches_librosa(clip, kwargs):
    y, sr = clip
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    np.testing.assert_allclose(tempogram(onset_envelope=envelope, sr=sr, **kwargs),
                               librosa.feature.tempogram(onset_envelope=envelope, sr=sr, **kwargs),
                               rtol=1e-6, atol=1e-6)


def test_tempogram_from_audio_matches_librosa():
    y, sr = load(demo_path("melody"))
    np.testing.assert_allclose(tempogram(y=y, sr=sr), librosa.feature.tempogram(y=y, sr=sr),
                               rtol=RTOL, atol=1e-4)


@pytest.mark.parametrize("kwargs", [
    {}, {"aggregate": None}, {"start_bpm": 90.0, "std_bpm": 0.5}, {"max_tempo": None},
    {"ac_size": 4.0, "aggregate": np.median}, {"prior": scipy.stats.uniform(30, 270)},
])
def test_tempo_matches_librosa(clip, kwargs):
    y, sr = clip
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    np.testing.assert_array_equal(tempo(onset_envelope=envelope, sr=sr, **kwargs),
                                  librosa.feature.tempo(onset_envelope=envelope, sr=sr, **kwargs))


def test_tempo_from_audio_and_from_tempogram():
    y, sr = load(demo_path("guitar_chords"))
    np.testing.assert_array_equal(tempo(y=y, sr=sr), librosa.feature.tempo(y=y, sr=sr))
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    tg = librosa.feature.tempogram(onset_envelope=envelope, sr=sr)
    np.testing.assert_array_equal(tempo(tg=tg, sr=sr), librosa.feature.tempo(tg=tg, sr=sr))


@pytest.mark.parametrize("bpm", [90.0, 120.0, 150.0])
def test_tempo_of_click_track(bpm):
    estimate = tempo(y=click_track(bpm), sr=SR)[0]
    # lags are whole frames: the nearest lag's tempo is within half a lag step
    lag = 60.0 * SR / (512 * bpm)
    assert abs(estimate - bpm) <= 0.5 * bpm / lag * 1.05


def test_tempo_frequencies_match_librosa():
    for n_bins, hop_length, sr in [(384, 512, 22050), (10, 256, 16000)]:
        np.testing.assert_array_equal(
            tempo_frequencies(n_bins, hop_length=hop_length, sr=sr),
            librosa.tempo_frequencies(n_bins, hop_length=hop_length, sr=sr))


def test_tempo_histogram_sums_the_tempogram(clip):
    y, sr = clip
    envelope = librosa.onset.onset_strength(y=y, sr=sr)
    tg = tempogram(onset_envelope=envelope, sr=sr)
    result = tempo_histogram(onset_envelope=envelope, sr=sr)
    np.testing.assert_array_equal(result.bpm, tempo_frequencies(384, sr=sr)[1:])
    np.testing.assert_allclose(result.histogram, tg[1:].sum(axis=1), rtol=1e-12)
    edges = np.arange(30.0, 301.0, 5.0)
    binned = tempo_histogram(onset_envelope=envelope, sr=sr, bpm_bins=edges)
    np.testing.assert_allclose(binned.bpm, edges[:-1] + 2.5)
    inside = (result.bpm >= 30.0) & (result.bpm <= 300.0)
    np.testing.assert_allclose(binned.histogram.sum(), result.histogram[inside].sum(), rtol=1e-9)


def test_tempo_histogram_peaks_at_the_pulse():
    envelope = np.zeros(3000)
    envelope[::20] = 1.0                                    # 20 frames = 129.2 BPM
    result = tempo_histogram(onset_envelope=envelope, sr=SR, hop_length=512)
    assert result.bpm[np.argmax(result.histogram)] == pytest.approx(60 * SR / (512 * 20))
    stereo = tempo_histogram(onset_envelope=np.stack([envelope, envelope]))
    assert stereo.histogram.shape == (2, 383)


def test_tempo_bad_input():
    envelope = np.ones(500)
    bad = envelope.copy()
    bad[7] = np.nan
    with pytest.raises(ParameterError, match="onset_envelope contains NaN or Inf"):
        tempogram(onset_envelope=bad)
    with pytest.raises(ParameterError, match="win_length must be >= 1, got win_length=0"):
        tempogram(onset_envelope=envelope, win_length=0)
    with pytest.raises(ParameterError, match="500 frames, fewer than win_length=600"):
        tempogram(onset_envelope=envelope, win_length=600, center=False)
    with pytest.raises(ParameterError, match="norm=-1"):
        tempogram(onset_envelope=envelope, norm=-1)
    with pytest.raises(ParameterError, match="exactly one of y"):
        tempogram()
    with pytest.raises(ParameterError, match="bpm_bins"):
        tempo_histogram(onset_envelope=envelope, bpm_bins=[200.0, 100.0])
    with pytest.raises(ParameterError, match="ac_size=0.001"):
        tempo(onset_envelope=envelope, ac_size=0.001)
    with pytest.raises(ParameterError, match="start_bpm=0"):
        tempo(onset_envelope=envelope, start_bpm=0)
    with pytest.raises(ParameterError, match="tg.shape=\\(5,\\)"):
        tempo(tg=np.ones(5))
    with pytest.raises(ParameterError, match="aggregate must be callable or None"):
        tempo(onset_envelope=envelope, aggregate="mean")


def test_tempo_of_silence_is_defined():
    envelope = np.zeros(1000)
    tg = tempogram(onset_envelope=envelope)
    assert np.all(tg == 0)
    result = tempo_histogram(onset_envelope=envelope)
    assert np.all(result.histogram == 0)
    assert np.isfinite(tempo(onset_envelope=envelope)).all()

"""Tests of listenwidgets.dsp.features: spectral, waveform and harmonic features (chapter 4).

Parity with librosa 0.11 is checked on the bundled real recordings and on
synthetic signals, from audio and from a precomputed spectrogram (float32 in
librosa's Fortran layout, float32 C-contiguous, and float64). Unless a test
says otherwise the tolerance is 1e-4 relative: both sides compute the same
formula, and the differences are float32 rounding (ours accumulates in
float64, librosa mostly in the dtype of S), typically 1e-7.
"""

import librosa
import numpy as np
import pytest

from listenwidgets import ParameterError
from listenwidgets.data import demo_path
from listenwidgets.dsp import (
    fft_frequencies,
    harmonic_peaks,
    harmonic_spectral_centroid,
    harmonic_spectral_spread,
    load,
    mel_frequencies,
    rms,
    spectral_bandwidth,
    spectral_centroid,
    spectral_flatness,
    spectral_flatness_bands,
    spectral_flux,
    spectral_rolloff,
    stft,
    zero_crossing_rate,
)
from listenwidgets.dsp import features as features_module

RTOL = 1e-4
EULER_GAMMA = 0.5772156649015329
SR = 22050
N_FFT = 2048
BIN_HZ = SR / N_FFT


def tone(freq, sr=SR, seconds=1.0, phase=0.3):
    return np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr + phase)


def interior(n_frames, n_fft=N_FFT, hop_length=512):
    """Frames whose (centred) window lies wholly inside the signal."""
    first = -(-(n_fft // 2) // hop_length)
    return slice(first, n_frames - first - 1)


@pytest.fixture(scope="module", params=["melody", "guitar_chords", "speech_female"])
def clip(request):
    y, sr = load(demo_path(request.param))
    return y, sr


@pytest.fixture(scope="module")
def melody():
    return load(demo_path("melody"))


def layouts(y):
    """The same magnitude spectrogram as librosa returns it, C-contiguous, and float64."""
    S = np.abs(librosa.stft(y))
    return {"float32-F": S, "float32-C": np.ascontiguousarray(S), "float64": S.astype(np.float64)}


# ----------------------------------------------------------------------------- librosa parity


def assert_rolloff_close(ours, theirs, *, sr, n_fft=N_FFT):
    """Equal bins, except where librosa's float32 running sum rounds across a bin boundary.

    librosa accumulates the magnitudes in float32, so a frame whose threshold lies
    within rounding of a bin boundary can move one bin (up to 6 of 901 frames on
    the guitar clip at roll_percent=0.99); ours agrees with librosa run in float64.
    """
    assert np.mean(ours == theirs) > 0.99
    assert np.abs(ours - theirs).max() <= 1.001 * sr / n_fft


@pytest.mark.parametrize("layout", ["float32-F", "float32-C", "float64"])
def test_centroid_bandwidth_rolloff_match_librosa_on_real_audio(clip, layout):
    y, sr = clip
    S = layouts(y)[layout]
    np.testing.assert_allclose(spectral_centroid(S=S, sr=sr),
                               librosa.feature.spectral_centroid(S=S, sr=sr), rtol=RTOL)
    for kwargs in [{}, {"p": 1}, {"p": 3, "norm": False}]:
        np.testing.assert_allclose(spectral_bandwidth(S=S, sr=sr, **kwargs),
                                   librosa.feature.spectral_bandwidth(S=S, sr=sr, **kwargs),
                                   rtol=RTOL)
    for roll_percent in [0.1, 0.5, 0.85, 0.99]:
        ours = spectral_rolloff(S=S, sr=sr, roll_percent=roll_percent)
        # The roll-off is a bin frequency: equal, not just close, to librosa run on
        # the float64 spectrogram (ours accumulates in float64 whatever S's dtype).
        exact = librosa.feature.spectral_rolloff(S=S.astype(np.float64), sr=sr,
                                                 roll_percent=roll_percent)
        np.testing.assert_array_equal(ours, exact)
        theirs = librosa.feature.spectral_rolloff(S=S, sr=sr, roll_percent=roll_percent)
        assert_rolloff_close(ours, theirs, sr=sr)


def test_features_from_audio_match_librosa(clip):
    y, sr = clip
    for ours, theirs in [
        (spectral_centroid, librosa.feature.spectral_centroid),
        (spectral_bandwidth, librosa.feature.spectral_bandwidth),
    ]:
        np.testing.assert_allclose(ours(y=y, sr=sr), theirs(y=y, sr=sr), rtol=RTOL)
    assert_rolloff_close(spectral_rolloff(y=y, sr=sr), librosa.feature.spectral_rolloff(y=y, sr=sr),
                         sr=sr)
    # Flatness near 0 (tonal frames, ~1e-6) is compared with an absolute floor of
    # 1e-7: float32 spectra carry ~1e-7 relative noise, so a flatness below that
    # is zero for any purpose.
    np.testing.assert_allclose(spectral_flatness(y=y), librosa.feature.spectral_flatness(y=y),
                               rtol=RTOL, atol=1e-7)
    np.testing.assert_allclose(rms(y=y), librosa.feature.rms(y=y), rtol=RTOL)


def test_stft_options_are_passed_through(melody):
    y, sr = melody
    kwargs = dict(n_fft=1024, hop_length=256, win_length=800, window="hamming", center=False)
    np.testing.assert_allclose(spectral_centroid(y=y, sr=sr, **kwargs),
                               librosa.feature.spectral_centroid(y=y, sr=sr, **kwargs), rtol=RTOL)
    kwargs = dict(n_fft=512, hop_length=128, pad_mode="reflect")
    np.testing.assert_allclose(spectral_bandwidth(y=y, sr=sr, **kwargs),
                               librosa.feature.spectral_bandwidth(y=y, sr=sr, **kwargs),
                               rtol=RTOL)


@pytest.mark.parametrize("power", [1.0, 2.0, 3.0])
def test_flatness_matches_librosa(clip, power):
    y, _ = clip
    spectra = layouts(y)
    S64 = spectra["float64"]
    expected = librosa.feature.spectral_flatness(S=S64, power=power)
    # float64: the same formula to rounding.
    np.testing.assert_allclose(spectral_flatness(S=S64, power=power), expected, rtol=1e-9)
    # float32: compared with librosa in float64, because librosa's own float32 mean
    # over 1025 bins of a C-ordered S drifts by up to 3e-4 (ours sums logs in float64).
    for layout in ["float32-F", "float32-C"]:
        np.testing.assert_allclose(spectral_flatness(S=spectra[layout], power=power), expected,
                                   rtol=RTOL, atol=1e-7)


def test_flatness_amin_and_large_values_match_librosa(melody):
    y, _ = melody
    S = np.abs(librosa.stft(y[:5 * 22050]))
    for amin in [1e-30, 1e-10, 1e-3, 10.0]:
        np.testing.assert_allclose(spectral_flatness(S=S, amin=amin),
                                   librosa.feature.spectral_flatness(S=S.astype(float), amin=amin),
                                   rtol=RTOL, atol=1e-7)
    # Bins of 1e10 overflow the grouped product in float32: those frames are summed bin by bin.
    big = S * np.float32(1e7)
    np.testing.assert_allclose(spectral_flatness(S=big),
                               librosa.feature.spectral_flatness(S=big.astype(float)),
                               rtol=RTOL, atol=1e-7)


def test_flatness_floors_frames_with_zeros(melody):
    y, _ = melody
    S = np.abs(librosa.stft(y[:5 * 22050])).astype(np.float64)
    few = S.copy()
    few[:300, 3:6] = 0.0                       # a few frames need the floor
    many = S.copy()
    many[:300, ::2] = 0.0                      # most frames need it
    for spectrum in [few, many]:
        np.testing.assert_allclose(spectral_flatness(S=spectrum),
                                   librosa.feature.spectral_flatness(S=spectrum), rtol=1e-9)


@pytest.mark.parametrize("frame_length, hop_length, center", [
    (2048, 512, True), (1000, 333, False), (2047, 300, True), (256, 256, True),
])
def test_rms_from_audio_matches_librosa(clip, frame_length, hop_length, center):
    y, _ = clip
    kwargs = dict(frame_length=frame_length, hop_length=hop_length, center=center)
    np.testing.assert_allclose(rms(y=y, **kwargs), librosa.feature.rms(y=y, **kwargs), rtol=RTOL)
    np.testing.assert_allclose(rms(y=y.astype(np.float64), pad_mode="reflect", dtype=np.float64),
                               librosa.feature.rms(y=y.astype(np.float64), pad_mode="reflect",
                                                   dtype=np.float64), rtol=1e-9)


@pytest.mark.parametrize("n_fft", [2048, 2047])
def test_rms_from_spectrogram_matches_librosa(melody, n_fft):
    y, _ = melody
    D = librosa.stft(y, n_fft=n_fft)
    for S in [np.abs(D), D, np.abs(D).astype(np.float64)]:
        np.testing.assert_allclose(rms(S=S, frame_length=n_fft),
                                   librosa.feature.rms(S=S, frame_length=n_fft), rtol=RTOL)


def test_rms_of_windowless_spectrogram_equals_rms_of_audio():
    y = np.random.default_rng(1).standard_normal(20000)
    S = np.abs(stft(y, n_fft=1024, hop_length=256, window="boxcar", center=False))
    np.testing.assert_allclose(rms(S=S, frame_length=1024)[0],
                               rms(y=y, frame_length=1024, hop_length=256, center=False)[0],
                               rtol=1e-5)


@pytest.mark.parametrize("kwargs", [
    {}, {"center": False, "frame_length": 1000, "hop_length": 333},
    {"threshold": 0.05, "zero_pos": False}, {"threshold": 0.1, "ref_magnitude": np.max},
    {"threshold": 0.01, "ref_magnitude": 2.0}, {"threshold": 0.0},
])
def test_zero_crossing_rate_matches_librosa(clip, kwargs):
    y, _ = clip
    # Counts of sign changes: exactly equal.
    np.testing.assert_array_equal(zero_crossing_rate(y, **kwargs),
                                  librosa.feature.zero_crossing_rate(y, **kwargs))


def test_multichannel_matches_librosa(melody):
    y, sr = melody
    y2 = np.stack([y, 0.5 * y[::-1]])
    S2 = np.abs(librosa.stft(y2))
    assert spectral_centroid(S=S2, sr=sr).shape == (2, 1, S2.shape[-1])
    for ours, theirs in [
        (spectral_centroid, librosa.feature.spectral_centroid),
        (spectral_bandwidth, librosa.feature.spectral_bandwidth),
        (spectral_rolloff, librosa.feature.spectral_rolloff),
    ]:
        np.testing.assert_allclose(ours(S=S2, sr=sr), theirs(S=S2, sr=sr), rtol=RTOL)
        np.testing.assert_allclose(ours(y=y2, sr=sr), theirs(y=y2, sr=sr), rtol=RTOL)
    np.testing.assert_allclose(spectral_flatness(S=S2),
                               librosa.feature.spectral_flatness(S=S2.astype(float)),
                               rtol=RTOL, atol=1e-7)
    np.testing.assert_allclose(rms(S=S2), librosa.feature.rms(S=S2), rtol=RTOL)
    np.testing.assert_allclose(rms(y=y2), librosa.feature.rms(y=y2), rtol=RTOL)
    np.testing.assert_array_equal(zero_crossing_rate(y2), librosa.feature.zero_crossing_rate(y2))


def test_per_frame_frequencies_and_given_centroid_match_librosa(melody):
    y, sr = melody
    S = np.abs(librosa.stft(y[: 3 * sr])).astype(np.float64)
    # a per-frame frequency matrix, as from a reassigned spectrogram
    freq = fft_frequencies(sr=sr, n_fft=N_FFT)[:, None] * (1 + 0.01 * np.sin(np.arange(S.shape[1])))
    np.testing.assert_allclose(spectral_centroid(S=S, sr=sr, freq=freq),
                               librosa.feature.spectral_centroid(S=S, sr=sr, freq=freq), rtol=RTOL)
    np.testing.assert_allclose(spectral_bandwidth(S=S, sr=sr, freq=freq),
                               librosa.feature.spectral_bandwidth(S=S, sr=sr, freq=freq),
                               rtol=RTOL)
    np.testing.assert_array_equal(spectral_rolloff(S=S, sr=sr, freq=freq),
                                  librosa.feature.spectral_rolloff(S=S, sr=sr, freq=freq))
    centroid = 1.1 * librosa.feature.spectral_centroid(S=S, sr=sr)
    for p in [2, 1.5]:
        np.testing.assert_allclose(
            spectral_bandwidth(S=S, sr=sr, centroid=centroid, p=p),
            librosa.feature.spectral_bandwidth(S=S, sr=sr, centroid=centroid, p=p), rtol=RTOL)


def test_synthetic_signals_match_librosa():
    rng = np.random.default_rng(2)
    t = np.arange(3 * SR) / SR
    chirp = np.sin(2 * np.pi * (100 * t + 1500 * t**2))
    harmonic = sum(np.sin(2 * np.pi * 220 * h * t) / h for h in range(1, 11))
    noise = rng.standard_normal(t.size)
    for y in [chirp, harmonic, noise, (chirp + 0.01 * noise).astype(np.float32)]:
        S = np.abs(librosa.stft(y))
        np.testing.assert_allclose(spectral_centroid(S=S), librosa.feature.spectral_centroid(S=S),
                                   rtol=RTOL)
        np.testing.assert_allclose(spectral_bandwidth(S=S),
                                   librosa.feature.spectral_bandwidth(S=S), rtol=RTOL)
        np.testing.assert_array_equal(spectral_rolloff(S=S), librosa.feature.spectral_rolloff(S=S))
        np.testing.assert_allclose(spectral_flatness(S=S),
                                   librosa.feature.spectral_flatness(S=S.astype(float)),
                                   rtol=RTOL, atol=1e-7)
        np.testing.assert_allclose(rms(y=y), librosa.feature.rms(y=y), rtol=RTOL)
        np.testing.assert_array_equal(zero_crossing_rate(y), librosa.feature.zero_crossing_rate(y))


def test_float32_in_float32_out():
    S = np.abs(librosa.stft(tone(440.0).astype(np.float32)))
    for feature in [spectral_centroid, spectral_bandwidth, spectral_rolloff, spectral_flatness]:
        assert feature(S=S).dtype == np.float32
    assert spectral_centroid(S=S.astype(np.float64)).dtype == np.float64


# ----------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("window", ["hann", "boxcar"])
def test_centroid_of_bin_centred_sine_is_its_frequency(window):
    f = 93 * BIN_HZ                                   # exactly on bin 93
    S = np.abs(stft(tone(f), n_fft=N_FFT, hop_length=512, window=window))
    inside = interior(S.shape[1])
    # Interior frames: all energy in bin 93 (rectangular) or in bins 92..94 with
    # magnitudes 1/4, 1/2, 1/4 (Hann), symmetric about f: the centroid is f up to
    # the FFT's rounding (1e-7 relative of the strongest bin).
    for power in [1.0, 2.0]:
        centroid = spectral_centroid(S=S, sr=SR, power=power)[0, inside]
        np.testing.assert_allclose(centroid, f, rtol=1e-6)


def test_spread_of_bin_centred_sine_is_small_and_exact():
    f = 93 * BIN_HZ
    inside = interior(44)
    S = np.abs(stft(tone(f), window="hann"))
    spread = spectral_bandwidth(S=S, sr=SR, power=2.0)[0, inside]
    # Hann bins 92, 93, 94 hold power 1/16, 1/4, 1/16: SS = Δf sqrt((2/16) / (6/16)) = Δf / √3.
    np.testing.assert_allclose(spread, BIN_HZ / np.sqrt(3.0), rtol=1e-6)
    S = np.abs(stft(tone(f), window="boxcar"))
    spread = spectral_bandwidth(S=S, sr=SR, power=2.0)[0, inside]
    assert np.all(spread < 1e-3 * BIN_HZ)            # one bin: rounding only


def test_power_option_equals_the_lecture_formula_by_hand():
    rng = np.random.default_rng(3)
    S = rng.random((513, 40)) ** 3
    f = fft_frequencies(sr=16000, n_fft=1024)[:, None]
    P = S**2
    sc = (f * P).sum(0) / P.sum(0)
    ss = np.sqrt(((f - sc) ** 2 * P).sum(0) / P.sum(0))
    np.testing.assert_allclose(spectral_centroid(S=S, sr=16000, power=2.0)[0], sc, rtol=1e-10)
    np.testing.assert_allclose(spectral_bandwidth(S=S, sr=16000, power=2.0)[0], ss, rtol=1e-10)
    # and librosa's magnitude weighting by hand
    sc1 = (f * S).sum(0) / S.sum(0)
    np.testing.assert_allclose(spectral_centroid(S=S, sr=16000)[0], sc1, rtol=1e-10)
    # general power and p
    W = S**1.5
    c = (f * W).sum(0) / W.sum(0)
    bw = ((np.abs(f - c) ** 3 * W).sum(0) / W.sum(0)) ** (1 / 3)
    np.testing.assert_allclose(spectral_bandwidth(S=S, sr=16000, power=1.5, p=3)[0], bw,
                               rtol=1e-10)


@pytest.mark.parametrize("freq", [441.0, 1000.0, 3000.0])
def test_zero_crossing_rate_of_tone_is_two_f_over_sr(freq):
    zcr = zero_crossing_rate(tone(freq, seconds=2.0))[0]
    # A frame of L samples holds 2 f L / sr crossings, give or take one at its ends.
    assert np.all(np.abs(zcr[interior(zcr.size)] - 2 * freq / SR) <= 1.0 / 2048)


def test_flatness_of_white_noise_and_of_a_sine():
    rng = np.random.default_rng(4)
    noise = rng.standard_normal(5 * SR)
    flat = spectral_flatness(y=noise)[0, interior(216)]
    # Per frame, |X|² of white noise is exponentially distributed, so
    # GM / AM -> exp(E ln X) / E X = exp(-γ) = 0.561 (γ: Euler's constant).
    assert abs(flat.mean() - np.exp(-EULER_GAMMA)) < 0.01
    # Averaged over frames the noise spectrum is flat: flatness near 1.
    mean_power = np.mean(np.abs(stft(noise)) ** 2, axis=1, keepdims=True)
    assert spectral_flatness(S=np.sqrt(mean_power))[0, 0] > 0.95
    # A pure tone is the opposite: near 0.
    assert spectral_flatness(y=tone(1000.0))[0, interior(44)].max() < 1e-3


def test_rolloff_closed_form():
    S = np.zeros((1025, 3))
    S[100, :] = 1.0
    S[400, :] = 3.0
    f = fft_frequencies(sr=SR, n_fft=N_FFT)
    # 25 % of the total sits in bin 100, so any roll_percent <= 0.25 stops there.
    assert np.all(spectral_rolloff(S=S, roll_percent=0.25) == f[100])
    assert np.all(spectral_rolloff(S=S, roll_percent=0.26) == f[400])


def test_rms_of_sine_is_amplitude_over_root_two():
    level = rms(y=2.0 * tone(64 * SR / 2048))[0, interior(44)]   # whole periods per frame
    np.testing.assert_allclose(level, np.sqrt(2.0), rtol=1e-6)


# ----------------------------------------------------------------------------- band flatness


def test_band_flatness_equals_formula_by_hand():
    rng = np.random.default_rng(5)
    S = rng.random((1025, 30)) + 0.01
    result = spectral_flatness_bands(S=S, sr=SR, bands="linear", n_bands=5)
    f = fft_frequencies(sr=SR, n_fft=N_FFT)
    assert result.flatness.shape == (5, 30) and result.mean.shape == (1, 30)
    for b in range(5):
        upper = f < result.edges[b + 1] if b < 4 else f <= result.edges[b + 1]
        P = S[(f >= result.edges[b]) & upper] ** 2
        expected = np.exp(np.log(P).mean(0)) / P.mean(0)
        np.testing.assert_allclose(result.flatness[b], expected, rtol=1e-10)
    np.testing.assert_allclose(result.mean[0], result.flatness.mean(0), rtol=1e-12)


def test_band_edges():
    S = np.ones((1025, 1))
    octave = spectral_flatness_bands(S=S, sr=SR, n_bands=6).edges
    np.testing.assert_allclose(octave, SR / 2 / 2.0 ** np.arange(6, -1, -1))
    linear = spectral_flatness_bands(S=S, sr=SR, bands="linear", n_bands=4, fmin=100.0,
                                     fmax=8000.0).edges
    np.testing.assert_allclose(linear, np.linspace(100.0, 8000.0, 5))
    for htk in [False, True]:
        mel_edges = spectral_flatness_bands(S=S, sr=SR, bands="mel", n_bands=8, htk=htk).edges
        np.testing.assert_allclose(mel_edges, mel_frequencies(9, fmin=0.0, fmax=SR / 2, htk=htk),
                                   rtol=1e-9, atol=1e-9)


def test_band_flatness_of_noise_and_tone():
    rng = np.random.default_rng(6)
    noise = spectral_flatness_bands(y=rng.standard_normal(5 * SR), sr=SR, bands="linear",
                                    n_bands=4)
    # each band of white noise: exp(-γ) per frame, as the whole spectrum
    np.testing.assert_allclose(noise.flatness[:, interior(216)].mean(axis=1),
                               np.exp(-EULER_GAMMA), atol=0.02)
    sine = spectral_flatness_bands(y=tone(1000.0), sr=SR, bands="linear", n_bands=4)
    assert sine.flatness[0, interior(44)].max() < 1e-3   # the band holding the tone


# ----------------------------------------------------------------------------- flux


def test_spectral_flux_librosa_kind_is_onset_strength(clip):
    y, sr = clip
    expected = librosa.onset.onset_strength(y=y, sr=sr)
    # An envelope of dB differences: values near 0 are compared with an absolute
    # floor of 1e-4 of the peak (float32 mel powers differ by ~1e-7 relative,
    # ~5e-7 dB, between the two implementations' summation orders).
    atol = 1e-4 * expected.max()
    np.testing.assert_allclose(spectral_flux(y=y, sr=sr)[0], expected, rtol=RTOL, atol=atol)
    S = np.abs(librosa.stft(y))
    np.testing.assert_allclose(spectral_flux(S=S, sr=sr)[0], expected, rtol=RTOL, atol=atol)


def test_spectral_flux_l2_by_hand():
    rng = np.random.default_rng(7)
    S = rng.random((513, 20))
    flux = spectral_flux(S=S, kind="l2")
    assert flux.shape == (1, 20) and flux[0, 0] == 0.0
    expected = np.sqrt(np.sum(np.diff(S, axis=1) ** 2, axis=0))
    np.testing.assert_allclose(flux[0, 1:], expected, rtol=1e-12)


# ----------------------------------------------------------------------------- harmonic


def harmonic_tone(f0, amplitudes, seconds=1.0):
    t = np.arange(int(seconds * SR)) / SR
    return sum(a * np.sin(2 * np.pi * f0 * h * t + h) for h, a in enumerate(amplitudes, start=1))


def test_harmonic_centroid_and_spread_of_bin_centred_harmonics():
    f0 = 20 * BIN_HZ
    amplitudes = np.array([1.0, 0.5, 0.25, 0.125])
    y = harmonic_tone(f0, amplitudes)
    inside = interior(44)
    f_h = f0 * np.arange(1, 5)
    # Hann, bin-centred: each peak is exactly A_h N / 4 at exactly h f0.
    for power in [1.0, 2.0]:
        w = amplitudes**power
        hsc = (f_h * w).sum() / w.sum()
        hss = np.sqrt(((f_h - hsc) ** 2 * w).sum() / w.sum())
        got_c = harmonic_spectral_centroid(y=y, sr=SR, f0=f0, n_harmonics=4, power=power)
        got_s = harmonic_spectral_spread(y=y, sr=SR, f0=f0, n_harmonics=4, power=power)
        assert got_c.shape == got_s.shape == (1, 44)
        np.testing.assert_allclose(got_c[0, inside], hsc, rtol=1e-6)
        np.testing.assert_allclose(got_s[0, inside], hss, rtol=1e-6)
    peaks = harmonic_peaks(y=y, sr=SR, f0=f0, n_harmonics=4)
    np.testing.assert_allclose(peaks.amplitudes[:, 30], amplitudes * N_FFT / 4, rtol=1e-6)


def test_absent_harmonics_count_zero():
    f0 = 20 * BIN_HZ
    y = harmonic_tone(f0, [1.0, 1.0])                 # harmonics 3..10 absent
    peaks = harmonic_peaks(y=y, sr=SR, f0=f0)
    assert np.all(peaks.amplitudes[2:, 30] == 0) and np.all(peaks.frequencies[2:, 30] == 0)
    np.testing.assert_allclose(harmonic_spectral_centroid(y=y, sr=SR, f0=f0)[0, 30], 1.5 * f0,
                               rtol=1e-6)


@pytest.mark.parametrize("f0", [110.0, 233.0, 440.0])
def test_estimated_f0_of_harmonic_tone(f0):
    y = harmonic_tone(f0, 1.0 / np.arange(1, 11), seconds=1.0)
    peaks = harmonic_peaks(y=y, sr=SR)
    inside = interior(44)
    assert peaks.voiced[inside].all()
    # The harmonic peaks refine f0 to a fraction of a bin: within 0.5 %.
    np.testing.assert_allclose(peaks.f0[inside], f0, rtol=5e-3)


def test_estimated_f0_of_real_piano_note():
    y, sr = load(demo_path("piano_a4"))               # measured fundamental 439.9 Hz
    peaks = harmonic_peaks(y=y, sr=sr)
    assert peaks.voiced.mean() > 0.9
    # a piano's partials are slightly stretched (inharmonicity): within 1 %
    assert abs(np.median(peaks.f0[peaks.voiced]) / 439.9 - 1) < 0.01


def test_noise_and_silence_are_unvoiced_and_zero():
    rng = np.random.default_rng(8)
    for y in [rng.standard_normal(SR), np.zeros(SR)]:
        peaks = harmonic_peaks(y=y, sr=SR)
        assert not peaks.voiced.any() and np.all(peaks.f0 == 0)
        assert np.all(harmonic_spectral_centroid(y=y, sr=SR) == 0)
        assert np.all(harmonic_spectral_spread(y=y, sr=SR) == 0)


def test_given_f0_per_frame_and_unvoiced_frames():
    f0 = 20 * BIN_HZ
    y = harmonic_tone(f0, [1.0, 0.5, 0.25])
    per_frame = np.full(44, f0)
    per_frame[10:15] = 0.0                            # marked unvoiced
    peaks = harmonic_peaks(y=y, sr=SR, f0=per_frame, n_harmonics=3)
    assert not peaks.voiced[10:15].any() and peaks.voiced[20:30].all()
    hsc = harmonic_spectral_centroid(y=y, sr=SR, f0=per_frame, n_harmonics=3)
    assert np.all(hsc[0, 10:15] == 0) and np.all(np.isfinite(hsc))


def test_harmonic_features_of_multichannel_spectrogram():
    f0 = 20 * BIN_HZ
    y = np.stack([harmonic_tone(f0, [1.0, 0.5]), harmonic_tone(2 * f0, [1.0, 0.5])])
    S = np.abs(stft(y))
    hsc = harmonic_spectral_centroid(S=S, sr=SR, f0=np.array([[f0], [2 * f0]]), n_harmonics=2)
    assert hsc.shape == (2, 1, 44)
    np.testing.assert_allclose(hsc[:, 0, 30], [f0 * 4 / 3, 2 * f0 * 4 / 3], rtol=1e-6)
    peaks = harmonic_peaks(S=S, sr=SR)
    assert peaks.f0.shape == (2, 44) and peaks.frequencies.shape == (2, 10, 44)
    np.testing.assert_allclose(peaks.f0[:, 30], [f0, 2 * f0], rtol=5e-3)


# ----------------------------------------------------------------------------- bad input


SPECTRAL = [spectral_centroid, spectral_bandwidth, spectral_rolloff, spectral_flatness,
            spectral_flux, harmonic_spectral_centroid, harmonic_spectral_spread]


def test_silence_gives_defined_values_and_no_nan():
    y = np.zeros(SR)
    S = np.zeros((1025, 10), dtype=np.float32)
    for source in [{"y": y}, {"S": S}]:
        for feature in [spectral_centroid, spectral_bandwidth, spectral_rolloff,
                        harmonic_spectral_centroid, harmonic_spectral_spread]:
            assert np.all(feature(**source) == 0), feature.__name__
        assert np.all(spectral_flux(**source, kind="l2") == 0)
        assert np.all(spectral_flux(**source) == 0)
        # The amin floor is a perfectly flat spectrum: 1, to the rounding of a float32
        # logarithm (|ln 1e-10| * 6e-8 ~ 1e-6 per bin).
        np.testing.assert_allclose(spectral_flatness(**source), 1.0, rtol=1e-5)
        bands = spectral_flatness_bands(**source)
        np.testing.assert_allclose(bands.flatness, 1.0, rtol=1e-5)
        np.testing.assert_allclose(bands.mean, 1.0, rtol=1e-5)
    assert np.all(rms(y=y) == 0) and np.all(rms(S=S) == 0)
    assert np.all(zero_crossing_rate(y) == 0)


@pytest.mark.parametrize("feature", SPECTRAL + [rms, spectral_flatness_bands,
                                                 lambda S: spectral_flux(S=S, kind="l2")])
def test_nan_frame_in_spectrogram_is_refused(feature):
    S = np.ones((1025, 12))
    S[:, 7] = np.nan
    with pytest.raises(ParameterError, match="NaN or Inf.*t=7"):
        feature(S=S)
    S[:, 7] = np.inf
    with pytest.raises(ParameterError, match="NaN or Inf.*t=7"):
        feature(S=S)
    with pytest.raises(ParameterError, match="NaN or Inf.*t=0"):
        feature(S=np.full((1025, 1), np.nan))


@pytest.mark.parametrize("feature", SPECTRAL + [spectral_flatness_bands])
def test_bad_spectrogram_shapes_and_values(feature):
    with pytest.raises(ParameterError, match="S.shape=\\(1025,\\)"):
        feature(S=np.ones(1025))
    with pytest.raises(ParameterError, match="n_bins >= 2"):
        feature(S=np.ones((1, 10)))
    with pytest.raises(ParameterError, match="non-negative"):
        feature(S=-np.ones((1025, 3)))
    with pytest.raises(ParameterError, match="complex"):
        feature(S=np.ones((1025, 3), dtype=complex))
    with pytest.raises(ParameterError, match="exactly one of y"):
        feature()
    with pytest.raises(ParameterError, match="exactly one of y"):
        feature(y=np.zeros(4096), S=np.ones((1025, 3)))


def test_bad_audio_is_refused():
    for feature in [spectral_centroid, spectral_flatness, rms]:
        with pytest.raises(ParameterError, match="NaN or Inf"):
            feature(y=np.array([0.0, np.nan] * 2000))
    with pytest.raises(ParameterError, match="NaN or Inf"):
        zero_crossing_rate(np.array([0.0, np.inf] * 2000))
    with pytest.raises(ParameterError, match="floating-point"):
        zero_crossing_rate(np.arange(5000))
    with pytest.raises(ParameterError, match="frame_length=2048 is longer"):
        zero_crossing_rate(np.zeros(100), center=False)
    with pytest.raises(ParameterError, match="frame_length=2048 is longer"):
        rms(y=np.zeros(100), center=False)


def test_cross_parameter_errors_name_the_values():
    S = np.ones((1025, 4))
    with pytest.raises(ParameterError, match="freq.shape=\\(10,\\)"):
        spectral_centroid(S=S, freq=np.arange(10.0))
    with pytest.raises(ParameterError, match="centroid.shape=\\(4,\\)"):
        spectral_bandwidth(S=S, centroid=np.ones(4))
    with pytest.raises(ParameterError, match="roll_percent=1.0"):
        spectral_rolloff(S=S, roll_percent=1.0)
    with pytest.raises(ParameterError, match="power=0"):
        spectral_centroid(S=S, power=0)
    with pytest.raises(ParameterError, match="p=-1"):
        spectral_bandwidth(S=S, p=-1)
    with pytest.raises(ParameterError, match="amin=0"):
        spectral_flatness(S=S, amin=0)
    with pytest.raises(ParameterError, match="kind"):
        spectral_flux(S=S, kind="l1")
    with pytest.raises(ParameterError, match="frame_length=2048"):
        rms(S=np.ones((513, 4)))
    with pytest.raises(ParameterError, match="dtype=int"):
        rms(S=S, dtype=int)
    with pytest.raises(ParameterError, match="threshold=-1"):
        zero_crossing_rate(np.zeros(4096), threshold=-1.0)
    with pytest.raises(ParameterError, match="pad_mode"):
        rms(y=np.zeros(4096), pad_mode="bogus")
    with pytest.raises(ParameterError, match="f0.shape=\\(3,\\)"):
        harmonic_peaks(S=S, f0=np.ones(3))
    with pytest.raises(ParameterError, match="f0 contains NaN"):
        harmonic_peaks(S=S, f0=np.nan)
    with pytest.raises(ParameterError, match="fmin=500.0, fmax=100.0"):
        harmonic_peaks(S=S, fmin=500.0, fmax=100.0)
    with pytest.raises(ParameterError, match="n_harmonics=0"):
        harmonic_peaks(S=S, n_harmonics=0)
    with pytest.raises(ParameterError, match="tolerance=0.9"):
        harmonic_peaks(S=S, tolerance=0.9)


@pytest.mark.parametrize("n_bands, match", [
    (0, "n_bands must be >= 1, got n_bands=0"),
    (2.5, "n_bands must be an integer, got n_bands=2.5"),
    (True, "n_bands must be an integer"),
    (12, "band 0 .* holds no FFT bin at n_fft=256.*n_bands=12"),
])
def test_bad_n_bands(n_bands, match):
    with pytest.raises(ParameterError, match=match):
        spectral_flatness_bands(S=np.ones((129, 4)), sr=SR, n_bands=n_bands)


def test_bad_band_options():
    S = np.ones((1025, 4))
    with pytest.raises(ParameterError, match="bands"):
        spectral_flatness_bands(S=S, bands="bark")
    with pytest.raises(ParameterError, match="fmax=20000.0"):
        spectral_flatness_bands(S=S, fmax=20000.0)
    with pytest.raises(ParameterError, match="fmin=5000.0, fmax=1000.0"):
        spectral_flatness_bands(S=S, bands="linear", fmin=5000.0, fmax=1000.0)
    with pytest.raises(ParameterError, match="octave bands need fmin > 0"):
        spectral_flatness_bands(S=S, fmin=0.0)


def test_flatness_group_size_avoids_denormals():
    # the grouped product of floored bins must stay a normal float
    for dtype, floor in [(np.float32, 1e-5), (np.float32, 1e-10), (np.float64, 1e-5)]:
        Q = np.full((1025, 3), floor, dtype=dtype)
        _, log_sum = features_module._flatness_sums(Q, 2.0, dtype(floor))
        np.testing.assert_allclose(log_sum, 1025 * np.log(dtype(floor)), rtol=1e-6)

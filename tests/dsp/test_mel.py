"""Tests of listenwidgets.dsp.mel: mel scales, the filterbank and the mel spectrogram.

Parity with librosa 0.11: filters within 1e-6 (float32), mel spectrograms within
1e-5 of their maximum.
"""

import warnings

import librosa
import numpy as np
import pytest
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import (
    HTK_MEL_FACTOR,
    hz_to_mel,
    mel,
    mel_frequencies,
    mel_to_hz,
    melspectrogram,
    stft,
)


def real_or_synthetic(name="speech_female"):
    """A bundled clip if present, else a synthetic vowel /a/ (pulse train through formants)."""
    try:
        from listenwidgets.data import demo_names, demo_path
        from listenwidgets.dsp import load
        if name in demo_names():
            return load(demo_path(name))
    except ImportError:
        pass
    sr = 16000
    source = np.zeros(3 * sr)
    source[::sr // 120] = 1.0
    a = np.array([1.0])
    for f, bw in [(700, 80), (1220, 90), (2600, 120)]:
        r = np.exp(-np.pi * bw / sr)
        a = np.convolve(a, [1, -2 * r * np.cos(2 * np.pi * f / sr), r * r])
    y = scipy.signal.lfilter([1.0], a, source)
    return (0.5 * y / np.abs(y).max()).astype(np.float32), sr


@pytest.fixture(scope="module")
def clip():
    return real_or_synthetic()


# --- scales ---------------------------------------------------------------------------

FREQS = np.array([0.0, 20.0, 440.0, 999.0, 1000.0, 1001.0, 4000.0, 11025.0, 22050.0])


def test_htk_is_the_lecture_formula():
    expected = 1127.01048 * np.log(1 + FREQS / 700)
    np.testing.assert_allclose(hz_to_mel(FREQS, htk=True), expected, rtol=1e-6, atol=0)
    assert HTK_MEL_FACTOR == 1127.01048
    assert hz_to_mel(1000.0, htk=True) == pytest.approx(1000.0, abs=1e-6)


def test_htk_equals_librosa_2595_log10_up_to_the_constant():
    # 2595 / ln(10) = 1126.994 vs 1127.010: the mel values differ by 1.4e-5 relative ...
    np.testing.assert_allclose(hz_to_mel(FREQS, htk=True), librosa.hz_to_mel(FREQS, htk=True),
                               rtol=2e-5, atol=0)
    # ... and points evenly spaced in mel map back to the same Hz (the constant cancels).
    for fmin, fmax in [(0.0, 8000.0), (30.0, 11025.0)]:
        np.testing.assert_allclose(mel_frequencies(130, fmin=fmin, fmax=fmax, htk=True),
                                   librosa.mel_frequencies(130, fmin=fmin, fmax=fmax, htk=True),
                                   rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("htk", [False, True])
def test_scales_invert(htk):
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(FREQS, htk=htk), htk=htk), FREQS,
                               rtol=1e-12, atol=1e-9)


def test_slaney_matches_librosa():
    np.testing.assert_allclose(hz_to_mel(FREQS), librosa.hz_to_mel(FREQS), rtol=1e-12)
    mels = np.linspace(0, 80, 33)
    np.testing.assert_allclose(mel_to_hz(mels), librosa.mel_to_hz(mels), rtol=1e-12)
    np.testing.assert_allclose(mel_frequencies(40, fmin=20.0, fmax=8000.0),
                               librosa.mel_frequencies(40, fmin=20.0, fmax=8000.0), rtol=1e-12)


def test_scalar_in_scalar_out():
    assert np.ndim(hz_to_mel(440.0)) == 0
    assert np.ndim(mel_to_hz(10.0, htk=True)) == 0
    assert hz_to_mel(np.ones((2, 3))).shape == (2, 3)


# --- filterbank -----------------------------------------------------------------------

FILTER_CASES = [
    dict(sr=22050, n_fft=2048),
    dict(sr=22050, n_fft=2048, htk=True),
    dict(sr=22050, n_fft=2048, norm=None),
    dict(sr=22050, n_fft=2048, norm=None, htk=True),
    dict(sr=16000, n_fft=512, n_mels=40, fmin=50.0, fmax=7600.0, norm=1),
    dict(sr=16000, n_fft=1024, n_mels=64, norm=2, htk=True),
    dict(sr=44100, n_fft=4096, n_mels=96, fmin=30.0, norm=np.inf),
    dict(sr=8000, n_fft=255, n_mels=20),
]


@pytest.mark.parametrize("kwargs", FILTER_CASES)
def test_filters_match_librosa(kwargs):
    ours = mel(**kwargs)
    theirs = librosa.filters.mel(**kwargs)
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_filters_float64():
    ours = mel(sr=22050, n_fft=1024, n_mels=64, dtype=np.float64)
    theirs = librosa.filters.mel(sr=22050, n_fft=1024, n_mels=64, dtype=np.float64)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("htk", [False, True])
def test_slaney_triangle_height_is_two_over_width(htk):
    sr, n_fft, n_mels = 22050, 8192, 40
    edges = mel_frequencies(n_mels + 2, fmin=0.0, fmax=sr / 2, htk=htk)
    width = edges[2:] - edges[:-2]
    peak1 = mel(sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, norm=None, dtype=np.float64)
    slaney = mel(sr=sr, n_fft=n_fft, n_mels=n_mels, htk=htk, dtype=np.float64)
    # every tap of triangle i is scaled by exactly 2 / d_i ...
    nonzero = peak1 > 0
    ratio = np.where(nonzero, slaney / np.where(nonzero, peak1, 1.0), 0.0)
    for i in range(n_mels):
        np.testing.assert_allclose(ratio[i, nonzero[i]], 2.0 / width[i], rtol=1e-12)
    # ... and the unnormalised triangles reach (nearly) 1 at their centres on this fine grid,
    # so the Slaney peaks are the lecture's 2/d.
    np.testing.assert_allclose(peak1.max(axis=1), 1.0, atol=0.12)
    np.testing.assert_allclose(slaney.max(axis=1), 2.0 / width, rtol=0.12)


def test_filterbank_is_cached_and_read_only():
    a = mel(sr=22050, n_fft=2048, n_mels=80)
    b = mel(sr=22050, n_fft=2048, n_mels=80)
    assert a is b
    assert not a.flags.writeable
    with pytest.raises(ValueError):
        a[0, 0] = 1.0
    assert mel(sr=22050, n_fft=2048, n_mels=81) is not a


def test_too_many_mels_warns_like_librosa():
    with pytest.warns(UserWarning, match="Empty filters detected"):
        librosa.filters.mel(sr=22050, n_fft=256, n_mels=128)
    with pytest.warns(UserWarning, match="Empty filters detected"):
        M = mel(sr=22050, n_fft=256, n_mels=128)
    assert np.isfinite(M).all()
    # warns on every call, not only when the cached builder runs
    with pytest.warns(UserWarning, match="Empty filters detected"):
        mel(sr=22050, n_fft=256, n_mels=128)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mel(sr=22050, n_fft=2048, n_mels=128)


def test_too_many_mels_in_melspectrogram_warns_and_stays_finite():
    y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    with pytest.warns(UserWarning, match="Empty filters detected"):
        M = melspectrogram(y=y, sr=22050, n_fft=256, hop_length=64, n_mels=128)
    assert np.isfinite(M).all()


def test_fmax_above_nyquist_is_an_error():
    with pytest.raises(ParameterError, match=r"fmax=12000.0.*sr=22050"):
        mel(sr=22050, n_fft=2048, fmax=12000.0)
    with pytest.raises(ParameterError, match="fmax="):
        melspectrogram(y=np.zeros(4096, np.float32), sr=16000, fmax=8001.0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(fmin=5000.0, fmax=4000.0), "fmin="),
    (dict(fmin=-1.0), "fmin="),
    (dict(n_mels=0), "n_mels="),
    (dict(norm="l2"), "norm="),
    (dict(norm=-1), "norm="),
    (dict(htk="yes"), "htk="),
    (dict(dtype=np.int16), "dtype="),
])
def test_bad_filter_arguments(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        mel(sr=22050, n_fft=2048, **kwargs)


def test_no_silent_kwargs():
    with pytest.raises(TypeError):
        melspectrogram(y=np.zeros(4096, np.float32), sr=22050, n_mel=64)


# --- mel spectrogram --------------------------------------------------------------------

MELSPEC_CASES = [
    dict(),
    dict(n_fft=1024, hop_length=256, win_length=800, window="hamming", center=False, power=1.0,
         n_mels=64, fmin=50.0, fmax=7000.0, htk=True, norm=None),
    dict(n_fft=512, hop_length=160, pad_mode="reflect", power=1.5, n_mels=40, norm=2),
    dict(n_fft=2048, hop_length=None, window="blackman", n_mels=96, fmin=20.0),
    dict(n_fft=1001, hop_length=333, n_mels=32),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", MELSPEC_CASES)
def test_melspectrogram_matches_librosa(clip, kwargs, dtype):
    y, sr = clip
    y = y.astype(dtype)
    ours = melspectrogram(y=y, sr=sr, **kwargs)
    theirs = librosa.feature.melspectrogram(y=y, sr=sr, **kwargs)
    assert ours.shape == theirs.shape
    assert ours.dtype == theirs.dtype == dtype
    assert np.abs(ours - theirs).max() <= 1e-5 * theirs.max()


def test_melspectrogram_equals_filterbank_times_stft_power(clip):
    y, sr = clip
    D = stft(y, n_fft=1024, hop_length=256)
    expected = mel(sr=sr, n_fft=1024, n_mels=64) @ np.abs(D) ** 2
    ours = melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=256, n_mels=64)
    assert np.abs(ours - expected).max() <= 1e-5 * expected.max()


def test_melspectrogram_from_S_matches_librosa(clip):
    y, sr = clip
    S = np.abs(stft(y, n_fft=1024, hop_length=256)) ** 2
    ours = melspectrogram(S=S, sr=sr, n_mels=48, fmax=sr / 2.5)
    theirs = librosa.feature.melspectrogram(S=S, sr=sr, n_mels=48, fmax=sr / 2.5)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() <= 1e-5 * theirs.max()


def test_multichannel_equals_each_channel(clip):
    y, sr = clip
    stereo = np.stack([y, 0.5 * y[::-1]])
    both = melspectrogram(y=stereo, sr=sr, n_mels=40)
    assert both.shape[:2] == (2, 40)
    for channel, M in zip(stereo, both):
        np.testing.assert_allclose(M, melspectrogram(y=channel, sr=sr, n_mels=40), rtol=1e-6)


def test_short_signal_centered(clip):
    y = np.random.default_rng(1).standard_normal(100)
    ours = melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=512)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=2048, hop_length=512)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-5 * theirs.max())


def test_silence_gives_zeros_not_nan():
    M = melspectrogram(y=np.zeros(22050, np.float32), sr=22050)
    assert np.isfinite(M).all() and not M.any()


def test_nan_frame_is_an_error():
    y = np.random.default_rng(0).standard_normal(8192).astype(np.float32)
    y[3000:3100] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        melspectrogram(y=y, sr=22050)
    with pytest.raises(ParameterError, match="NaN"):
        melspectrogram(S=np.full((1025, 3), np.nan), sr=22050)
    with pytest.raises(ParameterError, match="real"):
        melspectrogram(S=np.ones((1025, 3), complex), sr=22050)


def test_missing_input_and_bad_arguments():
    with pytest.raises(ParameterError, match="y .* or S"):
        melspectrogram(sr=22050)
    y = np.zeros(1000, np.float32)
    with pytest.raises(ParameterError, match="n_fft=2048"):
        melspectrogram(y=y, sr=22050, center=False)
    with pytest.raises(ParameterError, match="power="):
        melspectrogram(y=y, sr=22050, power=0)
    with pytest.raises(ParameterError, match="pad_mode="):
        melspectrogram(y=y, sr=22050, pad_mode="wrap-around")
    with pytest.raises(ParameterError, match="int"):
        melspectrogram(y=np.zeros(1000, np.int16), sr=22050)

"""Tests of listenwidgets.dsp.vocoder: channel-vocoder envelope and source–filter synthesis."""

import warnings

import numpy as np
import pytest
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import (
    VOCODER_FILTER_SHAPES,
    VOCODER_SCALES,
    hz_to_mel,
    source_filter_synthesis,
    stft,
    vocoder_band_edges,
    vocoder_bands,
    vocoder_envelope,
    vocoder_filterbank,
)

SR, N_FFT = 16000, 1024
FREQS = np.fft.rfftfreq(N_FFT, 1 / SR)


def formant_filter(sr, formants=((700, 80), (1220, 90), (2600, 120))):
    """Denominator A(z) of an all-pole vowel filter with the given (frequency, bandwidth) pairs."""
    a = np.array([1.0])
    for f, bw in formants:
        r = np.exp(-np.pi * bw / sr)
        a = np.convolve(a, [1, -2 * r * np.cos(2 * np.pi * f / sr), r * r])
    return a


def true_response():
    _, H = scipy.signal.freqz([1.0], formant_filter(SR), worN=FREQS, fs=SR)
    return np.abs(H)


# --- filterbank ----------------------------------------------------------------------------

@pytest.mark.parametrize("scale", VOCODER_SCALES)
def test_band_edges_are_evenly_spaced_on_the_scale(scale):
    edges, centres = vocoder_band_edges(n_bands=10, scale=scale, fmin=100.0, fmax=7000.0, sr=SR)
    assert edges.shape == (12,) and centres.shape == (10,)
    warp = {"linear": lambda f: f, "log": np.log, "mel": hz_to_mel}[scale]
    np.testing.assert_allclose(np.diff(warp(edges)), np.diff(warp(edges)).mean(), rtol=1e-9)
    np.testing.assert_allclose(centres, edges[1:-1])
    edges, centres = vocoder_band_edges(n_bands=10, scale=scale, fmin=100.0, fmax=7000.0, sr=SR,
                                        filter_shape="rectangular")
    assert edges.shape == (11,)
    np.testing.assert_allclose(warp(centres), 0.5 * (warp(edges[1:]) + warp(edges[:-1])))


def test_default_fmin_and_fmax():
    edges, _ = vocoder_band_edges(n_bands=4, scale="log", sr=SR)
    assert edges[0] == 50.0 and edges[-1] == SR / 2
    edges, _ = vocoder_band_edges(n_bands=4, scale="mel", sr=SR)
    assert edges[0] == 0.0


def test_triangles_peak_at_their_centres_and_rectangles_tile():
    H = vocoder_filterbank(sr=SR, n_fft=N_FFT, n_bands=8, fmin=0.0, fmax=4500.0)
    assert H.shape == (8, 513) and H.max() <= 1.0
    np.testing.assert_allclose(H.max(axis=1), 1.0)  # centres every 500 Hz = 32 bins
    np.testing.assert_array_equal(H.argmax(axis=1), 32 * np.arange(1, 9))
    assert not H.flags.writeable
    assert vocoder_filterbank(sr=SR, n_fft=N_FFT, n_bands=8, fmin=0.0, fmax=4500.0) is H
    R = vocoder_filterbank(sr=SR, n_fft=N_FFT, n_bands=8, scale="mel",
                           filter_shape="rectangular")
    np.testing.assert_array_equal(R.sum(axis=0), 1.0)  # a partition of all bins


def test_band_level_definition():
    rng = np.random.default_rng(0)
    S = rng.random((513, 3))
    H = vocoder_filterbank(sr=SR, n_fft=N_FFT, n_bands=12, scale="mel")
    expected = np.sqrt((H**2 @ S**2) / (H**2).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(vocoder_bands(S, sr=SR, n_bands=12, scale="mel"), expected)
    np.testing.assert_allclose(vocoder_bands(S[:, 1], sr=SR, n_bands=12, scale="mel"),
                               expected[:, 1])
    batch = vocoder_bands(np.stack([S, 2 * S]), sr=SR, n_bands=12, scale="mel")
    assert batch.shape == (2, 12, 3)
    np.testing.assert_allclose(batch[1], 2 * expected)


@pytest.mark.parametrize("scale", VOCODER_SCALES)
@pytest.mark.parametrize("filter_shape", VOCODER_FILTER_SHAPES)
def test_flat_spectrum_gives_flat_envelope(scale, filter_shape):
    S = np.full(513, 0.3)
    kwargs = dict(sr=SR, n_bands=16, scale=scale, filter_shape=filter_shape)
    np.testing.assert_allclose(vocoder_bands(S, **kwargs), 0.3)
    np.testing.assert_allclose(vocoder_envelope(S, **kwargs), 0.3)


@pytest.mark.parametrize("scale, n_bands, tolerance_db", [
    ("linear", 64, 4.0), ("mel", 32, 5.0), ("mel", 64, 3.0), ("log", 64, 5.0),
])
def test_envelope_tracks_a_smooth_response(scale, n_bands, tolerance_db):
    H = true_response()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a few narrow low log bands may be empty
        envelope = vocoder_envelope(H, sr=SR, n_bands=n_bands, scale=scale)
    band = (FREQS > 100) & (FREQS < 7000)
    error_db = 20 * np.log10(envelope[band] / H[band])
    assert np.abs(error_db).max() < tolerance_db
    assert np.abs(error_db).mean() < tolerance_db / 3


def test_more_bands_fit_closer():
    H = true_response()
    band = (FREQS > 100) & (FREQS < 7000)
    errors = [np.abs(20 * np.log10(vocoder_envelope(H, sr=SR, n_bands=n, scale="mel")[band]
                                   / H[band])).mean() for n in (8, 16, 32, 64)]
    assert errors == sorted(errors, reverse=True)


def test_spectrogram_envelope_shape():
    y = np.random.default_rng(0).standard_normal(8000)
    S = np.abs(stft(y, n_fft=N_FFT, hop_length=256))
    envelope = vocoder_envelope(S, sr=SR, n_bands=20, scale="mel")
    assert envelope.shape == S.shape and np.isfinite(envelope).all()
    np.testing.assert_allclose(envelope[:, 3], vocoder_envelope(S[:, 3], sr=SR, n_bands=20,
                                                                scale="mel"))


def test_empty_bands_warn_and_stay_finite():
    S = np.random.default_rng(0).random(65)  # n_fft = 128: 125 Hz bins
    with pytest.warns(UserWarning, match="contain no FFT bin"):
        levels = vocoder_bands(S, sr=SR, n_bands=60, scale="log")
    assert np.isfinite(levels).all() and levels.min() > 0
    with pytest.warns(UserWarning, match="contain no FFT bin"):
        assert np.isfinite(vocoder_envelope(S, sr=SR, n_bands=60, scale="log")).all()


# --- source–filter synthesis ---------------------------------------------------------------

def test_noise_excitation_follows_the_envelope():
    envelope = 0.1 * true_response()
    y = source_filter_synthesis(envelope, sr=SR, n_fft=N_FFT, hop_length=256, source="noise",
                                length=2 * SR)
    assert y.shape == (2 * SR,) and np.isfinite(y).all()
    power = np.mean(np.abs(stft(y, n_fft=N_FFT, hop_length=256))[:, 4:-4] ** 2, axis=1)
    band = (FREQS > 100) & (FREQS < 7000)
    error_db = 10 * np.log10(power[band] / envelope[band] ** 2)
    assert abs(error_db.mean()) < 1.0 and error_db.std() < 1.5


def test_pulse_excitation_follows_the_envelope_per_band():
    envelope = 0.1 * true_response()
    y = source_filter_synthesis(envelope, sr=SR, n_fft=N_FFT, hop_length=256, source="pulse",
                                f0=125.0, length=2 * SR)
    power = np.mean(np.abs(stft(y, n_fft=N_FFT, hop_length=256))[:, 4:-4] ** 2, axis=1)
    # harmonics every 8 bins: compare power summed over groups of 16 bins
    groups = (power.shape[0] - 1) // 16
    measured = power[1:1 + 16 * groups].reshape(groups, 16).sum(axis=1)
    wanted = (envelope[1:1 + 16 * groups] ** 2).reshape(groups, 16).sum(axis=1)
    centres = FREQS[1:1 + 16 * groups].reshape(groups, 16).mean(axis=1)
    band = (centres > 100) & (centres < 7000)
    error_db = 10 * np.log10(measured[band] / wanted[band])
    assert np.abs(error_db).max() < 2.0
    # and the pulse train is periodic at f0
    spectrum = np.abs(np.fft.rfft(y[SR // 2:SR // 2 + 8000]))
    peak_hz = np.argmax(spectrum[10:]) + 10
    assert peak_hz * SR / 8000 % 125 == pytest.approx(0, abs=2) or \
        peak_hz * SR / 8000 % 125 == pytest.approx(125, abs=2)


def test_time_varying_envelope():
    y = np.random.default_rng(0).standard_normal(SR)
    S = np.abs(stft(y, n_fft=N_FFT, hop_length=256))
    envelope = vocoder_envelope(S, sr=SR, n_bands=24, scale="mel")
    out = source_filter_synthesis(envelope, sr=SR, hop_length=256, source="pulse", f0=100.0)
    assert out.shape == ((S.shape[1] - 1) * 256,) and np.isfinite(out).all()
    with pytest.raises(ParameterError, match="frames"):
        source_filter_synthesis(envelope, sr=SR, hop_length=256, length=4000)


def test_noise_is_reproducible():
    env = np.ones(513)
    a = source_filter_synthesis(env, sr=SR, source="noise", random_state=3, length=4000)
    b = source_filter_synthesis(env, sr=SR, source="noise", random_state=3, length=4000)
    np.testing.assert_array_equal(a, b)


# --- bad input --------------------------------------------------------------------------------

def test_silence_is_defined():
    assert not vocoder_bands(np.zeros(513), sr=SR).any()
    assert not vocoder_envelope(np.zeros((513, 4)), sr=SR).any()
    out = source_filter_synthesis(np.zeros(513), sr=SR, length=4000)
    assert np.isfinite(out).all() and not out.any()


def test_bad_input():
    with pytest.raises(ParameterError, match="NaN"):
        vocoder_envelope(np.full(513, np.nan), sr=SR)
    with pytest.raises(ParameterError, match="NaN"):
        source_filter_synthesis(np.full(513, np.nan), sr=SR)
    with pytest.raises(ParameterError, match="non-negative"):
        source_filter_synthesis(-np.ones(513), sr=SR)
    with pytest.raises(ParameterError, match="f0=9000"):
        source_filter_synthesis(np.ones(513), sr=SR, f0=9000.0)
    with pytest.raises(ParameterError, match="source="):
        source_filter_synthesis(np.ones(513), sr=SR, source="buzz")
    with pytest.raises(ParameterError, match="fmin="):
        vocoder_envelope(np.ones(513), sr=SR, scale="log", fmin=0.0)
    with pytest.raises(ParameterError, match=r"fmax=9000.0.*sr=16000"):
        vocoder_envelope(np.ones(513), sr=SR, fmax=9000.0)
    with pytest.raises(ParameterError, match="scale="):
        vocoder_envelope(np.ones(513), sr=SR, scale="bark")
    with pytest.raises(ParameterError, match="filter_shape="):
        vocoder_envelope(np.ones(513), sr=SR, filter_shape="gaussian")
    with pytest.raises(ParameterError, match="n_fft=1000"):
        vocoder_envelope(np.ones(513), sr=SR, n_fft=1000)
    with pytest.raises(ParameterError, match="real"):
        vocoder_envelope(np.ones(513, complex), sr=SR)

"""Tests of listenwidgets.dsp.mfcc: MFCCs, the DCT basis and the inversions to sound.

Parity with librosa 0.11: MFCCs within 1e-4 of the largest coefficient; the NNLS
mel inversion within 1e-3 (relative Frobenius norm) of librosa's.
"""

import librosa
import numpy as np
import pytest
import scipy.fft
import scipy.signal

from listenwidgets import ParameterError
from listenwidgets.dsp import (
    dct,
    dct_basis,
    mel,
    mel_to_audio,
    mel_to_stft,
    melspectrogram,
    mfcc,
    mfcc_to_audio,
    mfcc_to_mel,
    power_to_db,
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


MFCC_CASES = [
    dict(),
    dict(dct_type=1),
    dict(dct_type=3),
    dict(dct_type=2, norm=None),
    dict(dct_type=3, norm=None, n_mfcc=30),
    dict(lifter=22, n_mfcc=13),
    dict(lifter=0.5, dct_type=1),
    dict(n_mfcc=13, n_fft=512, hop_length=160, n_mels=40, fmin=50.0, fmax=7000.0, htk=True,
         mel_norm=None, window="hamming"),
    dict(n_mels=64, center=False, power=1.0, mel_norm=2),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", MFCC_CASES)
def test_mfcc_matches_librosa(clip, kwargs, dtype):
    y, sr = clip
    y = y.astype(dtype)
    ours = mfcc(y=y, sr=sr, **kwargs)
    theirs = librosa.feature.mfcc(y=y, sr=sr, **kwargs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert np.abs(ours - theirs).max() <= 1e-4 * np.abs(theirs).max()


def test_mfcc_from_log_mel_matches_librosa(clip):
    y, sr = clip
    S = power_to_db(melspectrogram(y=y, sr=sr, n_mels=40))
    for dct_type in (1, 2, 3):
        ours = mfcc(S=S, n_mfcc=13, dct_type=dct_type, lifter=10)
        theirs = librosa.feature.mfcc(S=S, n_mfcc=13, dct_type=dct_type, lifter=10)
        assert np.abs(ours - theirs).max() <= 1e-4 * np.abs(theirs).max()


@pytest.mark.parametrize("dct_type", [1, 2, 3])
@pytest.mark.parametrize("norm", ["ortho", None])
def test_dct_basis_rows_are_the_dct(dct_type, norm):
    B = dct_basis(n_mfcc=13, n_mels=40, dct_type=dct_type, norm=norm)
    x = np.random.default_rng(0).standard_normal((40, 7))
    np.testing.assert_allclose(B @ x, scipy.fft.dct(x, type=dct_type, norm=norm, axis=0)[:13],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dct(x, type=dct_type, norm=norm, axis=0),
                               scipy.fft.dct(x, type=dct_type, norm=norm, axis=0))


def test_dct_basis_is_orthonormal_cached_and_read_only():
    B = dct_basis(n_mfcc=128, n_mels=128)
    np.testing.assert_allclose(B @ B.T, np.eye(128), atol=1e-12)
    assert dct_basis(n_mfcc=128, n_mels=128) is B
    assert not B.flags.writeable
    np.testing.assert_allclose(B[0], np.full(128, np.sqrt(1 / 128)))


def test_mfcc_to_mel_matches_librosa(clip):
    y, sr = clip
    for kwargs in [dict(), dict(lifter=22), dict(dct_type=3, norm=None), dict(dct_type=1)]:
        C = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20, **kwargs)
        ours = mfcc_to_mel(C, n_mels=128, **kwargs)
        theirs = librosa.feature.inverse.mfcc_to_mel(C, n_mels=128, **kwargs)
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6 * theirs.max())


def test_full_mfcc_inverts_exactly(clip):
    y, sr = clip
    M = melspectrogram(y=y.astype(np.float64), sr=sr, n_mels=40)
    C = mfcc(S=power_to_db(M, top_db=None), n_mfcc=40)
    np.testing.assert_allclose(mfcc_to_mel(C, n_mels=40), np.maximum(M, 1e-10), rtol=1e-8)


def test_mel_to_stft_matches_librosa(clip):
    y, sr = clip
    M = melspectrogram(y=y[:12000], sr=sr, n_mels=64)
    ours = mel_to_stft(M, sr=sr)
    theirs = librosa.feature.inverse.mel_to_stft(M, sr=sr)
    assert ours.shape == theirs.shape == (1025, M.shape[1]) and ours.dtype == theirs.dtype
    assert ours.min() >= 0
    # same start, objective and optimiser: equal up to float32 rounding (stated tolerance 1e-3)
    assert np.linalg.norm(ours - theirs) <= 1e-3 * np.linalg.norm(theirs)
    # and it explains the mel spectrogram
    H = mel(sr=sr, n_fft=2048, n_mels=64)
    assert np.linalg.norm(H @ ours**2 - M) <= 0.05 * np.linalg.norm(M)


def test_mel_to_stft_power_one(clip):
    y, sr = clip
    M = melspectrogram(y=y[:8000].astype(np.float64), sr=sr, n_mels=32, power=1.0)
    ours = mel_to_stft(M, sr=sr, power=1.0)
    theirs = librosa.feature.inverse.mel_to_stft(M, sr=sr, power=1.0)
    assert np.linalg.norm(ours - theirs) <= 1e-3 * np.linalg.norm(theirs)


def test_mfcc_to_audio_keeps_the_mfccs(clip):
    y, sr = clip
    C = mfcc(y=y, sr=sr, n_mfcc=20)
    y_hat = mfcc_to_audio(C, sr=sr, hop_length=512, length=len(y))
    assert y_hat.shape == y.shape and np.isfinite(y_hat).all()
    C_hat = mfcc(y=y_hat, sr=sr, n_mfcc=20)
    assert np.corrcoef(C.ravel(), C_hat.ravel())[0, 1] > 0.98
    assert np.corrcoef(C[1:].ravel(), C_hat[1:].ravel())[0, 1] > 0.95


def test_mfcc_to_audio_is_reproducible(clip):
    y, sr = clip
    C = mfcc(y=y[:8000], sr=sr, n_mfcc=13, n_mels=40)
    a = mfcc_to_audio(C, n_mels=40, sr=sr, hop_length=512, n_iter=4)
    b = mfcc_to_audio(C, n_mels=40, sr=sr, hop_length=512, n_iter=4)
    np.testing.assert_array_equal(a, b)


def test_mel_to_audio_shape(clip):
    y, sr = clip
    M = melspectrogram(y=y[:8000], sr=sr, n_mels=40, hop_length=256)
    out = mel_to_audio(M, sr=sr, hop_length=256, n_iter=4, length=8000)
    assert out.shape == (8000,) and out.dtype == np.float32 and np.isfinite(out).all()


# --- bad input ----------------------------------------------------------------------------

def test_silence_gives_finite_mfccs_and_audio():
    C = mfcc(y=np.zeros(22050, np.float32), sr=22050)
    assert np.isfinite(C).all()
    # log floor -100 dB everywhere: only the DC coefficient is non-zero
    np.testing.assert_allclose(C[0], -100.0 * np.sqrt(128), rtol=1e-5)
    np.testing.assert_allclose(C[1:], 0.0, atol=1e-3)
    y_hat = mfcc_to_audio(C, sr=22050, hop_length=512, n_iter=2)
    assert np.isfinite(y_hat).all()
    assert np.isfinite(mel_to_stft(np.zeros((128, 5), np.float32))).all()


def test_nan_is_an_error():
    y = np.random.default_rng(0).standard_normal(8192).astype(np.float32)
    y[100] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        mfcc(y=y, sr=22050)
    with pytest.raises(ParameterError, match="finite"):
        mfcc(S=np.full((40, 3), np.nan))
    with pytest.raises(ParameterError, match="finite"):
        mfcc_to_mel(np.full((13, 3), np.nan))
    with pytest.raises(ParameterError, match="finite"):
        mel_to_stft(np.full((40, 3), np.nan))


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_mfcc=200), "n_mfcc=200"),
    (dict(lifter=-1), "lifter="),
    (dict(dct_type=4), "dct_type="),
    (dict(norm="forward"), "norm="),
    (dict(fmax=20000.0), "fmax="),
])
def test_bad_mfcc_arguments(kwargs, name):
    y = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    with pytest.raises(ParameterError, match=name):
        mfcc(y=y, sr=22050, **kwargs)


def test_bad_inversion_arguments():
    C = np.zeros((20, 4))
    with pytest.raises(ParameterError, match="n_mels=10"):
        mfcc_to_mel(C, n_mels=10)
    with pytest.raises(ParameterError, match="lifter="):
        mfcc_to_mel(C, lifter=-2)
    with pytest.raises(ParameterError, match="non-negative"):
        mel_to_stft(-np.ones((40, 3)))


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # librosa's inversion overflows
def test_critical_lifter_warns_like_librosa():
    C = np.ones((13, 4))
    with pytest.warns(UserWarning, match="lifter"):
        librosa.feature.inverse.mfcc_to_mel(C, lifter=2)
    with pytest.warns(UserWarning, match="lifter=2"):
        out = mfcc_to_mel(C, lifter=2)
    assert np.isfinite(out).all()

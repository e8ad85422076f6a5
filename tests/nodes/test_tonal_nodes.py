"""The chapter 7 nodes added for the views: the CQT's spectral kernel and the pitch helix."""

import numpy as np
import param
import pytest

from listenwidgets import dsp
from listenwidgets.errors import ParameterError, WiringError
from listenwidgets.nodes import CQT, STFT, SignalGenerator
from listenwidgets.nodes.tonal import HelixPoints, PitchHelix, SpectralKernel

NEW_NODES = [SpectralKernel, PitchHelix]


def cqt_of(frequency=440.0, **knobs):
    return CQT(source=SignalGenerator(frequency=frequency, duration=0.5), **knobs)


@pytest.mark.parametrize("cls", NEW_NODES, ids=lambda c: c.__name__)
def test_every_parameter_has_a_doc_and_the_default_output_is_finite(cls):
    for name, parameter in cls.param.objects("existing").items():
        assert name == "name" or parameter.doc.strip(), f"{cls.__name__}.{name} has no doc"
    node = cls(cqt=cqt_of(n_bins=72))
    assert node.error is None, repr(node.error)
    out = node.output
    arrays = [out.lengths, out.frequencies, out.band] if cls is SpectralKernel else \
        [out.x, out.y, out.z, out.magnitude]
    assert all(np.all(np.isfinite(a)) for a in arrays)


@pytest.mark.parametrize("knob, value", [
    (k, v) for k in SpectralKernel.knob_names()
    if isinstance(SpectralKernel.param[k], param.Number)
    for v in SpectralKernel.param[k].get_soft_bounds()])
def test_kernel_softbound_ends_give_finite_output_or_a_named_error(knob, value):
    node = SpectralKernel(cqt=cqt_of(n_bins=72))
    setattr(node, knob, value)
    if node.error is not None:
        assert isinstance(node.error, ParameterError) and knob in str(node.error)
        return
    assert np.all(np.isfinite(node.output.basis.data))


def test_kernel_is_the_dsp_kernel_of_the_cqt_settings():
    cqt = cqt_of(fmin=55.0, n_bins=48, bins_per_octave=12)
    node = SpectralKernel(cqt=cqt, sparsity=0.05)
    expected = dsp.cqt_kernel(sr=22050, fmin=55.0, n_bins=48, tuning=0.0, sparsity=0.05)
    assert node.output.basis.shape == (48, 1 + expected.n_fft // 2)
    np.testing.assert_array_equal(node.output.basis.toarray(), expected.basis.toarray())
    assert "non-zero" in node.describe() and f"n_fft = {expected.n_fft}" in node.describe()


def test_kernel_rows_pick_out_their_own_note_and_sparsity_thins_them():
    node = SpectralKernel(cqt=cqt_of(n_bins=84))
    kernel = node.output
    n = np.arange(kernel.n_fft)
    spectrum = np.fft.rfft(np.cos(2 * np.pi * 440.0 * n / kernel.sr))
    response = np.abs(kernel.basis @ spectrum)
    assert node.cqt.output.notes[int(np.argmax(response))] == "A4"
    dense = node.output.basis.nnz
    node.sparsity = 0.3
    assert node.output.basis.nnz < dense
    node.filter_scale = 2.0                       # twice Q: twice as long windows
    np.testing.assert_allclose(node.output.lengths, 2 * kernel.lengths, rtol=1e-9)


def test_helix_places_each_bin_and_keeps_every_frame():
    cqt = cqt_of(n_bins=36, fmin=dsp.C1_HZ * 8)   # C4 .. B6
    node = PitchHelix(cqt=cqt)
    out = node.output
    assert isinstance(out, HelixPoints)
    expected = dsp.pitch_helix(cqt.output.C, fmin=cqt.fmin, bins_per_octave=12)
    np.testing.assert_allclose(out.z, expected.z)
    np.testing.assert_allclose(out.magnitude, np.abs(cqt.output.C), rtol=1e-6)
    assert out.notes == cqt.output.notes and np.array_equal(out.times, cqt.output.times)
    a4, a5 = out.notes.index("A4"), out.notes.index("A5")
    assert out.z[a5] - out.z[a4] == pytest.approx(1.0)                 # one octave up
    assert (out.x[a4], out.y[a4]) == pytest.approx((out.x[a5], out.y[a5]))  # same angle
    assert int(np.argmax(out.magnitude.mean(axis=1))) == a4
    assert "C4" in node.describe()


def test_helix_and_kernel_follow_the_cqt_and_take_only_a_cqt():
    cqt = cqt_of(n_bins=48)
    helix, kernel = PitchHelix(cqt=cqt), SpectralKernel(cqt=cqt)
    assert helix.output.z.size == 48 and kernel.output.basis.shape[0] == 48
    cqt.n_bins = 60
    assert helix.stale and kernel.stale
    assert helix.output.z.size == 60 and kernel.output.basis.shape[0] == 60
    with pytest.raises(WiringError, match="cqt"):
        PitchHelix(cqt=STFT(source=SignalGenerator()))

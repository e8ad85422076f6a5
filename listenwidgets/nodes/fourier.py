"""The Fourier chapter: one frame's DFT, and how fast the DFT, FFT and convolutions are."""

from __future__ import annotations

import numpy as np
import param

from .. import dsp
from ..errors import ParameterError
from .data import FrameSpectrum
from .data import Timings
from .engine import Input, Node

__all__ = ["Spectrum", "Complexity"]


class Spectrum(Node):
    """The DFT of one windowed, zero-padded frame: magnitude and phase.

    ``X(k) = Σ_{n=0}^{N−1} w(n) x(n + start) e^{−j2πnk/N}``, with ``N = n_fft``
    and the window ``w`` of ``win_length`` samples centred in the N points
    (``n_fft > win_length`` is zero-padding: a finer grid, no new resolution).
    """

    kind = "spectrum"
    formula = r"X(k) = \sum_{n=0}^{N-1} w(n)\,x(n)\,e^{-j 2\pi n k / N}, \qquad \Delta f = f_s / N"

    source = Input(kinds=("signal",), doc="The signal to analyse.")
    time = param.Number(default=0.0, bounds=(0.0, None), softbounds=(0.0, 10.0), step=0.001,
                        doc="Start of the analysed frame, in seconds.")
    win_length = param.Integer(default=2048, bounds=(2, 65536), softbounds=(32, 8192),
                               doc="Window (frame) length in samples.")
    n_fft = param.Integer(default=2048, bounds=(2, 262144), softbounds=(32, 32768),
                          doc="DFT length N; larger than win_length means zero-padding.")
    window = param.Selector(default="hann", objects=list(dsp.WINDOWS),
                            doc="Window applied to the frame (trades main-lobe width for side lobes).")

    def compute(self, source):
        start = int(round(self.time * source.sr))
        if start >= source.y.size:
            raise ParameterError(
                f"time={self.time:g} s is past the end of the signal ({source.duration:.3f} s)")
        X = dsp.frame_spectrum(source.y, start=start, win_length=self.win_length,
                               n_fft=self.n_fft, window=self.window)
        frame = np.zeros(self.win_length, dtype=source.y.dtype)
        chunk = source.y[start:start + self.win_length]
        frame[: chunk.size] = chunk
        window = dsp.get_window(self.window, self.win_length)
        return FrameSpectrum(X=X, sr=source.sr, n_fft=self.n_fft, win_length=self.win_length,
                            window=window, frame=frame, start=start)

    def describe(self):
        out = self.output
        if out is None:
            return "Δf = fs / N"
        return (f"Δf = fs / N = {out.sr:g} / {out.n_fft} = {out.sr / out.n_fft:.2f} Hz per bin; "
                f"window {self.win_length} samples = {1000 * self.win_length / out.sr:.1f} ms; "
                f"zero-padding ×{self.n_fft / self.win_length:g}")


class Complexity(Node):
    """Time the matrix DFT against the FFT, and direct against FFT convolution, over N.

    The DFT costs O(N²) operations, the FFT O(N log N); direct convolution of
    two length-N signals O(N²), FFT convolution O(N log N). Each method stops
    once a single call takes longer than ``budget`` seconds.
    """

    kind = "timings"
    formula = r"\mathrm{DFT}: O(N^2), \quad \mathrm{FFT}: O(N \log N), \quad x * h = \mathrm{IFFT}(\mathrm{FFT}(x) \cdot \mathrm{FFT}(h))"
    cache_size = 2

    min_log2 = param.Integer(default=4, bounds=(1, 20), softbounds=(2, 10),
                             doc="Smallest size N = 2**min_log2.")
    max_log2 = param.Integer(default=12, bounds=(2, 22), softbounds=(6, 16),
                             doc="Largest size N = 2**max_log2.")
    repeat = param.Integer(default=5, bounds=(1, 100), softbounds=(1, 20),
                           doc="Timed runs per size; the median is reported.")
    budget = param.Number(default=0.25, bounds=(0.001, 10.0), softbounds=(0.01, 2.0),
                          doc="Stop timing a method once one call takes longer than this (seconds).")

    def compute(self):
        if self.min_log2 > self.max_log2:
            raise ParameterError(
                f"min_log2={self.min_log2} must not exceed max_log2={self.max_log2}")
        sizes = 2 ** np.arange(self.min_log2, self.max_log2 + 1)
        seconds = dsp.time_functions(dsp.complexity_cases(), sizes, repeat=self.repeat, budget=self.budget)
        return Timings(sizes=sizes, seconds=seconds)

    def describe(self):
        out = self.output
        if out is None:
            return "DFT: O(N²) vs FFT: O(N log N)"
        n = int(out.sizes[-1])
        return (f"At N = {n}: N² = {n * n:,} vs N log₂ N = {int(n * np.log2(n)):,} "
                f"(×{n / np.log2(n):.0f} fewer operations)")

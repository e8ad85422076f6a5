"""Views of chapter 6: the mel filterbank, the mel spectrogram, the DCT basis and the MFCCs."""

from __future__ import annotations

import numpy as np
import panel as pn
from bokeh.models import ColorBar, FixedTicker, HoverTool, LinearColorMapper, Range1d
from bokeh.palettes import Magma256, RdBu11, Viridis256, interp_palette

from ..dsp.display import decimate_image, magnitude_db
from ..errors import ParameterError
from .base import NodeView
from .figures import PALETTE

__all__ = ["MelView", "MFCCView"]

#: Tick labels on a mel-band axis (about this many).
N_BAND_TICKS = 8


def _row_axis(fig):
    """Give a figure's y-axis a fixed ticker (built once; :func:`_row_ticks` moves its ticks)."""
    (axis,) = fig.yaxis
    axis.ticker = FixedTicker(ticks=[])
    return axis


def _row_ticks(axis, labels, *, offset=0.5):
    """Put about :data:`N_BAND_TICKS` labelled ticks on a row axis, row r at ``r + offset``."""
    step = max(1, len(labels) // N_BAND_TICKS)
    rows = list(range(0, len(labels), step))
    axis.ticker.ticks = [r + offset for r in rows]
    axis.major_label_overrides = {r + offset: labels[r] for r in rows}


def _hz_labels(mel):
    """The centre frequency of each mel band, as tick labels in Hz."""
    return [f"{f:.0f}" for f in mel.mel_frequencies[1:-1]]


class _TimeImage:
    """An image over time in a figure: a source, a colour map and a colour bar (built once)."""

    def __init__(self, fig, source, palette, title):
        self.source = source
        self.mapper = LinearColorMapper(palette=palette, low=-1.0, high=0.0)
        fig.image(image="image", x="x", y="y", dw="dw", dh="dh", source=source,
                  color_mapper=self.mapper)
        fig.add_layout(ColorBar(color_mapper=self.mapper, title=title, width=12), "right")

    def draw(self, image, *, x0, width, rows, low, high):
        """Replace the image (rows on a band-index axis) and its colour range."""
        self.source.data = {"image": [image], "x": [x0], "y": [0.0], "dw": [width], "dh": [rows]}
        self.mapper.update(low=low, high=high)


def _frame_extent(times, hop_s):
    """The time axis of frame-centred images: first edge and width in seconds."""
    x0 = times[0] - hop_s / 2 if times.size else 0.0
    return x0, times.size * hop_s


class MelView(NodeView):
    """A :class:`~listenwidgets.nodes.MelSpectrogram`: its filterbank and its output in dB.

    The filterbank plot draws each triangular filter ``H_m(k)`` over
    frequency (only where it is non-zero: a few bins each), alternating two
    colours so neighbours stay distinct; with ``norm='slaney'`` each triangle
    has height 2/d (d its width in Hz), so the wide high filters are low.
    A readout gives how far the filter centres move between the Slaney and
    HTK scales for the current settings (from the node's
    :meth:`~listenwidgets.nodes.MelSpectrogram.scale_difference`). The mel
    spectrogram plot shows ``M(m, t)`` in dB re its peak (``10 log10`` of a
    power, ``20 log10`` of a magnitude), one row per band, the band axis
    labelled with centre frequencies in Hz.

    Sources (by role): ``filterbank`` (``xs``, ``ys``, ``colour``, ``band``) and
    ``image`` (``image``, ``x``, ``y``, ``dw``, ``dh``).

    Parameters
    ----------
    node : listenwidgets.nodes.MelSpectrogram
        The mel spectrogram to show.
    plots : tuple of {"filterbank", "spectrogram"}
        Which plots to show (both by default; a page may put them in two tabs).
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.

    Raises
    ------
    ParameterError
        If ``plots`` is empty or names another plot.
    """

    knob_widgets = {
        "htk": {"type": pn.widgets.Select,
                "options": {"False: Slaney (librosa)": False, "True: HTK (lecture)": True}},
        "power": {"type": pn.widgets.Select,
                  "options": {"1: magnitude |X|": 1.0, "2: power |X|²": 2.0}},
    }

    def __init__(self, node, *, plots=("filterbank", "spectrogram"), **kwargs):
        unknown = set(plots) - {"filterbank", "spectrogram"}
        if unknown or not plots:
            raise ParameterError(
                f"plots are 'filterbank' and/or 'spectrogram', got plots={plots!r}")
        self._plots = tuple(plots)
        super().__init__(node, **kwargs)

    def _build(self):
        body = []
        if "filterbank" in self._plots:
            self._bank = self._source("filterbank", xs=[], ys=[], colour=[], band=[])
            bank = self._figure(title="Mel filterbank H_m(k)", x_label="frequency (Hz)",
                                y_label="weight", height=280, x_range=Range1d(0, 1))
            bank.multi_line("xs", "ys", source=self._bank, line_color="colour", line_width=1.5)
            bank.add_tools(HoverTool(tooltips=[("filter", "@band")], line_policy="nearest"))
            self._bank_fig = bank
            self._readout = pn.pane.HTML("", sizing_mode="stretch_width", margin=(0, 10),
                                         styles={"font-size": "1.05em"})
            body += [pn.pane.Bokeh(bank, sizing_mode="stretch_width"), self._readout]
        if "spectrogram" in self._plots:
            self._mel_fig = self._figure(title="Mel spectrogram", x_label="time (s)",
                                         y_label="mel band (centre, Hz)", height=self.n_rows,
                                         x_range=Range1d(0, 1), y_range=Range1d(0, 1))
            self._image = _TimeImage(self._mel_fig, self._source("image", image=[], x=[], y=[],
                                                                 dw=[], dh=[]), Magma256, "dB")
            self._mel_axis = _row_axis(self._mel_fig)
            body.append(pn.pane.Bokeh(self._mel_fig, sizing_mode="stretch_width"))
        return body

    def _draw(self, mel):
        if "filterbank" in self._plots:
            self._draw_filterbank(mel)
        if "spectrogram" in self._plots:
            self._draw_spectrogram(mel)

    def _draw_filterbank(self, mel):
        freqs = np.arange(mel.filterbank.shape[1]) * mel.sr / mel.n_fft
        xs, ys = [], []
        for row in mel.filterbank:
            support = np.flatnonzero(row)
            if support.size:   # the triangle and one zero on each side
                part = slice(max(support[0] - 1, 0), support[-1] + 2)
                xs.append(freqs[part].astype(np.float32))
                ys.append(row[part].astype(np.float32))
            else:
                xs.append(np.zeros(0, np.float32))
                ys.append(np.zeros(0, np.float32))
        n = len(xs)
        self._bank.data = {"xs": xs, "ys": ys, "colour": [PALETTE[m % 2] for m in range(n)],
                           "band": list(range(n))}
        self._bank_fig.x_range.update(start=0.0, end=mel.sr / 2)
        unit = "1/Hz: height 2/d" if mel.norm == "slaney" else "peak 1"
        self._bank_fig.yaxis.axis_label = f"weight ({unit})"
        scale = "HTK (lecture)" if mel.htk else "Slaney (librosa)"
        self._bank_fig.title.text = (f"{n} triangular filters on the {scale} mel scale, "
                                     f"{mel.fmin:g}–{mel.fmax:g} Hz, norm={mel.norm}")
        band, here, other = self.node.scale_difference()
        name = "HTK" if not mel.htk else "Slaney"
        self._readout.object = (
            f"Switching to the {name} scale moves the filter centres by up to "
            f"<b>{abs(other - here):.1f} Hz</b> (filter {band}: {here:.1f} Hz → {other:.1f} Hz).")

    def _draw_spectrogram(self, mel):
        image, _, _ = decimate_image(mel.M, max_rows=self.n_rows, max_cols=self.n_columns)
        x0, width = _frame_extent(mel.times, mel.hop_length / mel.sr)
        n_mels = mel.M.shape[0]
        self._image.draw(magnitude_db(image) / mel.power, x0=x0, width=width, rows=n_mels,
                         low=-80.0, high=0.0)
        self._mel_fig.x_range.update(start=x0, end=x0 + width)
        self._mel_fig.y_range.update(start=0, end=n_mels)
        _row_ticks(self._mel_axis, _hz_labels(mel))
        what = "power" if mel.power == 2.0 else "magnitude"
        self._mel_fig.title.text = (f"Mel spectrogram: {n_mels} bands × {mel.M.shape[1]} frames, "
                                    f"dB re peak {what}")


class MFCCView(NodeView):
    """An :class:`~listenwidgets.nodes.MFCC`: log-mel spectrogram, DCT basis and coefficients.

    Top, the log-mel spectrogram the DCT is applied to (dB, 80 dB shown).
    Middle, the DCT basis: row n is the cosine ``cos(π n (m + ½) / M)`` over
    the M mel bands that coefficient c(n) measures — c(0) the mean level, c(1)
    the tilt, higher n finer ripples of the envelope — each row drawn on its
    own baseline at height n, scaled to fit its lane. Bottom, the MFCCs over
    time; the colour range is symmetric about 0 and covers 98 % of the values
    of c(1) and above, so the large c(0) saturates rather than washing out
    the rest.

    Sources (by role): ``log_mel`` and ``mfcc`` (``image``, ``x``, ``y``,
    ``dw``, ``dh``) and ``basis`` (``xs``, ``ys``, ``colour``, ``n``).

    Parameters
    ----------
    node : listenwidgets.nodes.MFCC
        The coefficients to show.
    **kwargs
        As :class:`~listenwidgets.views.base.NodeView`.
    """

    def _build(self):
        time = Range1d(0, 1)
        self._log_fig = self._figure(title="Log-mel spectrogram", x_label="time (s)",
                                     y_label="mel band (centre, Hz)", height=240, x_range=time,
                                     y_range=Range1d(0, 1))
        self._log_mel = _TimeImage(self._log_fig, self._source(
            "log_mel", image=[], x=[], y=[], dw=[], dh=[]), Magma256, "dB")
        self._log_axis = _row_axis(self._log_fig)
        self._drawn_mel = None

        self._basis = self._source("basis", xs=[], ys=[], colour=[], n=[])
        self._basis_fig = self._figure(title="DCT basis", x_label="mel band m",
                                       y_label="coefficient n (each row on its baseline)",
                                       height=360, x_range=Range1d(0, 1), y_range=Range1d(-1, 1))
        self._basis_fig.multi_line("xs", "ys", source=self._basis, line_color="colour",
                                   line_width=1.5)
        self._basis_fig.add_tools(HoverTool(tooltips=[("coefficient n", "@n")],
                                            line_policy="nearest"))
        self._basis_axis = _row_axis(self._basis_fig)

        self._mfcc_fig = self._figure(title="MFCC", x_label="time (s)", y_label="coefficient n",
                                      height=220, x_range=time, y_range=Range1d(0, 1))
        self._mfcc = _TimeImage(self._mfcc_fig, self._source(
            "mfcc", image=[], x=[], y=[], dw=[], dh=[]), interp_palette(RdBu11, 256), "c(n)")
        self._mfcc_axis = _row_axis(self._mfcc_fig)
        self._time = time
        return [pn.pane.Bokeh(self._log_fig, sizing_mode="stretch_width"),
                pn.pane.Bokeh(self._basis_fig, sizing_mode="stretch_width"),
                pn.pane.Bokeh(self._mfcc_fig, sizing_mode="stretch_width")]

    def _draw(self, cepstra):
        mel = cepstra.mel
        x0, width = _frame_extent(mel.times, mel.hop_length / mel.sr)
        if mel is not self._drawn_mel:   # the log-mel image changes only with the mel spectrogram
            self._drawn_mel = mel
            image, _, _ = decimate_image(cepstra.log_mel, max_rows=self.n_rows,
                                         max_cols=self.n_columns)
            top = float(image.max()) if image.size else 0.0
            self._log_mel.draw(image, x0=x0, width=width, rows=image.shape[0], low=top - 80.0,
                               high=top)
            self._log_fig.y_range.update(start=0, end=cepstra.log_mel.shape[0])
            _row_ticks(self._log_axis, _hz_labels(mel))
            self._time.update(start=x0, end=x0 + width)

        n_mfcc, n_mels = cepstra.basis.shape
        bands = np.arange(n_mels, dtype=np.float32)
        peak = float(np.abs(cepstra.basis).max()) or 1.0
        lanes = (0.45 / peak) * cepstra.basis + np.arange(n_mfcc)[:, None]
        colours = [Viridis256[int(i)] for i in np.linspace(0, 200, n_mfcc)]
        self._basis.data = {"xs": [bands] * n_mfcc, "ys": list(lanes.astype(np.float32)),
                            "colour": colours, "n": list(range(n_mfcc))}
        self._basis_fig.x_range.update(start=0, end=n_mels - 1)
        self._basis_fig.y_range.update(start=-0.6, end=n_mfcc - 0.4)
        _row_ticks(self._basis_axis, [str(n) for n in range(n_mfcc)], offset=0.0)
        dct = "I" * cepstra.dct_type if cepstra.dct_type < 3 else "III"
        self._basis_fig.title.text = (f"DCT-{dct} basis ({cepstra.norm or 'unnormalised'}): "
                                      f"{n_mfcc} rows over {n_mels} mel bands")

        image, _, _ = decimate_image(cepstra.mfcc, max_rows=self.n_rows, max_cols=self.n_columns)
        rest = np.abs(image[1:] if n_mfcc > 1 else image)
        limit = float(np.percentile(rest, 98)) if rest.size else 0.0
        limit = limit if limit > 0 else 1.0
        self._mfcc.draw(image, x0=x0, width=width, rows=n_mfcc, low=-limit, high=limit)
        self._mfcc_fig.y_range.update(start=0, end=n_mfcc)
        _row_ticks(self._mfcc_axis, [str(n) for n in range(n_mfcc)])
        lifter = f", liftered L = {cepstra.lifter:g}" if cepstra.lifter else ""
        self._mfcc_fig.title.text = (f"MFCC c(n, t): {n_mfcc} coefficients × "
                                     f"{cepstra.mfcc.shape[1]} frames{lifter}")

r"""Tonal views of a chromagram: tonal centroid, pitch helix, Shepard-tone sonification.

- :func:`tonnetz`: Harte, Sandler & Gasser's (2006) 6-D tonal centroid, the
  chroma vector projected onto three circles (fifths, minor thirds, major
  thirds), as ``librosa.feature.tonnetz``.
- :func:`pitch_helix`: where each constant-Q bin sits on Shepard's pitch
  helix (angle = pitch class, height = octave), for a 3-D view.
- :func:`shepard_tone_synthesis`: hear a chromagram: each pitch class becomes
  a Shepard tone (octave-spaced partials under a fixed bell-shaped envelope),
  whose loudness follows the chroma frame by frame.
"""

from typing import NamedTuple

import numpy as np

from ..errors import ParameterError
from ._checks import check_int, check_real
from .chroma import _check_matrix, _normalize, _project, chroma_cqt
from .cqt import C1_HZ, cqt_frequencies

__all__ = ["tonnetz", "Helix", "pitch_helix", "shepard_tone_synthesis"]

#: Frequency of C0 in Hz (MIDI note 12): height 0 of the pitch helix.
_C0_HZ = C1_HZ / 2.0


def tonnetz(*, y=None, sr=22050, chroma=None, hop_length=512, fmin=None, tuning=None,
            n_octaves=7, bins_per_octave=36):
    r"""Tonal centroid features (as ``librosa.feature.tonnetz``).

    With the chroma vector scaled to sum 1, :math:`c_l` for pitch classes
    :math:`l = 0..11`, the six coordinates are

    .. math::

        \zeta_d = \sum_l \phi_d(l)\, c_l, \qquad
        \phi(l) = \begin{pmatrix}
            r_1 \sin(l \tfrac{7\pi}{6}) & r_1 \cos(l \tfrac{7\pi}{6}) &
            r_2 \sin(l \tfrac{3\pi}{2}) & r_2 \cos(l \tfrac{3\pi}{2}) &
            r_3 \sin(l \tfrac{2\pi}{3}) & r_3 \cos(l \tfrac{2\pi}{3})
        \end{pmatrix}

    with :math:`r_1 = r_2 = 1`, :math:`r_3 = 1/2`: the circle of fifths, the
    circle of minor thirds and the circle of major thirds (Harte et al. 2006).
    Other ``n_chroma`` are mapped onto the same circles (``l`` in steps of
    ``12 / n_chroma``).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)] or None
        Audio; used when ``chroma`` is None (then
        :func:`~listenwidgets.dsp.chroma_cqt` is computed with the remaining
        arguments).
    sr : float > 0
        Sampling rate in Hz.
    chroma : np.ndarray [shape=(..., n_chroma, t)] or None
        A chromagram.
    hop_length, fmin, tuning, n_octaves, bins_per_octave
        Passed to :func:`~listenwidgets.dsp.chroma_cqt` when ``chroma`` is None.

    Returns
    -------
    tonnetz : np.ndarray [shape=(..., 6, t)]
        Rows: fifths (sin, cos), minor thirds (sin, cos), major thirds (sin, cos).

    Raises
    ------
    ParameterError
        If neither ``y`` nor ``chroma`` is given, or either is not finite.

    References
    ----------
    .. [1] C. Harte, M. Sandler and M. Gasser, "Detecting harmonic change in
       musical audio", ACM Workshop on Audio and Music Computing Multimedia, 2006.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import tonnetz
    >>> chroma = np.zeros((12, 1)); chroma[[0, 4, 7]] = 1  # C major triad
    >>> tonnetz(chroma=chroma).ravel().round(3)
    array([0.455, 0.455, 0.333, 0.667, 0.289, 0.   ])
    """
    if chroma is None:
        if y is None:
            raise ParameterError(
                "either y (audio) or chroma must be given; got y=None, chroma=None"
            )
        chroma = chroma_cqt(y=y, sr=sr, hop_length=hop_length, fmin=fmin, tuning=tuning,
                            n_octaves=n_octaves, bins_per_octave=bins_per_octave)
    chroma = _check_matrix(chroma, "chroma")
    dim_map = np.linspace(0, 12, num=chroma.shape[-2], endpoint=False)
    scale = np.asarray([7.0 / 6, 7.0 / 6, 3.0 / 2, 3.0 / 2, 2.0 / 3, 2.0 / 3])
    V = np.multiply.outer(scale, dim_map)
    V[::2] -= 0.5  # cos(pi (v - 1/2)) = sin(pi v)
    R = np.array([1, 1, 1, 1, 0.5, 0.5])
    phi = R[:, np.newaxis] * np.cos(np.pi * V)
    return _project(phi, _normalize(chroma, 1.0))


class Helix(NamedTuple):
    """Coordinates of constant-Q bins on the pitch helix (see :func:`pitch_helix`)."""

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    magnitude: np.ndarray


def pitch_helix(C, *, fmin=None, bins_per_octave=12, tuning=0.0, radius=1.0):
    r"""Place the bins of a constant-Q transform (or a chromagram) on the pitch helix.

    Shepard's helix separates the two dimensions of pitch: the height is the
    octave, the angle the pitch class (chroma), so notes an octave apart lie
    on one vertical line. For bin ``k`` at frequency :math:`f_k`,

    .. math::

        z_k = \log_2 \frac{f_k}{f_{C0}}, \qquad
        \theta_k = \frac{\pi}{2} - 2\pi z_k, \qquad
        x_k = r \cos\theta_k, \quad y_k = r \sin\theta_k

    (:math:`f_{C0} = 16.35` Hz), so ``z`` is the octave number (C4 = middle C
    at height 4.0, A4 at 4.75) and the pitch classes run clockwise like a
    clock face, C at 12 o'clock. A chromagram of ``n_chroma`` rows starting at
    C is one turn: pass it with ``bins_per_octave=n_chroma``.

    Parameters
    ----------
    C : np.ndarray [shape=(n_bins,) or (n_bins, t)], real or complex
        A constant-Q transform, a chromagram, or one frame of either.
    fmin : float > 0 or None
        Frequency of bin 0 (before tuning); None means C1 (32.70 Hz).
    bins_per_octave : int > 0
        Bins per octave of ``C``.
    tuning : float
        Tuning offset in fractions of a bin.
    radius : float > 0
        Radius of the helix.

    Returns
    -------
    helix : Helix
        ``x, y, z``: np.ndarray [shape=(n_bins,)], the position of each bin;
        ``magnitude``: ``np.abs(C)`` (for the size or colour of each point, per frame).

    Raises
    ------
    ParameterError
        If ``C`` is not finite or has more than two dimensions.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import pitch_helix
    >>> helix = pitch_helix(np.ones(13), fmin=261.6255653005986)  # C4 .. C5
    >>> helix.z[[0, 9, 12]].round(2)  # C4, A4, C5
    array([4.  , 4.75, 5.  ])
    >>> np.allclose([helix.x[0], helix.y[0]], [helix.x[12], helix.y[12]])  # same angle
    True
    """
    C = np.asarray(C)
    if C.ndim not in (1, 2):
        raise ParameterError(f"C must have shape (n_bins,) or (n_bins, t), got C.shape={C.shape}")
    if not np.isfinite(C).all():
        raise ParameterError("C contains NaN or Inf; clean it first")
    radius = check_real(radius, "radius", minimum=0.0, exclusive_minimum=True)
    fmin = C1_HZ if fmin is None else fmin
    frequencies = cqt_frequencies(C.shape[0], fmin=fmin, bins_per_octave=bins_per_octave,
                                  tuning=tuning)
    z = np.log2(frequencies / _C0_HZ)
    theta = np.pi / 2 - 2 * np.pi * z
    return Helix(x=radius * np.cos(theta), y=radius * np.sin(theta), z=z, magnitude=np.abs(C))


def shepard_tone_synthesis(chroma, *, sr=22050, hop_length=512, f_center=261.6255653005986,
                           n_octaves=8, sigma=1.0, tuning=0.0, base_c=True, length=None,
                           peak=0.9):
    r"""Sonify a chromagram with Shepard tones.

    Pitch class ``c`` (of ``n_chroma``) sounds as a sum of sinusoids one
    octave apart, under a bell-shaped envelope fixed in log frequency, so that
    it has a clear pitch class but no definite octave:

    .. math::

        s_c(n) = \sum_m g(f_{c,m}) \sin\!\Big(2\pi \frac{f_{c,m}}{f_s} n\Big), \quad
        f_{c,m} = f_{C0}\, 2^{(c + \tau)/n_\mathrm{chroma}}\, 2^m, \quad
        g(f) = \exp\Big(-\frac12 \Big(\frac{\log_2(f / f_\mathrm{center})}{\sigma}\Big)^2\Big)

    over the partials within ``n_octaves / 2`` octaves of ``f_center`` and
    below the Nyquist frequency. The output is
    :math:`y(n) = \sum_c a_c(n)\, s_c(n)`, where :math:`a_c(n)` interpolates
    ``chroma[c]`` linearly between the frame centres ``t * hop_length`` (held
    constant after the last one), then scaled so that :math:`\max |y| =`
    ``peak``.

    Parameters
    ----------
    chroma : np.ndarray [shape=(n_chroma, t)], >= 0
        A chromagram (row 0 = C when ``base_c``).
    sr : float > 0
        Sampling rate of the result in Hz.
    hop_length : int > 0
        Samples between chroma frames.
    f_center : float > 0
        Centre of the bell-shaped envelope, in Hz (default C4 = 261.63 Hz).
    n_octaves : float > 0
        Width of the band of partials, in octaves, centred on ``f_center``.
    sigma : float > 0
        Standard deviation of the envelope, in octaves.
    tuning : float
        Tuning offset in fractions of a chroma bin.
    base_c : bool
        Row 0 of ``chroma`` is C (True) or A (False).
    length : int > 0 or None
        Number of samples; None means ``t * hop_length``.
    peak : float in (0, 1)
        Peak absolute value of the result (silent chroma gives zeros).

    Returns
    -------
    y : np.ndarray [shape=(length,), float32]

    Raises
    ------
    ParameterError
        If ``chroma`` is not a finite, non-negative 2-D array, or an argument
        is invalid.

    References
    ----------
    .. [1] R. N. Shepard, "Circularity in judgments of relative pitch", JASA
       36(12), 1964.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.dsp import shepard_tone_synthesis
    >>> chroma = np.zeros((12, 20)); chroma[9] = 1.0  # A
    >>> y = shepard_tone_synthesis(chroma, sr=22050, hop_length=512)
    >>> y.shape, round(float(np.abs(y).max()), 2)
    ((10240,), 0.9)
    """
    chroma = _check_matrix(chroma, "chroma")
    if chroma.ndim != 2:
        raise ParameterError(
            f"chroma must have shape (n_chroma, t), got chroma.shape={chroma.shape}"
        )
    if np.iscomplexobj(chroma) or (chroma < 0).any():
        raise ParameterError(
            "chroma must be real and non-negative (amplitudes of the pitch classes)"
        )
    sr = check_real(sr, "sr", minimum=0.0, exclusive_minimum=True)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    f_center = check_real(f_center, "f_center", minimum=0.0, exclusive_minimum=True)
    n_octaves = check_real(n_octaves, "n_octaves", minimum=0.0, exclusive_minimum=True)
    sigma = check_real(sigma, "sigma", minimum=0.0, exclusive_minimum=True)
    tuning = check_real(tuning, "tuning")
    peak = check_real(peak, "peak", minimum=0.0, exclusive_minimum=True)
    if peak >= 1.0:
        raise ParameterError(f"peak must be < 1 (playable without clipping), got peak={peak}")
    n_chroma, n_frames = chroma.shape
    length = check_int(length if length is not None else n_frames * hop_length, "length",
                       minimum=1)
    if f_center >= sr / 2:
        raise ParameterError(
            f"f_center={f_center} must be below the Nyquist frequency sr/2 = {sr / 2:g} (sr={sr:g})"
        )

    offset = 0 if base_c else 9  # row 0 is A when not base_c
    samples = np.arange(length)
    frame_positions = np.arange(n_frames) * hop_length
    y = np.zeros(length)
    for row in range(n_chroma):
        if not chroma[row].any():
            continue
        pitch_class = (row + offset * n_chroma / 12 + tuning) / n_chroma
        base = _C0_HZ * 2.0**pitch_class
        lowest = np.ceil(np.log2(f_center / base) - n_octaves / 2)
        highest = np.floor(np.log2(f_center / base) + n_octaves / 2)
        partials = base * 2.0 ** np.arange(lowest, highest + 1)
        partials = partials[partials < sr / 2]
        if partials.size == 0:
            continue
        gains = np.exp(-0.5 * (np.log2(partials / f_center) / sigma) ** 2)
        tone = np.zeros(length)
        for frequency, gain in zip(partials, gains):
            tone += gain * np.sin(2 * np.pi * np.mod(frequency / sr * samples, 1.0))
        y += np.interp(samples, frame_positions, chroma[row]) * tone
    top = np.abs(y).max()
    if top > 0:
        y *= peak / top
    return y.astype(np.float32)

"""Chapter 8: a labelled data set of audio clips, each summarised by one feature vector.

A :class:`Dataset` node gets a corpus (generated, bundled or a folder of
audio, see :mod:`listenwidgets.corpora`) and turns every clip into one row of
a feature matrix: the mean and standard deviation over frames of its MFCCs,
spectral features or chroma. When an :class:`~listenwidgets.nodes.MFCC` node
is connected, its settings (and those of its mel spectrogram and STFT) make
the features, so the analysis tuned on a page is the one that feeds the
classifier. :func:`clip_features` is the same extraction for one new clip.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import param

from .. import corpora, dsp
from ..errors import ParameterError
from .data import _Record
from .engine import Input, Node

__all__ = ["Dataset", "Examples", "FeatureSettings", "clip_features", "CORPORA", "FEATURE_SETS"]

#: The corpora a Dataset offers: the generated tasks, two rendered corpora and a folder.
CORPORA = (*corpora.TASKS, "instruments", "digits", "folder")

#: Feature sets: what each clip's vector is made of.
FEATURE_SETS = ("mfcc", "spectral", "chroma", "all")

#: Per-frame spectral descriptors of the "spectral" set (summarised by mean and std).
SPECTRAL = ("centroid", "bandwidth", "rolloff", "flatness", "zcr", "rms")

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclass(frozen=True)
class FeatureSettings:
    """How one clip becomes a feature vector (the STFT, mel and DCT settings, librosa's names).

    The defaults are librosa's. ``fmax=None`` means the clip's Nyquist
    frequency ``sr / 2``.
    """

    n_fft: int = 2048
    hop_length: int = 512
    win_length: int | None = None
    window: str = "hann"
    center: bool = True
    power: float = 2.0
    n_mels: int = 128
    fmin: float = 0.0
    fmax: float | None = None
    htk: bool = False
    mel_norm: str | None = "slaney"
    n_mfcc: int = 20
    dct_type: int = 2
    norm: str | None = "ortho"
    lifter: float = 0.0

    def to_dict(self) -> dict:
        """The settings as a JSON-friendly dict (see :meth:`from_dict`)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d) -> FeatureSettings:
        """Rebuild from :meth:`to_dict`; an unknown name raises."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ParameterError(f"unknown feature settings {unknown}; known: {sorted(known)}")
        return cls(**d)

    def describe(self) -> str:
        """One line: the frames, the mel bands and the coefficients."""
        return (f"frames of n_fft = {self.n_fft} every hop_length = {self.hop_length} samples "
                f"({self.window}); {self.n_mels} mel bands, n_mfcc = {self.n_mfcc}")


def feature_names(features: str, settings: FeatureSettings) -> list[str]:
    """The name of each column :func:`clip_features` returns, e.g. ``"mfcc1_mean"``."""
    if features == "all":
        return [n for part in ("mfcc", "spectral", "chroma") for n in feature_names(part, settings)]
    if features == "mfcc":
        rows = [f"mfcc{k}" for k in range(settings.n_mfcc)]
    elif features == "spectral":
        rows = list(SPECTRAL)
    else:
        rows = [f"chroma_{p}" for p in PITCH_CLASSES]
    return [f"{r}_{stat}" for stat in ("mean", "std") for r in rows]


def clip_features(y, *, sr, features="mfcc", settings=FeatureSettings()) -> np.ndarray:
    r"""Summarise one clip by the mean and standard deviation over frames of a feature set.

    .. math:: x = \bigl[\tfrac{1}{T}\textstyle\sum_t f(t),\ \sqrt{\tfrac{1}{T}\sum_t (f(t) - \bar f)^2}\bigr]

    where ``f(t)`` is the frame-``t`` vector of

    - ``"mfcc"``: the MFCCs ``DCT(log mel |X|^power)`` (:func:`listenwidgets.dsp.mfcc`),
    - ``"spectral"``: centroid, bandwidth, roll-off, flatness, zero-crossing
      rate and RMS (:mod:`listenwidgets.dsp.features`),
    - ``"chroma"``: the 12 pitch classes of :func:`listenwidgets.dsp.chroma_stft`,
    - ``"all"``: the three, concatenated.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)]
        A mono clip.
    sr : float > 0
        Its sampling rate.
    features : {"mfcc", "spectral", "chroma", "all"}
        The feature set.
    settings : FeatureSettings
        STFT, mel and DCT settings.

    Returns
    -------
    x : np.ndarray [shape=(n_features,), dtype=float64]
        Named by :func:`feature_names`; NaN where a feature is undefined.

    Examples
    --------
    >>> import numpy as np
    >>> from listenwidgets.nodes.dataset import clip_features, feature_names, FeatureSettings
    >>> y = np.sin(2 * np.pi * 440 * np.arange(8000) / 16000).astype(np.float32)
    >>> x = clip_features(y, sr=16000, features="spectral")
    >>> dict(zip(feature_names("spectral", FeatureSettings()), x.round()))["centroid_mean"] > 400
    True
    """
    if features not in FEATURE_SETS:
        raise ParameterError(f"features={features!r} is not one of {FEATURE_SETS}")
    s = settings
    if s.fmax is not None and s.fmax > sr / 2:
        raise ParameterError(f"fmax={s.fmax:g} Hz is above the clip's Nyquist frequency sr/2 = {sr / 2:g} Hz")
    y = np.asarray(y, dtype=np.float32)
    S = np.abs(dsp.stft(y, n_fft=s.n_fft, hop_length=s.hop_length, win_length=s.win_length,
                        window=s.window, center=s.center))
    parts = []
    if features in ("mfcc", "all"):
        M = dsp.melspectrogram(y=y, sr=sr, n_fft=s.n_fft, hop_length=s.hop_length, win_length=s.win_length,
                               window=s.window, center=s.center, power=s.power, n_mels=s.n_mels,
                               fmin=s.fmin, fmax=s.fmax, htk=s.htk, norm=s.mel_norm)
        parts.append(dsp.mfcc(S=dsp.power_to_db(M), n_mfcc=s.n_mfcc, dct_type=s.dct_type, norm=s.norm,
                              lifter=s.lifter))
    if features in ("spectral", "all"):
        common = {"S": S, "sr": sr, "n_fft": s.n_fft}
        with np.errstate(all="ignore"):
            rows = [dsp.spectral_centroid(**common), dsp.spectral_bandwidth(**common),
                    dsp.spectral_rolloff(**common), dsp.spectral_flatness(S=S),
                    dsp.zero_crossing_rate(y, frame_length=s.n_fft, hop_length=s.hop_length,
                                           center=s.center),
                    dsp.rms(S=S, frame_length=s.n_fft)]
        n = min(r.shape[-1] for r in rows)
        parts.append(np.vstack([np.reshape(r, (-1, r.shape[-1]))[0, :n] for r in rows]))
    if features in ("chroma", "all"):
        parts.append(dsp.chroma_stft(y=y, sr=sr, n_fft=s.n_fft, hop_length=s.hop_length,
                                     win_length=s.win_length, window=s.window, center=s.center, tuning=0.0))
    n = min(p.shape[-1] for p in parts)
    F = np.vstack([p[:, :n] for p in parts]).astype(np.float64)
    with np.errstate(all="ignore"):
        return np.concatenate(_summary(F, features))


def _summary(F, features):
    """Means then standard deviations of each part's rows (the order of :func:`feature_names`)."""
    if features != "all":
        return [F.mean(axis=1), F.std(axis=1)]
    out, start = [], 0
    for size in (F.shape[0] - len(SPECTRAL) - 12, len(SPECTRAL), 12):
        block = F[start:start + size]
        out += [block.mean(axis=1), block.std(axis=1)]
        start += size
    return out


@dataclass(frozen=True, eq=False)
class Examples(_Record):
    """Labelled examples: one feature vector per clip.

    Attributes
    ----------
    X : np.ndarray [shape=(n_examples, n_features), dtype=float64]
        The feature matrix (finite: examples with a NaN feature were dropped).
    y : np.ndarray [shape=(n_examples,), dtype=int64]
        Class codes, indices into ``classes``.
    classes : list of str
        The class names, sorted.
    feature_names : list of str
        The name of each column of ``X``.
    names, groups : list of str
        Each example's clip id and group (voice, register, timbre, ...).
    failures : list of (str, str)
        ``(name, message)`` of every clip that could not be read or whose
        features were not finite (it is left out of ``X``).
    clips : list of np.ndarray
        The audio of each example (to listen to it, or to classify it again).
    sr : float
        Sampling rate of the clips.
    features : str
        The feature set (see :func:`clip_features`).
    settings : FeatureSettings
        The extraction settings (a new clip must use the same).
    corpus : str
        Where the clips came from.
    """

    X: np.ndarray
    y: np.ndarray
    classes: list
    feature_names: list
    names: list
    groups: list
    failures: list
    clips: list
    sr: float
    features: str
    settings: FeatureSettings
    corpus: str

    @property
    def nbytes(self) -> int:
        return self.X.nbytes + self.y.nbytes + sum(c.nbytes for c in self.clips)

    @property
    def labels(self) -> list[str]:
        """The class name of each example."""
        return [self.classes[c] for c in self.y]

    def counts(self) -> dict[str, int]:
        """Examples per class."""
        return {c: int(n) for c, n in zip(self.classes, np.bincount(self.y, minlength=len(self.classes)))}


class Dataset(Node):
    """Labelled examples for supervised learning: a corpus of clips, one feature vector each.

    Every clip ``y_i`` becomes the row ``x_i`` of ``X`` (:func:`clip_features`)
    and its label the code ``y_i``. A clip whose features are not all finite,
    or cannot be computed (NaN samples in a file), is left out and listed in
    ``failures``, as are unreadable files. Fewer than two classes left is a
    :class:`~listenwidgets.errors.ParameterError`.

    The corpora: ``tone_vs_noise``, ``vowels``, ``major_vs_minor`` (generated,
    :func:`listenwidgets.corpora.synthetic`: ``n_per_class``, ``snr_db`` and
    ``seed`` apply), ``instruments`` (SoundFont-rendered notes), ``digits``
    (spoken digits, one group per voice) and ``folder`` (``path/<label>/...``;
    refused when ``sandboxed``).

    Set :attr:`progress` to a callable ``progress(done, total, message)`` to
    follow a long extraction.
    """

    kind = "examples"
    formula = (r"x_i = \bigl[\overline{f_i(t)},\ \sigma_t(f_i(t))\bigr] \in \mathbb{R}^{n_x}, \qquad "
               r"X = [x_1 \dots x_m]^\top,\ y_i \in \{0, \dots, C-1\}")

    mfcc = Input(kinds=("mfcc",), required=False, doc=(
        "Optional: an MFCC node whose settings (with its mel spectrogram's and STFT's) make the "
        "features; without it librosa's defaults are used."))
    corpus = param.Selector(default="tone_vs_noise", objects=list(CORPORA),
                            doc="Where the labelled clips come from.")
    n_per_class = param.Integer(default=50, bounds=(2, 5000), softbounds=(10, 200),
                                doc="Clips generated per class (generated corpora).")
    snr_db = param.Number(default=20.0, bounds=(-40.0, 120.0), softbounds=(-10.0, 40.0), step=1.0,
                          doc="Signal-to-noise ratio in dB of the generated clips.")
    seed = param.Integer(default=0, bounds=(0, None), softbounds=(0, 100),
                         doc="Random seed of the generated corpus (same seed, same clips).")
    sr = param.Integer(default=16000, bounds=(8000, 96000), softbounds=(8000, 48000),
                       doc="Sampling rate in Hz every clip is generated at or resampled to.")
    path = param.String(default="", doc="The folder of audio, one subfolder per class (corpus='folder').")
    features = param.Selector(default="mfcc", objects=list(FEATURE_SETS), doc=(
        "Each clip's vector: mean and std over frames of the MFCCs, of six spectral features, of "
        "the chroma, or all of them."))
    sandboxed = param.Boolean(default=False, constant=True, precedence=-1,
                              doc="When True (the served lab), reading a server folder is refused.")

    def __init__(self, **params):
        self.progress = None
        super().__init__(**params)

    def compute(self, mfcc):
        corpus = self._corpus()
        settings = self._settings(mfcc, corpus.sr)
        names_x = feature_names(self.features, settings)
        rows, keep, failures = [], [], list(corpus.failures)
        for i, clip in enumerate(corpus.clips):
            try:
                x = clip_features(clip, sr=corpus.sr, features=self.features, settings=settings)
            except ParameterError as exc:      # e.g. NaN samples in a file
                failures.append((corpus.names[i], f"{exc}: example dropped"))
                continue
            bad = ~np.isfinite(x)
            if bad.any():
                failures.append((corpus.names[i], f"{names_x[int(np.argmax(bad))]} is not finite: "
                                                  "example dropped"))
            else:
                rows.append(x)
                keep.append(i)
            if self.progress is not None:
                self.progress(i + 1, len(corpus.clips), f"features of {corpus.names[i]}")
        labels = [corpus.labels[i] for i in keep]
        classes = sorted(set(labels))
        if len(classes) < 2:
            found = f"only {classes[0]!r}" if classes else "no example"
            raise ParameterError(f"corpus={self.corpus!r} gives {found} after {len(failures)} failures; "
                                 f"a classifier needs examples of at least two classes")
        codes = np.searchsorted(classes, labels).astype(np.int64)
        return Examples(X=np.vstack(rows), y=codes, classes=classes, feature_names=names_x,
                        names=[corpus.names[i] for i in keep], groups=[corpus.groups[i] for i in keep],
                        failures=failures, clips=[corpus.clips[i] for i in keep], sr=float(corpus.sr),
                        features=self.features, settings=settings, corpus=self._label())

    def _corpus(self):
        if self.corpus in corpora.TASKS:
            return corpora.synthetic(self.corpus, n_per_class=self.n_per_class, sr=self.sr,
                                     snr_db=self.snr_db, seed=self.seed)
        if self.corpus == "folder":
            if self.sandboxed:
                raise ParameterError("corpus='folder' is disabled here: the server's files cannot be read")
            if not self.path:
                raise ParameterError("corpus='folder' needs a folder, got path=''")
            return corpora.folder(self.path, sr=self.sr, progress=self.progress)
        # Built once and cached on disk; a missing renderer is a MissingToolError naming the install.
        builder = {"instruments": corpora.instrument_notes, "digits": corpora.spoken_digits}[self.corpus]
        return builder(sr=self.sr, progress=self.progress)

    def _settings(self, mfcc, sr) -> FeatureSettings:
        """The upstream MFCC chain's settings, else librosa's defaults."""
        if mfcc is None:
            return FeatureSettings()
        mel = mfcc.mel
        fmax = None if mel.fmax >= mel.sr / 2 else float(mel.fmax)
        if fmax is not None and fmax > sr / 2:
            raise ParameterError(f"fmax={fmax:g} Hz of the connected mel spectrogram is above the "
                                 f"corpus's Nyquist frequency sr/2 = {sr / 2:g} Hz")
        return FeatureSettings(
            n_fft=mel.n_fft, hop_length=mel.hop_length, win_length=mel.win_length, window=mel.window,
            center=mel.center, power=float(mel.power), n_mels=mel.M.shape[0], fmin=float(mel.fmin),
            fmax=fmax, htk=mel.htk, mel_norm=mel.norm, n_mfcc=mfcc.mfcc.shape[0],
            dct_type=mfcc.dct_type, norm=mfcc.norm, lifter=float(mfcc.lifter))

    def _label(self):
        if self.corpus in corpora.TASKS:
            return f"{self.corpus}: {self.n_per_class} per class at {self.snr_db:g} dB SNR, seed {self.seed}"
        return self.path if self.corpus == "folder" else self.corpus

    def describe(self):
        out = self.output
        if out is None:
            return "x_i = [mean_t f_i(t), std_t f_i(t)]"
        counts = ", ".join(f"{c}: {n}" for c, n in out.counts().items())
        dropped = f"; {len(out.failures)} left out" if out.failures else ""
        return (f"m = {out.X.shape[0]} examples × n_x = {out.X.shape[1]} features ({out.features}: mean "
                f"and std over frames; {out.settings.describe()}); classes {counts}{dropped}")


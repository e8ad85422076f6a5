"""The file format of a trained classifier: one ``.npz``, arrays plus a JSON string, no pickle.

:func:`pack` writes, and :func:`unpack` reads and checks, the fields of a
:class:`~listenwidgets.nodes.trainer.Model`:

- the arrays ``W0, b0, W1, b1, ...`` (the network's weights, ``W_l`` of shape
  ``(n_{l-1}, n_l)``), ``optimizer_v`` / ``optimizer_s`` when the optimizer
  has moments (so that training can continue), and the input normalisation
  ``mean`` and ``scale`` [shape=(n_features,)];
- ``model_json``, one string: the format and version, the network
  (:meth:`~listenwidgets.dsp.mlp.MLP.to_dict` without its arrays: the
  architecture and every hyper-parameter, the class names, the learning
  curves), the feature names, the feature set, its extraction settings and
  the sampling rate.

Everything is read with ``np.load(..., allow_pickle=False)``. A file from
anywhere (an upload) is checked before it is used: each problem is a
:class:`~listenwidgets.errors.ParameterError` that names it.
"""

from __future__ import annotations

import io
import json
import math
import zipfile

import numpy as np

from ..dsp._checks import short_repr
from ..dsp.mlp import MLP
from ..errors import ParameterError
from .dataset import FEATURE_SETS, FeatureSettings
from .dataset import feature_names as names_of_features

__all__ = ["pack", "unpack", "FORMAT", "VERSION", "MAX_BYTES"]

#: The ``format`` field of a saved model.
FORMAT = "listenwidgets.Model"

#: The version of the format this code writes and reads.
VERSION = 1

#: The largest model file read, packed or unpacked (a model of the lab is a few hundred kB).
MAX_BYTES = 64 * 2**20

_JSON = "model_json"
_FIELDS = ("mlp", "feature_names", "features", "settings", "sr")


def pack(*, mlp: MLP, mean, scale, feature_names: list, features: str, settings: FeatureSettings,
         sr: float) -> bytes:
    """The bytes of one ``.npz`` holding a trained classifier (see the module docstring).

    Parameters
    ----------
    mlp : MLP
        A trained network.
    mean, scale : np.ndarray [shape=(n_features,)]
        The input normalisation ``(x − mean) / scale``.
    feature_names : list of str
    features : str
        The feature set.
    settings : FeatureSettings
    sr : float
        The sampling rate the features are measured at.

    Returns
    -------
    bytes
    """
    network = mlp.to_dict()
    arrays = {name: np.asarray(values, dtype=np.float64) for name, values in network.pop("arrays").items()}
    meta = {"format": FORMAT, "version": VERSION, "mlp": network, "feature_names": list(feature_names),
            "features": features, "settings": settings.to_dict(), "sr": float(sr)}
    buffer = io.BytesIO()
    np.savez(buffer, **{_JSON: np.array(json.dumps(meta))}, mean=np.asarray(mean, dtype=np.float64),
             scale=np.asarray(scale, dtype=np.float64), **arrays)
    return buffer.getvalue()


def unpack(data) -> dict:
    """Read and check the bytes written by :func:`pack`.

    Parameters
    ----------
    data : bytes
        The content of a ``.npz`` file.

    Returns
    -------
    dict
        ``mlp``, ``mean``, ``scale``, ``feature_names``, ``features``,
        ``settings``, ``sr``: the arguments of
        :class:`~listenwidgets.nodes.trainer.Model`.

    Raises
    ------
    ParameterError
        Naming what is wrong: not an ``.npz``, too large, an array holding
        Python objects, a missing array or field, an unknown format or
        version, an array of the wrong shape, non-finite weights, feature
        names that do not match the feature set and settings.
    """
    arrays = _read(data)
    meta = _meta(arrays)
    settings, names = _features(meta)
    network = meta["mlp"]
    shapes = _shapes(network, len(names))
    _check_arrays(arrays, shapes)
    mlp = MLP.from_dict({**network, "arrays": {k: arrays[k] for k in shapes if k in arrays}})
    sr = meta["sr"]
    if not isinstance(sr, (int, float)) or not math.isfinite(sr) or sr <= 0:
        raise ParameterError(f"model_json has sr={short_repr(sr)}; a sampling rate is a positive number")
    return {"mlp": mlp, "mean": arrays["mean"].astype(np.float64), "scale": arrays["scale"].astype(np.float64),
            "feature_names": names, "features": meta["features"], "settings": settings, "sr": float(sr)}


def _read(data) -> dict:
    """Every array of the ``.npz`` in ``data``, read without pickle, after checking its sizes."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ParameterError(f"a model file is bytes, got data={short_repr(data)}")
    if len(data) > MAX_BYTES:
        raise ParameterError(f"the file is {len(data) / 2**20:.1f} MB; a model file is at most "
                             f"{MAX_BYTES / 2**20:g} MB")
    try:
        npz = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile):
        raise ParameterError("the file is not an .npz archive (a zip of NumPy arrays): save a model with "
                             "'Download model'") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ParameterError(f"the file is a single .npy array of shape {npz.shape}, not an .npz model")
    with npz:
        unpacked = sum(info.file_size for info in npz.zip.infolist())
        if unpacked > MAX_BYTES:
            raise ParameterError(f"the archive unpacks to {unpacked / 2**20:.1f} MB; a model file is at most "
                                 f"{MAX_BYTES / 2**20:g} MB")
        arrays = {}
        for name in npz.files:
            try:
                arrays[name] = npz[name]
            except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
                raise ParameterError(f"array {name!r} cannot be read without pickle: {exc}") from None
    return arrays


def _meta(arrays) -> dict:
    """The JSON part, after checking that it is this format and version and has every field."""
    missing = [name for name in (_JSON, "mean", "scale") if name not in arrays]
    if missing:
        raise ParameterError(f"the .npz lacks {', '.join(missing)}: not a model saved by listenwidgets "
                             f"(its arrays: {', '.join(sorted(arrays)) or 'none'})")
    text = arrays[_JSON]
    if text.shape != () or text.dtype.kind != "U":
        raise ParameterError(f"{_JSON} must be one string, got an array of shape {text.shape} and "
                             f"dtype {text.dtype}")
    try:
        meta = json.loads(str(text))
    except ValueError as exc:
        raise ParameterError(f"{_JSON} is not valid JSON: {exc}") from None
    found = meta.get("format") if isinstance(meta, dict) else meta
    if found != FORMAT:
        raise ParameterError(f"not a saved listenwidgets model: format={short_repr(found)} (expected {FORMAT!r})")
    if meta.get("version") != VERSION:
        raise ParameterError(f"unsupported version={short_repr(meta.get('version'))}; this code reads "
                             f"version {VERSION}")
    missing = [name for name in _FIELDS if name not in meta]
    if missing:
        raise ParameterError(f"{_JSON} lacks {', '.join(missing)}")
    return meta


def _features(meta):
    """The extraction settings and the feature names, checked against each other."""
    if meta["features"] not in FEATURE_SETS:
        raise ParameterError(f"features={short_repr(meta['features'])} is not one of {FEATURE_SETS}")
    if not isinstance(meta["settings"], dict):
        raise ParameterError(f"settings={short_repr(meta['settings'])} must be an object")
    missing = [name for name in FeatureSettings().to_dict() if name not in meta["settings"]]
    if missing:
        raise ParameterError(f"settings lack {', '.join(missing)}")
    settings = FeatureSettings.from_dict(meta["settings"])
    names = meta["feature_names"]
    expected = names_of_features(meta["features"], settings)
    if names != expected:
        raise ParameterError(f"feature_names ({len(names) if isinstance(names, list) else '?'}) do not match "
                             f"features={meta['features']!r} with {settings.describe()} ({len(expected)} "
                             "features)")
    return settings, expected


def _shapes(network, n_features) -> dict:
    """The shape of each array the network needs: weights, biases, optimizer moments, normalisation."""
    try:
        hidden = [int(n) for n in network["hyper_parameters"]["hidden_layer_sizes"]]
        state = network["state"]
        classes, n_in = state["classes"], int(state["n_features_in"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"the network in {_JSON} is incomplete: {exc!r}") from None
    if n_in != n_features:
        raise ParameterError(f"the network takes n_features_in={n_in} inputs but {n_features} feature names "
                             "are saved")
    sizes = [n_features, *hidden, 1 if len(classes) == 2 else len(classes)]
    shapes = {}
    for layer in range(len(sizes) - 1):
        shapes[f"W{layer}"] = (sizes[layer], sizes[layer + 1])
        shapes[f"b{layer}"] = (sizes[layer + 1],)
    n_params = sum(math.prod(shape) for shape in shapes.values())
    shapes.update(optimizer_v=(n_params,), optimizer_s=(n_params,), mean=(n_features,), scale=(n_features,))
    return shapes


def _check_arrays(arrays, shapes) -> None:
    """Every weight is there with its shape and finite; the scale is positive."""
    layers = [name for name in shapes if name[0] in "Wb"]
    missing = [name for name in layers if name not in arrays]
    if missing:
        raise ParameterError(f"the .npz lacks {', '.join(missing)} (the network has {len(layers) // 2} "
                             "layers)")
    for name, shape in shapes.items():
        if name not in arrays:
            continue          # optimizer moments: only for momentum, RMSprop and Adam
        array = arrays[name]
        if array.shape != shape:
            raise ParameterError(f"{name} has shape {array.shape}; the network saved in {_JSON} needs {shape}")
        if array.dtype.kind not in "fiu" or not np.all(np.isfinite(array)):
            raise ParameterError(f"{name} must hold finite numbers (dtype {array.dtype})")
    if np.any(arrays["scale"] <= 0):
        raise ParameterError("scale must be positive: the normalisation divides by it")

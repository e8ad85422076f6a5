"""Helpers of the model-file tests: a click on "Download model", and a small trained model's bytes."""

import base64

from listenwidgets.nodes import Dataset, Trainer


def downloaded(files) -> bytes:
    """Click "Download model" and return the bytes the browser would save."""
    files.download._clicks += 1
    return base64.b64decode(files.download.data.split(",", 1)[1])


def trained_model_bytes(**dataset_knobs):
    """The file of a model trained for 3 epochs on a small data set (spectral features by default)."""
    data = Dataset(n_per_class=6, **{"features": "spectral", **dataset_knobs})
    return Trainer(examples=data, epochs=3).output.to_bytes()

"""Param-driven dataflow nodes and the graph engine (imports dsp and param only)."""

from .data import (
    Cepstra, Chromagram, ConstantQ, Envelopes, Features, FrameSpectrum, MelSpectrum, Novelty,
    Sampling, Signal, Spectrogram, Timings)
from .dataset import Dataset, Examples
from .batch import FeatureTable
from .engine import Input, Node, UpstreamError, node_types
from .envelope import Envelope, SourceFilter
from .features import NoveltyCurve, SpectralFeatures
from .fourier import Complexity, Spectrum
from .graph import Graph
from .mel import MFCC, MelSpectrogram, MFCCInversion
from .sampling import Sampler
from .script import graph_to_script
from .sources import AudioSource, SignalGenerator
from .stft import ISTFT, STFT
from .tonal import CQT, Chroma, HelixPoints, PitchHelix, ShepardTones, SpectralKernel
from .trainer import ExampleClip, Model, ModelFile, Predict, Prediction, Trainer, TrainingSession

__all__ = [
    "Node", "Input", "Graph", "UpstreamError", "node_types", "FeatureTable",
    "graph_to_script",
    "Signal", "FrameSpectrum", "Spectrogram", "Sampling", "Timings", "Features", "Novelty",
    "Envelopes", "MelSpectrum", "Cepstra", "ConstantQ", "Chromagram",
    "SignalGenerator", "AudioSource", "Sampler", "Spectrum", "Complexity", "STFT", "ISTFT",
    "SpectralFeatures", "NoveltyCurve", "Envelope", "SourceFilter", "MelSpectrogram", "MFCC",
    "MFCCInversion",
    "CQT", "SpectralKernel", "Chroma", "PitchHelix", "HelixPoints", "ShepardTones",
    "Dataset", "Examples", "Trainer", "TrainingSession", "Model", "Predict", "Prediction",
    "ExampleClip", "ModelFile",
]

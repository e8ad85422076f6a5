"""Panel/Bokeh views of nodes (imports nodes, panel and bokeh; no DSP beyond display reductions).

Each view is a :class:`panel.viewable.Viewer` around one node: controls made
from the node's Parameters, figures built once and updated in place when the
node changes, the node's formula with current values, an error banner, and a
player beside every signal. See :mod:`listenwidgets.views.base` for when a
view updates (only while shown).
"""

from .base import NodeView, ViewLayout, error_message
from .complexity import ComplexityView
from .envelope import EnvelopeView
from .features import FeaturesView, NoveltyView
from .graph import GraphView
from .mel import MelView, MFCCView
from .player import Player, PlayerView
from .recorder import Recorder
from .sampling import SamplingView
from .spectrogram import SpectrogramView
from .spectrum import SpectrumView
from .tabs import view_tabs
from .tonal import ChromaView, CQTView
from .tonal_frames import FrameSelection
from .tonal_kernel import SpectralKernelView
from .tonal_space import PitchHelixView, TonnetzView
from .trainer import TrainerView
from .trainer_data import DatasetView
from .trainer_predict import ModelView, PredictionView
from .waveform import SourceView, WaveformView

__all__ = [
    "NodeView", "ViewLayout", "error_message", "Player", "PlayerView", "view_tabs",
    "WaveformView", "SourceView", "SpectrumView", "SpectrogramView", "SamplingView",
    "ComplexityView", "FeaturesView", "NoveltyView", "EnvelopeView", "MelView", "MFCCView",
    "CQTView", "ChromaView", "SpectralKernelView", "FrameSelection", "PitchHelixView",
    "TonnetzView",
    "TrainerView", "DatasetView", "ModelView", "PredictionView",
]

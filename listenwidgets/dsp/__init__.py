"""Pure signal-processing functions: arrays in, arrays out.

Everything here uses numpy and scipy only (``soundfile`` only in
:mod:`listenwidgets.dsp.io`), takes keyword-only arguments named as in librosa
(``y, sr, S, n_fft, hop_length, win_length, window, center, ...``) and, where
librosa has the same function, librosa's defaults and results. The neural-network
maths of chapter 8 (:mod:`.nn`, :mod:`.optim`, :mod:`.mlp`, :mod:`.datasets`) is
numpy too, with scikit-learn's estimator contract.
"""

from ..errors import ParameterError
from .cepstrum import *  # noqa: F401,F403
from .chroma import *  # noqa: F401,F403
from .cqt import *  # noqa: F401,F403
from .datasets import *  # noqa: F401,F403
from .display import *  # noqa: F401,F403
from .envelope import *  # noqa: F401,F403
from .features import *  # noqa: F401,F403
from .fourier import *  # noqa: F401,F403
from .io import *  # noqa: F401,F403
from .lpc import *  # noqa: F401,F403
from .mel import *  # noqa: F401,F403
from .mfcc import *  # noqa: F401,F403
from .mlp import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .onset import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .griffinlim import *  # noqa: F401,F403
from .resample import *  # noqa: F401,F403
from .sampling import *  # noqa: F401,F403
from .signals import *  # noqa: F401,F403
from .spectrum import *  # noqa: F401,F403
from .tonal import *  # noqa: F401,F403
from .vocoder import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403

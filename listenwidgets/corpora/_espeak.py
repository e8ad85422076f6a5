"""A minimal ctypes binding to the eSpeak NG speech synthesiser (libespeak-ng).

Used only to *generate* data at build time: the engine (GPL-3) is loaded as
an external shared library, from the ``espeakng-loader`` wheel or from
Debian's ``libespeak-ng1``; none of its code is part of listenwidgets.
"""

import ctypes
import ctypes.util
import functools
import threading

import numpy as np

from ..errors import ParameterError
from ._corpus import MissingToolError

__all__ = ["speak"]

_INSTALL = "pip install espeakng-loader   (or: apt-get install libespeak-ng1 espeak-ng-data)"

# Constants of speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_ESPEAK_RATE = 1
_ESPEAK_PITCH = 3

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int,
                                  ctypes.c_void_p)

#: The library keeps one voice and one callback for the whole process.
_LOCK = threading.Lock()


def _locate():
    """Paths of libespeak-ng and its data folder (None: the library's built-in default)."""
    try:
        import espeakng_loader
    except ImportError:
        library = ctypes.util.find_library("espeak-ng")
        if library is None:
            raise MissingToolError(f"spoken_digits needs the eSpeak NG library: {_INSTALL}") from None
        return library, None
    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()


@functools.lru_cache(maxsize=1)
def _engine():
    """Load and initialise libespeak-ng once; return ``(library, sampling rate, chunks list)``."""
    library, data = _locate()
    try:
        lib = ctypes.CDLL(library)
    except OSError as exc:
        raise MissingToolError(f"cannot load {library!r} ({exc}): {_INSTALL}") from exc
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                 ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                 None if data is None else data.encode(), 0)
    if rate <= 0:
        raise MissingToolError(f"eSpeak NG found no voice data (espeak_Initialize={rate}): {_INSTALL}")
    chunks = []

    def collect(wav, n, events):
        if n > 0:
            chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    callback = _SynthCallback(collect)
    lib.espeak_SetSynthCallback(callback)
    return lib, rate, chunks, callback  # the callback object must outlive the library's use


def speak(text, *, voice, rate, pitch):
    """Synthesise ``text`` and return ``(y, sr)``: float64 samples in [-1, 1) at the engine's rate.

    Parameters
    ----------
    text : str
        What to say.
    voice : str
        An eSpeak NG voice, optionally with a variant (``"en"``, ``"en-us+f2"``).
    rate : int in [80, 450]
        Speaking rate in words per minute.
    pitch : int in [0, 100]
        Base pitch (50 is the voice's normal).

    Raises
    ------
    MissingToolError
        If libespeak-ng cannot be found or initialised.
    ParameterError
        If eSpeak NG does not know ``voice``, or synthesis fails.
    """
    lib, sr, chunks, _ = _engine()
    data = text.encode() + b"\0"
    with _LOCK:
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ParameterError(f"eSpeak NG has no voice={voice!r}")
        lib.espeak_SetParameter(_ESPEAK_RATE, rate, 0)
        lib.espeak_SetParameter(_ESPEAK_PITCH, pitch, 0)
        chunks.clear()
        status = lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8,
                                  None, None)
        samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
    if status != 0 or samples.size == 0:
        raise ParameterError(f"eSpeak NG could not say text={text!r} with voice={voice!r} "
                             f"(espeak_Synth={status})")
    return samples / 32768.0, sr

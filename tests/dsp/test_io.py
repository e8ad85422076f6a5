"""Tests of listenwidgets.dsp.io and the bundled demo clips.

Reference files are made with soundfile directly (or byte by byte), so that
``load`` is checked against an independent writer.
"""

import io
import pathlib
import struct
import wave

import librosa
import numpy as np
import pytest
import soundfile as sf

import listenwidgets.data
from listenwidgets import ParameterError
from listenwidgets.data import DEFAULT_DEMO, DEMO_CLIPS, demo_names, demo_path
from listenwidgets.dsp import AudioInfo, info, load, resample, to_wav_bytes, write

SR = 8000
LSB16 = 2.0 ** -15


def tone(freq, sr=SR, seconds=1.0, amplitude=0.5):
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * sr)) / sr)


def wav_header(*, sr, channels, bits, frames):
    """The 44-byte header of a PCM WAV file holding ``frames`` frames."""
    block = channels * bits // 8
    data = frames * block
    return (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, sr, sr * block, block, bits)
            + b"data" + struct.pack("<I", data))


# --- round trips -------------------------------------------------------------

@pytest.mark.parametrize("name, subtype, tolerance", [
    ("a.wav", "PCM_16", 0.5 * LSB16),
    ("a.wav", "PCM_24", 0.5 * 2.0 ** -23 + 1e-7),
    ("a.wav", "PCM_32", 1e-7),
    ("a.wav", "FLOAT", 0.0),
    ("a.flac", "PCM_16", 0.5 * LSB16),
    ("a.flac", "PCM_24", 0.5 * 2.0 ** -23 + 1e-7),
    ("a.aiff", "PCM_16", 0.5 * LSB16),
])
def test_round_trip_lossless(tmp_path, name, subtype, tolerance):
    rng = np.random.default_rng(0)
    y = rng.uniform(-0.99, 0.99, SR).astype(np.float32)
    path = tmp_path / name
    write(path, y, sr=SR, subtype=subtype)
    assert info(path).subtype == subtype
    got, sr = load(path)
    assert sr == SR and got.dtype == np.float32 and got.shape == y.shape
    # Rounding to the b-bit grid loses at most half a step (float32 adds ~6e-8).
    assert np.max(np.abs(got - y)) <= tolerance


def test_round_trip_is_exact_on_the_16_bit_grid(tmp_path):
    y = np.arange(-32768, 32768, 7, dtype=np.float64) / 32768
    write(tmp_path / "grid.wav", y, sr=SR)
    got, _ = load(tmp_path / "grid.wav", dtype=np.float64)
    np.testing.assert_array_equal(got, y)


def test_round_trip_ogg_vorbis(tmp_path):
    y = tone(440, sr=22050, seconds=1.0)
    write(tmp_path / "a.ogg", y, sr=22050, subtype="VORBIS")
    assert info(tmp_path / "a.ogg").format == "OGG"
    got, sr = load(tmp_path / "a.ogg")
    assert sr == 22050
    # Lossy codec: compare level and pitch, not samples.
    middle = got[2000:-2000]
    assert np.sqrt(np.mean(middle ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.05)
    spectrum = np.abs(np.fft.rfft(got))
    assert np.fft.rfftfreq(len(got), 1 / sr)[np.argmax(spectrum)] == pytest.approx(440, abs=2)


def test_sources_path_str_bytes_and_file_objects(tmp_path):
    y = tone(300)
    path = tmp_path / "t.wav"
    write(path, y, sr=SR)
    expected, _ = load(path)
    np.testing.assert_array_equal(load(str(path))[0], expected)
    data = path.read_bytes()
    np.testing.assert_array_equal(load(data)[0], expected)
    np.testing.assert_array_equal(load(bytearray(data))[0], expected)
    with open(path, "rb") as f:
        np.testing.assert_array_equal(load(f)[0], expected)

    class Unseekable(io.RawIOBase):
        def __init__(self, raw):
            self._stream = io.BytesIO(raw)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self._stream.readinto(buffer)

    np.testing.assert_array_equal(load(Unseekable(data))[0], expected)


def test_write_to_file_object_needs_no_format():
    buffer = io.BytesIO()
    write(buffer, tone(200), sr=SR)
    assert buffer.getvalue()[:4] == b"RIFF"
    flac = io.BytesIO()
    write(flac, tone(200), sr=SR, format="flac")
    assert info(flac.getvalue()).format == "FLAC"


def test_write_clips_to_minus_one_one():
    buffer = io.BytesIO()
    write(buffer, np.array([1.5, -2.0, 1.0, -1.0, 0.25]), sr=SR)
    got, _ = load(buffer.getvalue(), dtype=np.float64)
    np.testing.assert_array_equal(got, [1 - LSB16, -1.0, 1 - LSB16, -1.0, 0.25])
    buffer = io.BytesIO()
    write(buffer, np.array([3.0, -3.0]), sr=SR, subtype="FLOAT")
    got, _ = load(buffer.getvalue())
    assert got[0] < 1.0 and got[1] == -1.0


def test_dtype_float64():
    buffer = io.BytesIO()
    write(buffer, tone(100), sr=SR)
    y, _ = load(buffer.getvalue(), dtype=np.float64)
    assert y.dtype == np.float64


# --- integer scaling ---------------------------------------------------------

def test_int16_scaled_to_minus_one_one(tmp_path):
    samples = np.array([-32768, -16384, -1, 0, 1, 16384, 32767], dtype=np.int16)
    sf.write(tmp_path / "i16.wav", samples, SR, subtype="PCM_16")
    y, _ = load(tmp_path / "i16.wav", dtype=np.float64)
    np.testing.assert_array_equal(y, samples / 32768.0)
    assert y.min() == -1.0 and y.max() == 32767 / 32768


def test_int24_and_uint8_scaled(tmp_path):
    values24 = np.array([-(2 ** 23), -1, 0, 1, 2 ** 22, 2 ** 23 - 1])
    sf.write(tmp_path / "i24.wav", (values24 << 8).astype(np.int32), SR, subtype="PCM_24")
    y, _ = load(tmp_path / "i24.wav", dtype=np.float64)
    np.testing.assert_array_equal(y, values24 / 2.0 ** 23)

    # 8-bit WAV is unsigned: byte 0 is -1.0, 128 is 0.0, 255 is 127/128.
    raw = bytes([0, 64, 128, 192, 255])
    path = tmp_path / "u8.wav"
    path.write_bytes(wav_header(sr=SR, channels=1, bits=8, frames=5) + raw)
    y, _ = load(path, dtype=np.float64)
    np.testing.assert_array_equal(y, (np.array(list(raw)) - 128) / 128.0)


# --- channels ----------------------------------------------------------------

def test_stereo_mixed_to_mono_by_averaging(tmp_path):
    left, right = tone(440, amplitude=0.6), tone(660, amplitude=0.2)
    sf.write(tmp_path / "st.wav", np.stack([left, right], axis=1), SR, subtype="FLOAT")
    y, _ = load(tmp_path / "st.wav", dtype=np.float64)
    np.testing.assert_allclose(y, (left + right) / 2, atol=1e-7)
    both, _ = load(tmp_path / "st.wav", mono=False, dtype=np.float64)
    assert both.shape == (2, SR)
    np.testing.assert_allclose(both[0], left, atol=1e-7)
    np.testing.assert_allclose(both[1], right, atol=1e-7)


def test_eight_channels_mixed_to_mono(tmp_path):
    levels = np.arange(8) / 10.0 - 0.3  # -0.3, -0.2, ..., 0.4; mean 0.05
    data = np.tile(levels, (1000, 1))
    sf.write(tmp_path / "oct.wav", data, SR, subtype="FLOAT")
    assert info(tmp_path / "oct.wav").channels == 8
    y, _ = load(tmp_path / "oct.wav", dtype=np.float64)
    assert y.shape == (1000,)
    np.testing.assert_allclose(y, 0.05, atol=1e-7)
    y8, _ = load(tmp_path / "oct.wav", mono=False)
    assert y8.shape == (8, 1000)
    np.testing.assert_allclose(y8[:, 0], levels, atol=1e-7)


def test_mono_file_with_mono_false_is_one_dimensional(tmp_path):
    write(tmp_path / "m.wav", tone(100), sr=SR)
    y, _ = load(tmp_path / "m.wav", mono=False)
    assert y.shape == (SR,)


def test_write_multichannel_channels_first(tmp_path):
    y = np.stack([tone(100), tone(200), np.zeros(SR)])
    write(tmp_path / "three.wav", y, sr=SR)
    assert info(tmp_path / "three.wav").channels == 3
    back, _ = load(tmp_path / "three.wav", mono=False, dtype=np.float64)
    np.testing.assert_allclose(back, y, atol=0.5 * LSB16)


# --- resampling, offset, duration ----------------------------------------------

def test_load_resamples_like_resample_and_librosa(tmp_path):
    y = tone(1000, sr=44100, seconds=0.5)
    write(tmp_path / "hi.wav", y, sr=44100, subtype="FLOAT")
    native, sr = load(tmp_path / "hi.wav", dtype=np.float64)
    low, sr_low = load(tmp_path / "hi.wav", sr=22050, dtype=np.float64)
    assert (sr, sr_low) == (44100, 22050)
    assert low.shape == (11025,)
    np.testing.assert_allclose(low, resample(native, orig_sr=44100, target_sr=22050), atol=1e-12)
    expected = librosa.resample(native, orig_sr=44100, target_sr=22050, res_type="polyphase")
    np.testing.assert_allclose(low, expected, atol=1e-10)
    spectrum = np.abs(np.fft.rfft(low * np.hanning(len(low))))
    assert np.fft.rfftfreq(len(low), 1 / 22050)[np.argmax(spectrum)] == pytest.approx(1000, abs=2)


def test_offset_and_duration_read_the_right_samples(tmp_path):
    ramp = np.arange(2 * SR) - SR  # -8000 .. 7999, each sample its own value
    sf.write(tmp_path / "ramp.wav", ramp.astype(np.int16), SR, subtype="PCM_16")
    y, _ = load(tmp_path / "ramp.wav", offset=0.5, duration=0.25, dtype=np.float64)
    np.testing.assert_array_equal(y * 32768, ramp[4000:6000])
    tail, _ = load(tmp_path / "ramp.wav", offset=1.5, dtype=np.float64)
    np.testing.assert_array_equal(tail * 32768, ramp[12000:])
    # A duration past the end reads what is there.
    rest, _ = load(tmp_path / "ramp.wav", offset=1.75, duration=10.0, dtype=np.float64)
    np.testing.assert_array_equal(rest * 32768, ramp[14000:])


def test_offset_past_the_end(tmp_path):
    write(tmp_path / "short.wav", tone(100), sr=SR)
    with pytest.raises(ParameterError, match=r"offset=1.0 is at or past the end"):
        load(tmp_path / "short.wav", offset=1.0)


# --- info ----------------------------------------------------------------------

def test_info(tmp_path):
    sf.write(tmp_path / "st.flac", np.zeros((12000, 2)), 16000, subtype="PCM_24")
    meta = info(tmp_path / "st.flac")
    assert isinstance(meta, AudioInfo)
    assert meta == AudioInfo(sr=16000, channels=2, frames=12000, duration=0.75,
                             format="FLAC", subtype="PCM_24")


# --- to_wav_bytes ----------------------------------------------------------------

def test_to_wav_bytes_is_a_16_bit_wav():
    y = np.array([0.0, 0.5, -0.5, 2.0, -2.0])
    data = to_wav_bytes(y, sr=22050)
    assert isinstance(data, bytes) and data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    with wave.open(io.BytesIO(data)) as w:  # the standard library agrees
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
        assert w.getnframes() == 5
        pcm = np.frombuffer(w.readframes(5), dtype="<i2")
    np.testing.assert_array_equal(pcm, [0, 16384, -16384, 32767, -32768])
    assert len(data) == 44 + 2 * len(y)
    stereo = to_wav_bytes(np.zeros((2, 10)), sr=8000)
    assert info(stereo).channels == 2


# --- bad input -------------------------------------------------------------------

def test_nonexistent_path(tmp_path):
    missing = tmp_path / "nope.wav"
    with pytest.raises(ParameterError, match=r"source='.*nope\.wav' does not exist"):
        load(missing)
    with pytest.raises(ParameterError, match="does not exist"):
        info(str(missing))


def test_directory(tmp_path):
    with pytest.raises(ParameterError, match="is a directory"):
        load(tmp_path)


def test_unreadable_file(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("this is a text file, not audio\n" * 20)
    with pytest.raises(ParameterError, match=r"cannot read source='.*notes\.wav' as audio: .*"
                                             r"(Format not recognised|not a valid)"):
        load(path)


def test_garbage_bytes():
    garbage = np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with pytest.raises(ParameterError, match=r"cannot read source=<4096 bytes> as audio"):
        load(garbage)
    with pytest.raises(ParameterError, match="as audio"):
        load(io.BytesIO(garbage))


def test_truncated_wav_header():
    data = to_wav_bytes(tone(100), sr=SR)[:30]
    with pytest.raises(ParameterError, match="cannot read"):
        load(data)


def test_truncated_flac():
    buffer = io.BytesIO()
    write(buffer, tone(300, seconds=5.0), sr=SR, format="FLAC")
    data = buffer.getvalue()
    with pytest.raises(ParameterError, match=r"cannot decode source=<\d+ bytes>: .*lost sync"):
        load(data[: len(data) // 2])


def test_duration_under_one_sample():
    with pytest.raises(ParameterError, match=r"duration=1e-05 is shorter than one sample"):
        load(to_wav_bytes(tone(100), sr=SR), duration=1e-5)


def test_zero_frame_wav(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(wav_header(sr=SR, channels=1, bits=16, frames=0))
    assert info(path).frames == 0
    with pytest.raises(ParameterError, match=r"is empty \(0 frames"):
        load(path)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_float_wav_with_nan_or_inf(tmp_path, bad):
    y = np.zeros(1000, dtype=np.float32)
    y[123] = bad
    sf.write(tmp_path / "bad.wav", y, SR, subtype="FLOAT")
    with pytest.raises(ParameterError, match=r"NaN or Inf samples, the first at sample index 123 "):
        load(tmp_path / "bad.wav")
    # Reading from after the bad sample is fine; the index counts from the file start.
    assert np.isfinite(load(tmp_path / "bad.wav", offset=0.1)[0]).all()
    with pytest.raises(ParameterError, match="sample index 123"):
        load(tmp_path / "bad.wav", offset=0.01)


def test_nan_in_a_stereo_file_names_the_channel(tmp_path):
    data = np.zeros((100, 2), dtype=np.float32)
    data[40, 1] = np.nan
    sf.write(tmp_path / "bad2.wav", data, SR, subtype="FLOAT")
    with pytest.raises(ParameterError, match="sample index 40, channel 1"):
        load(tmp_path / "bad2.wav", mono=False)


def test_one_hour_file_against_max_duration(tmp_path):
    hour = 3600 * SR
    path = tmp_path / "hour.wav"
    # A valid header for one hour of 8 kHz 16-bit mono, then a sparse file of zeros:
    # 57.6 MB on paper, nothing written to disk.
    with open(path, "wb") as f:
        f.write(wav_header(sr=SR, channels=1, bits=16, frames=hour))
        f.truncate(44 + 2 * hour)
    assert info(path).duration == 3600.0
    with pytest.raises(ParameterError,
                       match=r"lasts 3600\.0 s .* longer than max_duration=60\.0; pass duration="):
        load(path, max_duration=60)
    with pytest.raises(ParameterError, match=r"duration=120\.0 is 120\.0 s"):
        load(path, max_duration=60, duration=120)
    y, sr = load(path, max_duration=60, offset=1800, duration=10)
    assert sr == SR and y.shape == (10 * SR,)
    # The end of the file is within the limit, so no duration is needed there.
    assert load(path, max_duration=60, offset=3590)[0].shape == (10 * SR,)


@pytest.mark.parametrize("kwargs, match", [
    (dict(sr=0), "sr=0"),
    (dict(sr=-22050), "sr=-22050"),
    (dict(sr=22050.5), "sr=22050.5"),
    (dict(offset=-1.0), "offset=-1.0"),
    (dict(duration=0), "duration=0"),
    (dict(duration=-2.0), "duration=-2.0"),
    (dict(max_duration=0), "max_duration=0"),
    (dict(mono="yes"), "mono='yes'"),
    (dict(dtype=np.int16), "dtype="),
    (dict(dtype="complex"), "dtype='complex'"),
])
def test_load_bad_arguments(kwargs, match):
    data = to_wav_bytes(tone(100), sr=SR)
    with pytest.raises(ParameterError, match=match):
        load(data, **kwargs)


def test_text_mode_file_object(tmp_path):
    (tmp_path / "t.wav").write_bytes(to_wav_bytes(tone(100), sr=SR))
    with open(tmp_path / "t.wav", encoding="latin-1") as f:
        with pytest.raises(ParameterError, match=r"is a text-mode file; open it in binary mode"):
            load(f)


@pytest.mark.parametrize("source", [3, None, 1.5, ["a.wav"]])
def test_load_bad_source_type(source):
    with pytest.raises(ParameterError, match="source must be a path"):
        load(source)


def test_write_bad_input(tmp_path):
    with pytest.raises(ParameterError, match="sr=0"):
        write(tmp_path / "a.wav", tone(100), sr=0)
    with pytest.raises(ParameterError, match="sr=-8000"):
        to_wav_bytes(tone(100), sr=-8000)
    with pytest.raises(ParameterError, match="NaN or Inf"):
        write(tmp_path / "a.wav", np.array([0.0, np.nan]), sr=SR)
    with pytest.raises(ParameterError, match="y.dtype=int16"):
        write(tmp_path / "a.wav", np.zeros(10, dtype=np.int16), sr=SR)
    with pytest.raises(ParameterError, match=r"y.shape=\(2, 2, 10\)"):
        write(tmp_path / "a.wav", np.zeros((2, 2, 10)), sr=SR)
    with pytest.raises(ParameterError, match="subtype='PCM_16' cannot be written in format='OGG'"):
        write(tmp_path / "a.ogg", tone(100), sr=SR)
    with pytest.raises(ParameterError, match="format must be one of"):
        write(tmp_path / "a.xyz", tone(100), sr=SR)
    with pytest.raises(ParameterError, match=r"cannot write path_or_file='.*missing"):
        write(tmp_path / "missing" / "a.wav", tone(100), sr=SR)
    with pytest.raises(ParameterError, match="path_or_file must be a path"):
        write(42, tone(100), sr=SR)


# --- bundled demo clips -------------------------------------------------------------

@pytest.mark.parametrize("name", demo_names())
def test_demo_clip_loads(name):
    meta = DEMO_CLIPS[name]
    path = demo_path(name)
    assert isinstance(path, pathlib.Path) and path.name == meta["file"]
    header = info(path)
    assert (header.format, header.subtype, header.channels) == ("FLAC", "PCM_16", 1)
    y, sr = load(path)
    assert sr == meta["sr"] == header.sr
    assert y.ndim == 1 and len(y) / sr == pytest.approx(meta["duration"], abs=1e-3)
    assert np.isfinite(y).all()
    assert np.sqrt(np.mean(y ** 2)) > 0.01  # not silent
    assert 0.1 < np.max(np.abs(y)) < 1.0  # neither near-silent nor clipped
    for key in ("description", "source", "licence", "author"):
        assert meta[key]


def test_demo_catalogue():
    names = demo_names()
    assert len(names) >= 4 and DEFAULT_DEMO in names
    assert DEMO_CLIPS[DEFAULT_DEMO]["duration"] >= 15.0
    folder = pathlib.Path(listenwidgets.data.__file__).parent
    notice = (folder / "NOTICE.md").read_text(encoding="utf-8")
    bundled = sorted(p.name for p in folder.iterdir() if p.suffix in (".flac", ".wav", ".ogg"))
    assert bundled == sorted(meta["file"] for meta in DEMO_CLIPS.values())
    for meta in DEMO_CLIPS.values():
        assert meta["file"] in notice
    assert sum((folder / name).stat().st_size for name in bundled) < 3_000_000
    with pytest.raises(ParameterError, match="name='nope'"):
        demo_path("nope")


def test_piano_demo_is_a4():
    y, sr = load(demo_path("piano_a4"), offset=0.2, duration=1.0, dtype=np.float64)
    n = 1 << 18
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y)), n))
    assert np.fft.rfftfreq(n, 1 / sr)[np.argmax(spectrum)] == pytest.approx(440, abs=1.5)

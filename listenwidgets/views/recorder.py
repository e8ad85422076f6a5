"""Record from the microphone in the browser and hand the sound to Python as a WAV file.

The browser does the recording (``getUserMedia`` and ``MediaRecorder``), decodes
the compressed recording with ``OfflineAudioContext.decodeAudioData``, averages
its channels to mono, rounds to 16-bit PCM and sends the samples to Python in
base64 chunks. Python checks the announced length against
:attr:`Recorder.max_seconds`, reassembles the chunks and encodes a WAV file
(:func:`listenwidgets.dsp.io.to_wav_bytes`) into :attr:`Recorder.value`, the
same kind of bytes an upload gives an :class:`~listenwidgets.nodes.AudioSource`.

All the JavaScript is inline: nothing is imported from the network. A browser
offers the microphone only to a secure page (``https://`` or ``localhost``);
when it is missing, or permission is refused, the recorder says so.

The messages from the browser are::

    {"type": "begin", "id": str, "sr": int, "n": int, "chunks": int}
    {"type": "chunk", "id": str, "index": int, "data": <base64 of int16 little-endian>}
"""

from __future__ import annotations

import base64
import binascii

import numpy as np
import panel as pn
import param

from .. import dsp

__all__ = ["Recorder", "MIN_SR", "MAX_SR"]

#: The lowest sampling rate (Hz) a recording may announce.
MIN_SR = 3000

#: The highest sampling rate (Hz) a recording may announce.
MAX_SR = 384000

_ESM = r"""
const CHUNK = 1 << 18;   // samples per message (512 kB of int16)

function explain(err) {
  const name = err && err.name;
  if (name === "NotAllowedError" || name === "SecurityError")
    return "Microphone permission was denied: allow it in the browser's address bar and try again.";
  if (name === "NotFoundError" || name === "OverconstrainedError")
    return "No microphone was found.";
  if (name === "NotReadableError")
    return "The microphone is in use by another program or could not be opened.";
  return `The microphone could not be used: ${err && err.message ? err.message : err}`;
}

function unavailable() {
  if (!window.isSecureContext)
    return "The microphone is only available on a secure page (https:// or localhost).";
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia)
    return "This browser offers no microphone access.";
  if (typeof MediaRecorder === "undefined" || typeof OfflineAudioContext === "undefined")
    return "This browser cannot record audio (no MediaRecorder).";
  return null;
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function toPcm16(audio, limit) {
  const n = Math.min(audio.length, limit);
  const channels = [];
  for (let c = 0; c < audio.numberOfChannels; c++) channels.push(audio.getChannelData(c));
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const channel of channels) sum += channel[i];
    const x = Math.round((sum / channels.length) * 32768);
    pcm[i] = Math.max(-32768, Math.min(32767, x));
  }
  return pcm;
}

export function render({ model }) {
  const root = document.createElement("div");
  root.className = "lw-recorder";
  root.style.cssText = "display:flex;align-items:center;gap:8px;flex-wrap:wrap;";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "bk-btn bk-btn-default lw-record";
  button.textContent = "● Record";
  const status = document.createElement("span");
  status.className = "lw-record-status";
  status.style.cssText = "font-size:0.9em;color:#444;";
  status.textContent = model.status;
  root.append(button, status);

  let recorder = null, stream = null, timer = null, started = 0, ticker = null;

  function say(text) {
    status.textContent = text;
    model.status = text;
  }

  function release() {
    clearTimeout(timer);
    clearInterval(ticker);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }

  function send(pcm, sr) {
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const chunks = Math.max(1, Math.ceil(pcm.length / CHUNK));
    model.send_msg({ type: "begin", id, sr, n: pcm.length, chunks });
    for (let index = 0; index < chunks; index++) {
      const part = pcm.subarray(index * CHUNK, (index + 1) * CHUNK);
      const bytes = new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
      model.send_msg({ type: "chunk", id, index, data: toBase64(bytes) });
    }
  }

  async function finish(parts, type, sr) {
    button.textContent = "● Record";
    button.disabled = false;
    if (!parts.length) { say("Nothing was recorded."); return; }
    say("Decoding the recording…");
    try {
      const encoded = await new Blob(parts, { type }).arrayBuffer();
      const audio = await new OfflineAudioContext(1, 1, sr).decodeAudioData(encoded);
      const pcm = toPcm16(audio, Math.floor(model.max_seconds * audio.sampleRate));
      if (!pcm.length) { say("The recording is empty."); return; }
      say(`Sending ${(pcm.length / audio.sampleRate).toFixed(1)} s to the lab…`);
      send(pcm, audio.sampleRate);
    } catch (err) {
      say(`The recording could not be decoded: ${err && err.message ? err.message : err}`);
    }
  }

  async function start() {
    const missing = unavailable();
    if (missing) { say(missing); return; }
    button.disabled = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    } catch (err) {
      button.disabled = false;
      say(explain(err));
      return;
    }
    const track = stream.getAudioTracks()[0];
    const sr = (track && track.getSettings().sampleRate) || 48000;
    const parts = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (event) => { if (event.data.size) parts.push(event.data); };
    recorder.onstop = () => { release(); finish(parts, recorder.mimeType, sr); };
    recorder.onerror = (event) => {
      release();
      button.textContent = "● Record";
      say(`Recording failed: ${event.error || event}`);
    };
    recorder.start();
    started = Date.now();
    button.textContent = "■ Stop";
    button.disabled = false;
    say(`Recording… (at most ${model.max_seconds} s)`);
    ticker = setInterval(() => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      say(`Recording… ${seconds} s of at most ${model.max_seconds} s`);
    }, 1000);
    timer = setTimeout(stop, model.max_seconds * 1000);
  }

  function stop() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
  }

  button.addEventListener("click", () => {
    if (recorder && recorder.state === "recording") stop(); else start();
  });
  model.on("status", () => { status.textContent = model.status; });
  model.on("remove", () => { stop(); release(); });
  return root;
}
"""


class Recorder(pn.custom.JSComponent):
    """A record button: the microphone's sound, as the bytes of a mono 16-bit WAV file.

    Click to record, click again (or wait :attr:`max_seconds`) to stop. When
    the recording has arrived, :attr:`value` holds a complete WAV file, ready
    for ``AudioSource(origin="upload", data=...)``.

    Parameters
    ----------
    max_seconds : float
        The longest recording, in seconds; the browser stops there and Python
        refuses anything longer.
    **params
        Layout parameters of :class:`panel.custom.JSComponent`.

    Examples
    --------
    >>> recorder = Recorder(max_seconds=10)
    >>> recorder.param.watch(lambda event: print(len(event.new)), "value")  # doctest: +SKIP
    """

    max_seconds = param.Number(
        default=30.0, bounds=(1.0, 600.0), constant=True,
        doc="The longest recording in seconds (the browser stops there; longer data is refused).")
    status = param.String(
        default="Record from your microphone.", doc="What the recorder is doing, or why it cannot.")
    value = param.Bytes(
        default=None, allow_None=True, precedence=-1,
        doc="The latest recording as a mono 16-bit WAV file (kept in Python, not sent back).")

    _esm = _ESM

    # The WAV stays in Python: it is not a property of the browser's model.
    _rename = {"value": None}

    def __init__(self, **params):
        params.setdefault("height", 45)
        params.setdefault("min_width", 300)
        super().__init__(**params)
        self._incoming = None

    def _handle_msg(self, data) -> None:
        """Receive one message of a recording (see the module's docstring)."""
        if not isinstance(data, dict):
            return
        kind = data.get("type")
        if kind == "begin":
            self._begin(data)
        elif kind == "chunk":
            self._chunk(data)

    def _begin(self, data) -> None:
        sr, n, chunks = data.get("sr"), data.get("n"), data.get("chunks")
        if not all(isinstance(v, (int, float)) and float(v).is_integer() for v in (sr, n, chunks)):
            self._refuse(f"a malformed recording header {data!r}")
            return
        sr, n, chunks = int(sr), int(n), int(chunks)
        if not MIN_SR <= sr <= MAX_SR:
            self._refuse(f"sr={sr} Hz is outside [{MIN_SR}, {MAX_SR}]")
        elif n < 1:
            self._refuse("the recording is empty (n=0)")
        elif n > self.max_seconds * sr:
            self._refuse(f"the recording is {n / sr:.1f} s long; the limit is "
                         f"max_seconds={self.max_seconds:g}")
        elif chunks < 1 or chunks > n:
            self._refuse(f"chunks={chunks} does not fit n={n} samples")
        else:
            self._incoming = {"id": data.get("id"), "sr": sr, "n": n, "parts": [None] * chunks}

    def _chunk(self, data) -> None:
        incoming = self._incoming
        if incoming is None or data.get("id") != incoming["id"]:
            return
        index, parts = data.get("index"), incoming["parts"]
        if not isinstance(index, int) or not 0 <= index < len(parts):
            self._refuse(f"chunk index={index!r} is out of range")
            return
        try:
            parts[index] = base64.b64decode(str(data.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            self._refuse(f"chunk {index} is not base64")
            return
        received = sum(len(p) for p in parts if p is not None)
        if received > 2 * incoming["n"]:
            self._refuse(f"more data arrived than the announced n={incoming['n']} samples")
        elif all(p is not None for p in parts):
            self._complete(b"".join(parts), incoming["sr"], incoming["n"])

    def _complete(self, pcm: bytes, sr: int, n: int) -> None:
        self._incoming = None
        if len(pcm) != 2 * n:
            self._refuse(f"received {len(pcm) // 2} samples, announced n={n}")
            return
        y = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        self.value = dsp.to_wav_bytes(y, sr=sr)
        self.status = f"Recorded {n / sr:.1f} s at {sr} Hz."

    def _refuse(self, reason: str) -> None:
        self._incoming = None
        self.status = f"The recording was refused: {reason}."

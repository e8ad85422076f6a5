"""A page's changed knobs in its URL: encoded compactly, applied whole, or refused with a reason."""

import base64
import json
import urllib.parse
import zlib

import numpy as np
import panel as pn
import pytest
from panel.io.location import Location

import listenwidgets as lw
from listenwidgets import ParameterError
from listenwidgets.apps.lab import apply_url_state
from listenwidgets.apps.state import (
    MAX_STATE_CHARS, UrlState, decode_state, encode_state, state_changes)


def packed(text: str) -> str:
    """``text`` deflated and written in base64url, as encode_state does with JSON."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(text.encode()) + packer.flush()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def url_state(location) -> str:
    return dict(urllib.parse.parse_qsl(location.search.lstrip("?"))).get("state", "")


@pytest.fixture
def stft_page():
    return lw.lab.chapter("stft", sandboxed=True)


def test_encode_decode_round_trip_is_short_and_url_safe():
    changes = {"stft": {"knobs": {"n_fft": 1024, "window": "hamming", "hop_length": None}},
               "frame": {"knobs": {"time": 2.25}, "inputs": {"source": "generator"}}}
    text = encode_state(changes)
    assert decode_state(text) == changes
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert urllib.parse.quote(text, safe="") == text
    assert len(text) < len(json.dumps(changes))
    assert encode_state({}) == ""


def test_only_changed_knobs_and_wiring_are_in_the_state(stft_page):
    assert stft_page.changes() == {}
    stft_page.graph["stft"].n_fft = 1024            # the frame follows the STFT's settings
    stft_page.graph["frame"].time = 2.5
    assert stft_page.changes() == {
        "stft": {"knobs": {"n_fft": 1024}},
        "frame": {"knobs": {"n_fft": 1024, "win_length": 1024, "time": 2.5}}}
    stft_page.graph["stft"].n_fft = 2048
    stft_page.graph["frame"].time = 1.0
    assert stft_page.changes() == {}
    assert state_changes(stft_page.graph, stft_page.defaults) == {}


def test_a_link_reproduces_the_knobs_the_wiring_and_the_spectrogram(stft_page):
    graph = stft_page.graph
    graph["stft"].param.update(n_fft=512, window="hamming", hop_length=256)
    stft_page._choices[0].selector.value = "generator"
    graph["generator"].frequency = 300.0
    text = encode_state(stft_page.changes())

    opened = lw.lab.chapter("stft", sandboxed=True)       # a new visitor follows the link
    assert apply_url_state(opened, text)
    assert not opened._notice.visible
    assert opened.graph.to_dict() == graph.to_dict()
    assert opened._choices[0].selector.value == "generator"   # the source choice follows
    assert opened.graph["stft"].source is opened.graph["generator"]
    np.testing.assert_array_equal(opened.graph["stft"].output.S, graph["stft"].output.S)


def test_knobs_a_page_ties_together_come_back_as_they_were(stft_page):
    graph = stft_page.graph
    graph["leakage"].win_length = 128                 # the page retunes the sine for 128 ...
    graph["leak_generator"].frequency = (8 + 0.8) * 8000 / 128   # ... then the offset moves
    assert offset_slider(stft_page).value == pytest.approx(0.8)   # the slider follows
    opened = lw.lab.chapter("stft", sandboxed=True)
    assert apply_url_state(opened, encode_state(stft_page.changes()))
    assert opened.graph.to_dict() == graph.to_dict()
    assert offset_slider(opened).value == pytest.approx(0.8)
    opened.graph["leakage"].win_length = 64           # and keeps the sine where it was
    assert opened.graph["leak_generator"].frequency == pytest.approx((8 + 0.8) * 8000 / 64)


def offset_slider(page):
    """The leakage tab's slider of the sine's position between two bins."""
    sliders = [w for w in page.__panel__().select(pn.widgets.FloatSlider)
               if w.name.startswith("sine between bins")]
    assert len(sliders) == 1
    return sliders[0]


def test_the_url_follows_the_knobs_and_keeps_the_chapter(stft_page):
    location = Location(search="?chapter=stft")
    url = UrlState(location)
    url.show(stft_page)
    assert location.search == "?chapter=stft"               # defaults: no state at all
    stft_page.graph["stft"].n_fft = 1024
    assert dict(urllib.parse.parse_qsl(location.search[1:]))["chapter"] == "stft"
    assert decode_state(url_state(location)) == stft_page.changes()
    stft_page.graph["stft"].n_fft = 2048
    assert location.search == "?chapter=stft"

    other = lw.lab.chapter("fourier", sandboxed=True)     # another chapter: its own (empty) state
    stft_page.graph["stft"].n_fft = 512
    url.show(other)
    assert url_state(location) == ""
    stft_page.graph["stft"].n_fft = 256                   # a page not on screen leaves the URL alone
    assert url_state(location) == ""
    url.show(stft_page)
    assert decode_state(url_state(location))["stft"] == {"knobs": {"n_fft": 256}}


@pytest.mark.parametrize("text, reason", [
    ("abc!", "is not base64url"),
    ("a", "is not base64url"),
    (base64.urlsafe_b64encode(b"\xff\xfe\xfd\x00garbage").decode().rstrip("="),
     "not a compressed state"),
    (packed('{"stft": {"knobs": {"n_fft": 1024}'), "not valid JSON"),
    (packed("[1, 2]"), "an object of nodes, got list"),
    (packed('{"stft": 3}'), "node 'stft' in the state must be an object"),
    (packed('{"stft": {"colour": {}}}'), "unknown key(s) ['colour']"),
    (packed('{"stft": {"knobs": []}}'), "stft.knobs in the state must be an object"),
    (packed('{"nope": {"knobs": {"n_fft": 1024}}}'), "node 'nope', which this graph lacks"),
    (packed('{"stft": {"knobs": {"nfft": 1024}}}'), "node 'stft' has no knob(s) ['nfft']"),
    (packed('{"stft": {"knobs": {"n_fft": 1}}}'), "n_fft"),
    (packed('{"stft": {"knobs": {"n_fft": 100000}}}'), "n_fft"),
    (packed('{"stft": {"knobs": {"window": "nonsense"}}}'), "window"),
    (packed('{"stft": {"inputs": {"source": "ghost"}}}'), "unknown node 'ghost'"),
    (packed('{"audio": {"knobs": {"origin": "path", "path": "/etc/passwd"}}}'),
     "origin='path' is disabled here"),
    ("A" * (MAX_STATE_CHARS + 4), "too long"),
    (packed(json.dumps({"stft": {"knobs": {"n_fft": 1024}}, "pad": " " * 300_000})),
     "inflates to more than"),
])
def test_malformed_states_are_refused_with_the_reason_and_the_defaults_kept(stft_page, text,
                                                                            reason):
    assert not apply_url_state(stft_page, text)
    assert stft_page._notice.visible
    shown = stft_page._notice.object.replace("\\", "")
    assert "were not applied" in shown and reason in shown, shown
    assert stft_page.graph.to_dict() == stft_page.defaults
    assert stft_page.graph["stft"].error is None           # the page still works
    stft_page.graph["stft"].n_fft = 1024
    assert stft_page.graph["stft"].output.S.shape[0] == 513


def test_a_state_refused_half_way_through_wiring_changes_nothing(stft_page):
    # The knob is valid, but a Spectrum cannot take an STFT as its source: that is only
    # found when the wire is made, after the knob was set; the page undoes it.
    text = packed(json.dumps({"stft": {"knobs": {"n_fft": 512}},
                              "frame": {"inputs": {"source": "stft"}}}))
    assert not apply_url_state(stft_page, text)
    assert "spectrogram" in stft_page._notice.object
    assert stft_page.graph.to_dict() == stft_page.defaults
    assert stft_page.graph["stft"].n_fft == 2048


def test_a_sandboxed_page_never_reads_a_server_path(stft_page, tmp_path):
    wav = tmp_path / "secret.wav"
    wav.write_bytes(lw.dsp.to_wav_bytes(np.zeros(100), sr=8000))
    with pytest.raises(ParameterError, match="origin='path' is disabled"):
        stft_page.load_state({"audio": {"knobs": {"path": str(wav)}}})
    with pytest.raises(ParameterError, match="origin='path' is disabled"):
        stft_page.load_state({"audio": {"knobs": {"origin": "path"}}})
    assert stft_page.graph["audio"].origin == "demo" and stft_page.graph["audio"].path == ""
    notebook = lw.lab.chapter("stft")                       # not sandboxed: a notebook may
    notebook.load_state({"audio": {"knobs": {"origin": "path", "path": str(wav)}}})
    assert notebook.graph["audio"].error is None and notebook.graph["audio"].output.y.size > 0


def test_the_state_cannot_lift_the_sandbox(stft_page):
    with pytest.raises(ParameterError, match="sandboxed"):
        stft_page.load_state({"audio": {"knobs": {"sandboxed": False}}})
    assert stft_page.graph["audio"].sandboxed

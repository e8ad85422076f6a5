"""A link carries the page's knobs: a new visitor sees the same knobs and the same spectrogram.

A malformed ``?state=`` is refused with a message on the page, which keeps its
defaults and keeps working; the refusal is not a browser console error. The
page's *Export* card downloads the graph as JSON, and another visitor loads it
(a bad file is refused with a message, nothing changed).
"""

import json
import urllib.parse

import pytest

from listenwidgets.apps.state import decode_state

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WINDOW_SELECT = "select:has(option:text-is('blackmanharris'))"


def url_state(url: str) -> str:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query)).get("state", "")


def wait_for_url_state(page, present=True):
    page.page.wait_for_function(
        "(present) => new URLSearchParams(window.location.search).has('state') === present",
        arg=present, timeout=30_000)
    return page.page.url


def test_a_link_to_the_stft_page_reproduces_its_knobs_and_spectrogram(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=stft")
    page.wait_for_source("stft.stft.image")
    before = page.wait_until_filled("stft.stft.image", "image")
    assert url_state(page.page.url) == ""                 # the defaults need no state
    page.page.locator(WINDOW_SELECT).first.select_option("hamming")
    image = page.wait_until_changed("stft.stft.image", before)
    assert image != before

    link = wait_for_url_state(page)
    parsed = urllib.parse.urlparse(link)
    assert dict(urllib.parse.parse_qsl(parsed.query))["chapter"] == "stft"
    state = decode_state(url_state(link))
    assert state["stft"] == {"knobs": {"window": "hamming"}}
    assert len(url_state(link)) < 200

    visitor = new_page()                                  # a new session follows the link
    visitor.page.goto(link)
    visitor.wait_for_source("stft.stft.image")
    shared = visitor.wait_until_filled("stft.stft.image", "image")
    assert visitor.page.locator(WINDOW_SELECT).first.input_value() == "hamming"
    assert shared == page.source("stft.stft.image")
    assert visitor.page.get_by_text("were not applied").count() == 0
    visitor.screenshot("share-state-visitor")
    page.assert_clean()
    visitor.assert_clean()


@pytest.mark.parametrize("state, reason", [
    ("not-a-real-state", "is not a compressed state"),
    # {"stft": {"knobs": {"n_fft": 1}}}: well formed, but n_fft=1 is below its bound of 2
    ("q1YqLkkrUbKqVsrOy08qBjHy4tNAIoa1tbUA", "n_fft"),
])
def test_a_malformed_state_is_refused_with_a_message_and_the_page_works(new_page, lab_url,
                                                                        state, reason):
    assert state.startswith("not") or decode_state(state) == {"stft": {"knobs": {"n_fft": 1}}}
    page = new_page()
    page.page.goto(lab_url + f"?chapter=stft&state={state}")
    page.wait_for_source("stft.stft.image")
    notice = page.page.get_by_text("were not applied")
    notice.wait_for(timeout=30_000)
    assert reason in notice.inner_text()
    before = page.wait_until_filled("stft.stft.image", "image")
    assert before and before["image"]                       # the defaults were computed
    assert page.page.locator(WINDOW_SELECT).first.input_value() == "hann"
    wait_for_url_state(page, present=False)                 # the refused state left the URL
    page.page.locator(WINDOW_SELECT).first.select_option("hamming")
    assert page.wait_until_changed("stft.stft.image", before) != before
    page.screenshot(f"share-state-refused-{reason.split()[0]}")
    page.assert_clean()                                     # no console error, nothing failed


def test_the_export_card_saves_the_graph_and_another_visitor_loads_it(new_page, lab_url, tmp_path):
    page = new_page()
    page.page.goto(lab_url + "?chapter=stft")
    page.wait_for_source("stft.stft.image")
    before = page.wait_until_filled("stft.stft.image", "image")
    page.page.locator(WINDOW_SELECT).first.select_option("hamming")
    image = page.wait_until_changed("stft.stft.image", before)
    page.page.get_by_text("Export", exact=True).first.click()
    button = page.page.get_by_text("Graph as JSON")
    button.wait_for(timeout=30_000)
    with page.page.expect_download(timeout=30_000) as download:
        button.click()
    saved = tmp_path / "stft.json"
    download.value.save_as(saved)
    state = json.loads(saved.read_text())
    assert state["nodes"]["stft"]["knobs"]["window"] == "hamming"
    backends = """() => window.Bokeh.documents.flatMap((doc) => [...doc._all_models.values()])
        .filter((m) => m.output_backend !== undefined).map((m) => m.output_backend)"""
    assert set(page.page.evaluate(backends)) == {"canvas"}
    assert page.page.get_by_text("Figures save as SVG").is_visible()
    svg = page.page.locator("input[type=checkbox]").first   # the card comes before the views
    svg.check()
    assert svg.is_checked()
    page.page.wait_for_function(f"() => !({backends})().includes('canvas')", timeout=30_000)
    assert set(page.page.evaluate(backends)) == {"svg"}

    visitor = new_page()
    visitor.page.goto(lab_url + "?chapter=stft")
    visitor.wait_for_source("stft.stft.image")
    hann = visitor.wait_until_filled("stft.stft.image", "image")
    visitor.page.get_by_text("Export", exact=True).first.click()
    visitor.page.get_by_text("Load a graph (JSON)").wait_for(timeout=30_000)
    # The card's file input comes before the audio upload of the page.
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "nodes": {"stft": {"knobs": {"n_fft": 1}}}}')
    visitor.page.locator("input[type=file]").first.set_input_files(str(bad))
    visitor.page.get_by_text("bad.json was not loaded").wait_for(timeout=30_000)
    assert visitor.page.locator(WINDOW_SELECT).first.input_value() == "hann"
    visitor.page.locator("input[type=file]").first.set_input_files(str(saved))
    visitor.page.get_by_text("Loaded stft.json").wait_for(timeout=30_000)
    assert visitor.page.locator(WINDOW_SELECT).first.input_value() == "hamming"
    assert visitor.wait_until_changed("stft.stft.image", hann) == image
    visitor.screenshot("export-card")
    page.assert_clean()
    visitor.assert_clean()

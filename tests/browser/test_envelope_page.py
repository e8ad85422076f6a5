"""Chapters 4-6 in headless Chromium: the envelope page's order slider and frame picker, and screenshots.

The server, the browser and the page helper are in ``conftest.py``; screenshots
go to ``artifacts/browser/``.
"""

import pytest

pytestmark = pytest.mark.browser

# The page coordinates of a point inside a named Bokeh figure's plotting frame (fx, fy in 0..1).
FRAME_POINT = """([name, fx, fy]) => {
  const model = window.Bokeh.documents.map((doc) => doc.get_model_by_name(name)).find((m) => m);
  const view = window.Bokeh.index.find_one(model);
  const box = view.el.getBoundingClientRect();
  const frame = view.frame.bbox;
  return [box.x + frame.x + fx * frame.width, box.y + frame.y + fy * frame.height];
}"""


def test_envelope_page_order_slider_and_a_click_on_the_spectrogram(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=envelope")
    page.wait_for_source("envelope.envelope.lpc")
    lpc = page.source("envelope.envelope.lpc")
    cepstrum = page.source("envelope.envelope.cepstrum")
    assert lpc and len(lpc["db"]) > 100 and max(lpc["db"]) <= 0.0

    title = page.page.locator(".bk-slider-title", has_text="order:")
    old_label = title.inner_text()
    page.slider_handle("order").focus()
    for _ in range(2):
        page.page.keyboard.press("PageUp")
    after = page.wait_until_changed("envelope.envelope.lpc", lpc)
    assert title.inner_text() != old_label
    assert after != lpc, "the LPC envelope did not change after moving the order slider"
    assert page.source("envelope.envelope.cepstrum") == cepstrum   # the order is LPC's alone

    image = page.source("envelope.envelope.image")
    spectrum = page.source("envelope.envelope.spectrum")
    frame_time = page.page.locator(".bk-slider-title", has_text="frame time (s):")
    old_time = frame_time.inner_text()
    x, y = page.page.evaluate(FRAME_POINT, ["envelope.envelope.picker", 0.25, 0.5])
    page.page.mouse.click(x, y)
    assert page.wait_until_changed("envelope.envelope.spectrum", spectrum) != spectrum, \
        "clicking the spectrogram did not move the frame"
    assert frame_time.inner_text() != old_time
    assert page.source("envelope.envelope.image") == image        # nothing recomputed or re-sent
    page.screenshot("envelope")
    page.assert_clean()


@pytest.mark.parametrize("chapter, source, tab", [
    ("features", "features.features.curve.centroid", None),
    ("features", "features.novelty.histogram", "Novelty and tempo"),
    ("mfcc", "mfcc.mel.filterbank", None),
    ("mfcc", "mfcc.mfcc.basis", "DCT and MFCC"),
])
def test_chapter_4_and_6_pages_draw_without_console_errors(new_page, lab_url, chapter, source,
                                                           tab):
    page = new_page()
    page.page.goto(lab_url + f"?chapter={chapter}")
    if tab:
        page.wait_for_source(f"{chapter}.audio.waveform")
        page.page.locator(".bk-tab", has_text=tab).click()
    page.wait_for_source(source)
    data = page.source(source)
    assert data and all(len(column) for column in data.values())
    page.screenshot(chapter if tab is None else f"{chapter}-{tab.split()[0].lower()}")
    page.assert_clean()

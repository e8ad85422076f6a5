"""Chapter 7 in headless Chromium: the CQT follows bins_per_octave, clicks select frames, tabs draw.

Uses the served lab, the browser and the page helper of ``conftest.py``;
screenshots go to ``artifacts/browser/tonal*.png``.
"""

import pytest

pytestmark = pytest.mark.browser

# Every rendered Bokeh plot view of the page (Bokeh draws titles and glyphs in a canvas).
PLOT_VIEWS = """() => {
  const seen = new Set();
  const views = [];
  const walk = (view) => {
    if (!view || seen.has(view)) return;
    seen.add(view);
    if (view.frame && view.model.title) views.push(view);
    for (const child of view.child_views ?? []) walk(child);
  };
  for (const root of Object.values(window.Bokeh.index)) walk(root);
  return views;
}"""

TITLES = "() => (" + PLOT_VIEWS + ")().map((v) => String(v.model.title.text))"

# The page-relative point at a fraction (fx, fy) of the plotting frame of the figure whose title
# starts with the given text (a click on a canvas needs coordinates).
FRAME_POINT = """([title, fx, fy]) => {
  const plot = (""" + PLOT_VIEWS + """)().find((v) => String(v.model.title.text).startsWith(title));
  if (!plot) return null;
  const box = plot.el.getBoundingClientRect();
  const frame = plot.frame.bbox;
  return [box.left + frame.left + fx * frame.width, box.top + frame.top + fy * frame.height];
}"""


def click_in_figure(page, title, fx, fy=0.5):
    """Click a Bokeh figure's plotting area at fractions of its width and height."""
    page.page.wait_for_function("(t) => (" + FRAME_POINT + ")([t, 0, 0]) !== null", arg=title,
                                timeout=30_000)
    x, y = page.page.evaluate(FRAME_POINT, [title, fx, fy])
    page.page.mouse.click(x, y)


def test_tonal_page_cqt_chroma_frames_and_tabs(new_page, lab_url):
    page = new_page()
    page.page.set_viewport_size({"width": 1400, "height": 2400})
    page.page.goto(lab_url + "?chapter=tonal")
    page.wait_for_source("tonal.cqt.image")
    page.wait_for_source("tonal.chroma.image")
    cqt = page.wait_until_changed("tonal.cqt.image", {"image": [], "x": [], "y": [], "dw": [],
                                                      "dh": []})
    assert cqt["dh"] == [84] and 0 < len(cqt["image"][0]) <= 84 * 800
    chroma = page.source("tonal.chroma.image")
    assert len(chroma["image"][0]) > 0
    page.screenshot("tonal")

    page.page.get_by_role("button", name="24", exact=True).click()      # bins_per_octave
    after = page.wait_until_changed("tonal.cqt.image", cqt)
    assert after["dh"] == [168], "the CQT did not follow bins_per_octave = 24"
    assert page.wait_until_changed("tonal.chroma.image", chroma) != chroma
    assert any("B = 24 per octave" in t for t in page.page.evaluate(TITLES))

    frame = page.source("tonal.chroma.frame")
    click_in_figure(page, "Chroma from", 0.3)                        # select a frame by a click
    clicked = page.wait_until_changed("tonal.chroma.frame", frame)
    assert clicked != frame, "a click on the chromagram did not select its frame"

    chroma = page.source("tonal.chroma.image")
    page.page.get_by_role("button", name="STFT", exact=True).click()
    assert page.wait_until_changed("tonal.chroma.image", chroma) != chroma
    assert any(t.startswith("Chroma from the STFT") for t in page.page.evaluate(TITLES))
    players = page.page.locator("audio")
    page.page.wait_for_timeout(1000)
    states = [players.nth(i).evaluate("(a) => [a.readyState, a.error && a.error.code]")
              for i in range(players.count())]
    assert len(states) >= 2 and all(error is None for _, error in states), states
    page.screenshot("tonal-chroma")

    page.page.locator(".bk-tab", has_text="Pitch helix").click()
    page.wait_for_source("tonal.helix.points")
    points = page.wait_until_filled("tonal.helix.points", "sx")
    assert len(points["sx"]) == 168
    page.slider_handle("frame time (s)").first.focus()
    page.page.keyboard.press("PageUp")
    assert page.wait_until_changed("tonal.helix.points", points) != points
    page.screenshot("tonal-helix")

    page.page.locator(".bk-tab", has_text="Tonal centroid").click()
    page.wait_for_source("tonal.chroma.curves")
    assert len(page.source("tonal.chroma.point")["x0"]) == 1
    page.screenshot("tonal-centroid")

    page.page.locator(".bk-tab", has_text="CQT kernel").click()
    page.wait_for_source("tonal.kernel.image")
    kernel = page.wait_until_filled("tonal.kernel.image", "dh")
    assert kernel["dh"] == [168]
    page.screenshot("tonal-kernel")
    page.assert_clean()

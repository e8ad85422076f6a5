"""Chapter 8 in headless Chromium: start training, watch the loss stream in, pause it, and it stops.

The server, the browser and the page helper are in ``conftest.py``; the
screenshot goes to ``artifacts/browser/trainer.png``.
"""

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOSS = "trainer.trainer.loss"


def test_trainer_page_start_streams_the_loss_and_pause_stops_it(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=trainer")
    page.wait_for_source("trainer.trainer.points")
    points = page.wait_until_filled("trainer.trainer.points", "x")
    assert points and len(points["x"]) == 100         # tone vs noise, 50 per class
    assert page.source(LOSS)["epoch"] == []

    # Slow the run down so that it is still going when Pause is clicked, however loaded the machine.
    page.page.locator("select", has=page.page.locator("option", has_text="2 epochs/s")).select_option(
        label="2 epochs/s")
    page.page.get_by_role("button", name="▶ Start").click()
    growing = page.source(LOSS)
    deadline = time.monotonic() + 60
    while len(growing["epoch"]) < 3 and time.monotonic() < deadline:
        page.page.wait_for_timeout(200)
        growing = page.source(LOSS)
    assert len(growing["epoch"]) >= 3, "no epochs streamed after Start"
    assert all(loss > 0 for loss in growing["train"])

    page.page.get_by_role("button", name="⏸ Pause").click()
    status = page.page.locator("b", has_text="paused")
    status.wait_for(timeout=30_000)        # the epoch in flight ends, the last poll lands
    page.page.wait_for_timeout(500)
    stopped = page.source(LOSS)
    page.page.wait_for_timeout(1500)
    assert page.source(LOSS) == stopped, "the loss curve kept growing after Pause"
    assert len(stopped["epoch"]) < 100, "the run finished before it could be paused"
    assert len(stopped["epoch"]) >= len(growing["epoch"])
    assert page.source("trainer.trainer.confusion")["count"]   # the matrix of the paused network
    page.screenshot("trainer", full_page=True)
    page.assert_clean()


def test_application_page_trains_and_classifies_a_held_out_clip(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=application")
    page.wait_for_source("application.predict.probabilities")
    data = page.wait_until_filled("application.predict.probabilities", "p", timeout=240.0)
    assert ["".join(label) for label in data["label"]] == ["a", "e", "i", "o", "u"]   # strings read as lists
    assert abs(sum(data["p"]) - 1.0) < 1e-6
    assert page.page.locator("text=Predicted:").count() == 1
    assert len(page.source("application.trainer.loss")["epoch"]) == 100
    page.screenshot("application", full_page=True)
    page.assert_clean()

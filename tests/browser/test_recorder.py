"""The microphone recorder in headless Chromium, fed by Chromium's fake microphone (a beep).

``--use-fake-device-for-media-stream`` replaces the microphone with a generated
tone and ``--use-fake-ui-for-media-stream`` grants the permission without a
prompt. This module's ``browser`` is a second Chromium with those flags,
launched by the Playwright of ``conftest.py``'s ``browser``; ``new_page`` and
``lab_url`` (the served lab) come from ``conftest.py``.
"""

import time

import pytest

pytestmark = pytest.mark.browser

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

# [readyState, error code, duration] of an <audio> element.
AUDIO_STATE = "(a) => [a.readyState, a.error && a.error.code, a.duration]"


@pytest.fixture(scope="module")
def browser(launch_chromium):
    """Chromium with a fake microphone that is allowed without asking (overrides conftest's)."""
    return launch_chromium(*FAKE_MICROPHONE)


def _players(page):
    """The state of every player on the page (the locator looks inside Panel's shadow roots)."""
    page.page.wait_for_timeout(1000)
    players = page.page.locator("audio")
    return [players.nth(i).evaluate(AUDIO_STATE) for i in range(players.count())]


def _wait_for_player(page, low, high, timeout=15.0):
    """The players once one holds between ``low`` and ``high`` seconds of audio."""
    deadline = time.monotonic() + timeout
    while True:
        players = _players(page)
        if any(low < duration < high for _, _, duration in players) or time.monotonic() > deadline:
            return players


def test_record_two_seconds_into_the_audio_source(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=stft")
    page.wait_for_source("stft.audio.waveform")
    waveform = page.wait_until_filled("stft.audio.waveform", "t")
    players = _wait_for_player(page, 20.7, 21.1)
    assert any(20.7 < duration < 21.1 for _, _, duration in players), players

    record = page.page.get_by_role("button", name="● Record")
    record.click()
    page.page.get_by_role("button", name="■ Stop").wait_for(timeout=10_000)
    page.page.wait_for_timeout(2000)
    page.page.get_by_role("button", name="■ Stop").click()
    page.page.get_by_text("Recorded", exact=False).wait_for(timeout=30_000)

    after = page.wait_until_changed("stft.audio.waveform", waveform)
    assert after != waveform, "the waveform did not change after recording"
    assert 1.5 < max(after["t"]) < 4.0                         # about two seconds
    assert max(abs(v) for v in after["y"]) > 0.01              # the fake microphone beeps
    players = _wait_for_player(page, 1.5, 4.0)
    assert any(1.5 < duration < 4.0 for _, _, duration in players), players
    assert all(error is None for _, error, _ in players), players
    assert page.page.get_by_text("microphone recording").count() >= 1
    page.screenshot("recorder")
    page.assert_clean()


def test_a_denied_microphone_is_explained(new_page, lab_url):
    page = new_page()
    page.page.add_init_script("""navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException("Permission denied", "NotAllowedError"));""")
    page.page.goto(lab_url + "?chapter=stft")
    page.wait_for_source("stft.audio.waveform")
    waveform = page.wait_until_filled("stft.audio.waveform", "t")
    page.page.get_by_role("button", name="● Record").click()
    page.page.get_by_text("Microphone permission was denied", exact=False).wait_for(timeout=10_000)
    assert page.source("stft.audio.waveform") == waveform
    page.assert_clean()

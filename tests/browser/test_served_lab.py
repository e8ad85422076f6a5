"""The served lab in headless Chromium: knobs move plots, audio plays, nothing leaves localhost.

The server, the browser and the page helper are in ``conftest.py`` (shared with the
other browser tests); screenshots go to ``artifacts/browser/``.
"""

import pytest

pytestmark = pytest.mark.browser


def test_fourier_frequency_slider_updates_the_spectrum(new_page, lab_url):
    other = new_page()                     # a second visitor, with its own graph
    other.page.goto(lab_url + "?chapter=fourier")
    other.wait_for_source("fourier.spectrum.magnitude")
    page = new_page()
    page.page.goto(lab_url)
    page.wait_for_source("sampling.sampler.samples")   # the first chapter is shown
    page.page.get_by_role("button", name="2. Fourier").click()
    page.wait_for_source("fourier.spectrum.magnitude")
    before = page.source("fourier.spectrum.magnitude")
    assert before and len(before["db"]) > 100
    assert other.source("fourier.spectrum.magnitude") == before

    title = page.page.locator(".bk-slider-title", has_text="frequency:")
    old_label = title.inner_text()
    page.slider_handle("frequency").focus()
    for _ in range(5):
        page.page.keyboard.press("PageUp")
    after = page.wait_until_changed("fourier.spectrum.magnitude", before)
    assert title.inner_text() != old_label
    assert after != before, "the spectrum did not change after moving the frequency slider"
    other.page.wait_for_timeout(1000)
    assert other.source("fourier.spectrum.magnitude") == before, "sessions share state"
    assert page.source("fourier.generator.waveform") is not None

    scripts = page.page.evaluate(
        "() => [...document.querySelectorAll('script[src], link[href]')]"
        ".map((e) => e.src || e.href)")
    assert scripts and all(u.startswith(lab_url.rstrip("/")) for u in scripts if u)
    page.screenshot("fourier")
    page.assert_clean()
    other.assert_clean()


def test_stft_page_spectrogram_frame_and_players(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=stft")
    page.wait_for_source("stft.stft.image")
    image = page.source("stft.stft.image")
    assert 0 < len(image["image"][0]) <= 1_000_000 // 4        # float32, about the plot's pixels
    players = page.page.locator("audio")
    page.page.wait_for_timeout(1000)
    states = [players.nth(i).evaluate("(a) => [a.readyState, a.error && a.error.code, a.duration]")
              for i in range(players.count())]
    assert states and all(error is None for _, error, _ in states), states
    window = page.page.locator("select", has=page.page.locator("option", has_text="blackmanharris"))
    window.select_option("rectangular")
    assert page.wait_until_changed("stft.stft.image", image) != image
    page.screenshot("stft-spectrogram")

    page.page.locator(".bk-tab", has_text="One frame").click()
    page.wait_for_source("stft.frame.magnitude")
    before = page.source("stft.frame.magnitude")
    page.slider_handle("time").focus()
    page.page.keyboard.press("PageUp")
    assert page.wait_until_changed("stft.frame.magnitude", before) != before
    page.screenshot("stft-frame")

    page.page.locator(".bk-tab", has_text="Leakage").click()
    page.wait_for_source("stft.leakage.bins")
    assert len(page.source("stft.leakage.bins")["f"]) == 33         # n_fft = 64: every bin marked
    page.screenshot("stft-leakage")
    page.assert_clean()


def test_sampling_players_play_even_below_browser_rates(new_page, lab_url):
    page = new_page()
    page.page.goto(lab_url + "?chapter=sampling")
    page.wait_for_source("sampling.sampler.samples")
    before = page.source("sampling.sampler.samples")
    page.slider_handle("target_sr").focus()
    page.page.keyboard.press("Home")                           # fs = 500 Hz: aliasing
    page.wait_until_changed("sampling.sampler.samples", before)
    page.page.wait_for_timeout(1500)
    players = page.page.locator("audio")
    states = [players.nth(i).evaluate("(a) => [a.readyState, a.error && a.error.code, a.duration]")
              for i in range(players.count())]
    assert len(states) >= 4 and all(error is None for _, error, _ in states), states
    assert page.page.get_by_text("aliased").count() >= 1
    page.screenshot("sampling")
    page.assert_clean()

"""Every chapter page builds and draws; the lab lists chapters in curriculum order; no sharing."""

import panel as pn
import pytest
from bokeh.document import Document

import listenwidgets as lw
from listenwidgets import ParameterError
from listenwidgets.apps.page import Page
from listenwidgets.apps.registry import CHAPTERS, get_chapter
from listenwidgets.nodes import AudioSource, Graph
from listenwidgets.views import PlayerView, ViewLayout


@pytest.mark.parametrize("name", [c.name for c in CHAPTERS])
def test_each_chapter_page_builds_and_its_shown_views_draw_without_error(name):
    page = lw.lab.chapter(name)
    assert isinstance(page, Page) and isinstance(page.graph, Graph)
    assert page.views, "a page shows at least one view"
    pn.panel(page).get_root(Document())
    shown = [view for view in page.views if view.shown]
    assert shown
    for view in shown:
        assert not view.dirty
        assert view.node.error is None, f"{view.node.name}: {view.node.error}"
        if isinstance(view, PlayerView):
            assert view._player.signal is view.node.output
        else:
            assert any(len(next(iter(s.data.values()))) for s in view.sources.values())


def test_chapters_are_in_curriculum_order_with_unique_names():
    numbers = [c.number for c in CHAPTERS]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert lw.lab.chapters() == [c.name for c in CHAPTERS]
    assert lw.lab.chapters()[:3] == ["sampling", "fourier", "stft"]


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(ParameterError, match="name='nope'.*'stft'"):
        get_chapter("nope")


def test_every_build_has_its_own_graph():
    a, b = lw.lab.chapter("stft"), lw.lab.chapter("stft")
    assert not {id(n) for _, n in a.graph.items()} & {id(n) for _, n in b.graph.items()}
    a.graph["stft"].n_fft = 512
    assert b.graph["stft"].n_fft == 2048


def test_stft_page_preloads_the_demo_and_links_the_frame_to_the_stft():
    page = lw.lab.chapter("stft")
    graph = page.graph
    assert graph["audio"].origin == "demo" and graph["stft"].source is graph["audio"]
    graph["stft"].param.update(n_fft=1024, window="hamming")
    assert (graph["frame"].n_fft, graph["frame"].win_length, graph["frame"].window) == \
        (1024, 1024, "hamming")
    spectrogram = next(v for v in page.views if v.node is graph["stft"])
    graph["frame"].time = 2.5
    assert spectrogram.cursor == 2.5
    fs_over_n = graph["leak_generator"].sr / graph["leakage"].win_length
    assert graph["leak_generator"].frequency / fs_over_n % 1 == pytest.approx(0.5)


def test_switching_the_source_rewires_the_consumers():
    page = lw.lab.chapter("fourier")
    graph = page.graph
    assert graph["spectrum"].source is graph["generator"]
    choice = next(obj for obj in page._layout.select(pn.widgets.RadioButtonGroup))
    choice.value = "audio"
    assert graph["spectrum"].source is graph["audio"]


def test_the_served_lab_is_sandboxed_and_builds_pages_lazily():
    template = lw.lab.app()
    assert isinstance(template, pn.template.BaseTemplate)
    (menu,) = [obj for obj in template.sidebar if isinstance(obj, pn.widgets.RadioButtonGroup)]
    assert list(menu.options.values()) == lw.lab.chapters()
    (main,) = template.main
    (first,) = main.objects
    assert first.objects[0].object.startswith("1.")
    menu.value = "stft"
    (page,) = main.objects
    nodes = [layout.view.node for layout in page.select(ViewLayout)]
    sources = [node for node in nodes if isinstance(node, AudioSource)]
    assert sources and all(node.sandboxed for node in sources)
    menu.value = "sampling"
    assert main.objects[0] is first          # kept for the session, not rebuilt


def test_a_page_that_fails_to_build_does_not_break_the_lab(monkeypatch):
    from listenwidgets.apps import lab, registry

    broken = registry.Chapter("broken", 99, "Broken", "listenwidgets.apps.pages.no_such_module")
    monkeypatch.setattr(lab, "CHAPTERS", (*CHAPTERS, broken))
    monkeypatch.setattr(lab, "get_chapter", lambda name: broken if name == "broken"
                        else get_chapter(name))
    template = lab.app()
    (menu,) = [obj for obj in template.sidebar if isinstance(obj, pn.widgets.RadioButtonGroup)]
    menu.value = "broken"
    (shown,) = template.main[0].objects
    assert isinstance(shown, pn.pane.Alert) and "no_such_module" in shown.object

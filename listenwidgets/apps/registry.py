"""The chapters of the lab, in the order of CURRICULUM.md.

Adding a chapter page is one entry in :data:`CHAPTERS`: write a module in
:mod:`listenwidgets.apps.pages` with a function ``build(*, sandboxed) ->
Page`` (make the nodes, named ``"<chapter>.<key>"``, put them in
:func:`~listenwidgets.apps.page.chapter_graph`, wrap them in views) and add ``Chapter("<name>", <number>, "<title>",
"listenwidgets.apps.pages.<module>")`` below. The lab's sidebar, the
``?chapter=<name>`` URL and ``listenwidgets.lab.chapter("<name>")`` pick it
up; the page module is imported only when the page is first opened.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from ..errors import ParameterError

__all__ = ["Chapter", "CHAPTERS", "get_chapter"]


@dataclass(frozen=True)
class Chapter:
    """One entry of the lab's table of contents.

    Attributes
    ----------
    name : str
        Short identifier (``lab.chapter(name)``, ``?chapter=name``).
    number : int
        The chapter number in CURRICULUM.md.
    title : str
        The title shown in the sidebar and on the page.
    module : str
        The page module; it defines ``build(*, sandboxed) -> Page``.
    """

    name: str
    number: int
    title: str
    module: str

    @property
    def label(self) -> str:
        """The sidebar label, e.g. ``"3. Short-time Fourier transform"``."""
        return f"{self.number}. {self.title}"

    def build(self, *, sandboxed: bool = False):
        """Build a fresh page (new nodes, new views) for this chapter.

        Parameters
        ----------
        sandboxed : bool
            True in the served lab: audio sources may not read server paths.
        """
        return importlib.import_module(self.module).build(sandboxed=sandboxed)


CHAPTERS: tuple[Chapter, ...] = (
    Chapter("sampling", 1, "Digital signals and sampling", "listenwidgets.apps.pages.sampling"),
    Chapter("fourier", 2, "Fourier", "listenwidgets.apps.pages.fourier"),
    Chapter("stft", 3, "Short-time Fourier transform", "listenwidgets.apps.pages.stft"),
    Chapter("features", 4, "Acoustic features", "listenwidgets.apps.pages.features"),
    Chapter("envelope", 5, "Spectral envelope", "listenwidgets.apps.pages.envelope"),
    Chapter("mfcc", 6, "MFCC", "listenwidgets.apps.pages.mfcc"),
    Chapter("tonal", 7, "Tonal features", "listenwidgets.apps.pages.tonal"),
    Chapter("trainer", 8, "Machine learning on audio features", "listenwidgets.apps.pages.trainer"),
    Chapter("application", 9, "A worked application", "listenwidgets.apps.pages.application"),
    Chapter("graph", 10, "Graph", "listenwidgets.apps.pages.graph"),
)


def get_chapter(name: str) -> Chapter:
    """Return the chapter called ``name``; a clear error names the known chapters."""
    for chapter in CHAPTERS:
        if chapter.name == name:
            return chapter
    known = ", ".join(repr(c.name) for c in CHAPTERS)
    raise ParameterError(f"no chapter name={name!r}; the lab has {known}")

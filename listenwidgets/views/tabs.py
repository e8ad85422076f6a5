"""Tabs whose hidden views pause: only the visible tab's views pull their nodes."""

from __future__ import annotations

import panel as pn

from .base import ViewLayout

__all__ = ["view_tabs"]


def view_tabs(*items, **kwargs) -> pn.Tabs:
    """Make :class:`panel.Tabs` that render lazily and pause the views in hidden tabs.

    The tabs are ``dynamic`` (a tab is rendered when first opened) and every
    :class:`~listenwidgets.views.base.NodeView` inside a tab that is not
    selected has ``active=False``, so a knob change upstream only marks it
    dirty; it redraws when its tab is selected again.

    Parameters
    ----------
    *items : (str, object) pairs
        Tab titles and contents (views, or layouts containing views).
    **kwargs
        Passed to :class:`panel.Tabs`.

    Returns
    -------
    panel.Tabs
    """
    kwargs.setdefault("sizing_mode", "stretch_width")
    tabs = pn.Tabs(*items, dynamic=True, **kwargs)

    def views_in(content):
        return [layout.view for layout in content.select(ViewLayout)]

    def sync(*_):
        for index, content in enumerate(tabs.objects):
            for view in views_in(content):
                view.active = index == tabs.active

    tabs.param.watch(sync, "active")
    sync()
    return tabs

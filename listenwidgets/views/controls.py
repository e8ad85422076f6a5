"""Widgets for a node's knobs, made per instance from its Parameters.

The widgets come from :class:`panel.Param`, so each view (each browser
session) gets its own widgets bound to its own node: nothing is a class-level
widget shared between users. Each widget carries its Parameter's ``doc`` as a
tooltip, and sliders of expensive nodes follow ``value_throttled`` (the node
recomputes when the handle is released, not at every pixel of a drag).
"""

from __future__ import annotations

import panel as pn
import param

__all__ = ["knob_names", "knob_controls", "power_of_two_options"]


def knob_names(node) -> list[str]:
    """The knobs of ``node`` a user may change: every knob with a non-negative precedence.

    Runtime data (uploaded bytes) and fixed settings (the sandbox flag) have a
    negative precedence and are left out.
    """
    return [name for name in node.knob_names()
            if node.param[name].precedence is None or node.param[name].precedence >= 0]


def power_of_two_options(low: int, high: int, *, auto: str | None = None) -> dict:
    """Options for a slider over the powers of two in ``[low, high]``.

    Parameters
    ----------
    low, high : int > 0
        The range (typically a Parameter's softbounds).
    auto : str, optional
        When given, a first option with this label and value ``None`` (for
        knobs such as ``hop_length`` whose ``None`` means "derive it").

    Returns
    -------
    dict
        Label -> value, in increasing order.
    """
    options = {auto: None} if auto else {}
    k = max(int(low), 1).bit_length() - 1
    if 2 ** k < low:
        k += 1
    while 2 ** k <= high:
        options[str(2 ** k)] = 2 ** k
        k += 1
    return options


def _default_spec(p: param.Parameter, throttled: bool) -> dict:
    """The widget spec panel.Param gets for one Parameter."""
    spec: dict = {}
    if isinstance(p, param.Integer) and p.allow_None:
        low, high = p.get_soft_bounds()
        spec = {"type": pn.widgets.DiscreteSlider,
                "options": power_of_two_options(low or 1, high or 65536, auto="auto")}
    elif isinstance(p, param.Number) and p.allow_None:
        spec = {"type": pn.widgets.FloatInput}
    if throttled and isinstance(p, param.Number):
        spec["throttled"] = True
    return spec


def knob_controls(node, *, knobs=None, widgets=None, throttled=False, width=300,
                  name_labels=True):
    """Build the controls of ``node``: one widget per knob, each with its doc as a tooltip.

    By default each widget is labelled with the knob's own name (``n_fft``,
    ``hop_length``), which is also the name of the :mod:`listenwidgets.dsp`
    argument it feeds.

    Parameters
    ----------
    node : param.Parameterized
        The node (or view) whose knobs to control.
    knobs : list of str, optional
        Which knobs, in order (default: :func:`knob_names`).
    widgets : dict, optional
        Extra :class:`panel.Param` widget specs by knob name, merged over the
        defaults (e.g. ``{"n_fft": {"type": pn.widgets.DiscreteSlider,
        "options": [...]}}``).
    throttled : bool
        Sliders update the node on release (``value_throttled``) instead of
        while dragging.
    width : int
        Width of the controls column in pixels.
    name_labels : bool
        Label each widget with the knob's name (else with the Parameter's label).

    Returns
    -------
    param_pane : panel.Param or None
        The pane that links the widgets and the node (keep a reference);
        ``None`` when there are no knobs.
    layout : panel.Column
        The widgets, each next to a tooltip icon when it has no tooltip of its own.
    """
    knobs = list(knobs if knobs is not None else knob_names(node))
    if not knobs:
        return None, pn.Column(width=width)
    specs = {}
    for name in knobs:
        spec = {"name": name if name_labels else node.param[name].label,
                **_default_spec(node.param[name], throttled)}
        spec.update((widgets or {}).get(name, {}))
        specs[name] = spec
    param_pane = pn.Param(node, parameters=knobs, widgets=specs, show_name=False,
                          sizing_mode="stretch_width")
    docs = {specs[name]["name"]: node.param[name].doc for name in knobs}
    rows = []
    for widget in param_pane.layout:
        doc = docs.get(widget.name)
        if doc and "description" not in widget.param:
            widget.sizing_mode = "stretch_width"
            rows.append(pn.Row(widget, pn.widgets.TooltipIcon(value=doc, margin=(25, 0, 0, 0)),
                               sizing_mode="stretch_width"))
        else:
            rows.append(widget)
    return param_pane, pn.Column(*rows, width=width)

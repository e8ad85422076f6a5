"""Panel's stylesheets embedded in a notebook, so nothing is fetched from its CDN.

With ``pn.extension(inline=True)`` Panel embeds its JavaScript and, when a
cell is displayed, swaps the stylesheets of the displayed models for inline
copies (Panel 1.9.4: ``panel/viewable.py:892-896`` in ``_repr_mimebundle_``,
and ``:656-660`` in ``_preprocess`` when a layout gains children). Later
updates build the stylesheets again, linked to ``cdn.holoviz.org``, and
nothing inlines them:

- an HTML or Markdown pane whose object changes (a formula with the current
  values, a status line) updates its model in place
  (``panel/pane/base.py:360`` returns before ``_preprocess``;
  ``panel/pane/markup.py:49-59`` sends all of ``_get_properties``), so its
  ``loading.css`` (``panel/reactive.py:217-219``) and the Native design's
  ``default.css`` and ``native.css`` (``panel/theme/base.py:218-220``,
  ``panel/theme/native.py:27``) come back as CDN links;
- ``pn.ipywidget`` renders a root without a comm (``panel/io/notebook.py:575``),
  so its stylesheets are never inlined, neither at first nor on updates.

Every such stylesheet passes through
:func:`panel.io.resources.patch_stylesheet` (``panel/io/resources.py:305``;
called from ``panel/reactive.py:736`` and ``:759`` and
``panel/theme/base.py:293``) with the document's ``dist_url``, which is the
CDN (``panel/reactive.py:717``) unless a Panel server set a local one. No
setting changes that: the CDN root is fixed when Panel is imported
(``config.cdn_root``, ``panel/io/resources.py:111-113``) and a notebook's
document has no ``dist_url``. :func:`embed_stylesheets` therefore wraps
``patch_stylesheet``: when ``pn.config.inline`` is set and a stylesheet would
come from the CDN, its URL becomes a ``data:`` URL holding the same file from
Panel's installed ``dist`` folder. Panel keeps one stylesheet model per URL and
document, so each file travels once per document (not once per model, as
with Panel's own inlining), and documents of a Panel server, whose
``dist_url`` is local, are left alone.
"""

from __future__ import annotations

import base64
import functools

import panel as pn
import panel.io.resources as resources
import panel.reactive as reactive

__all__ = ["embed_stylesheets", "data_url"]

_ORIGINAL = resources.patch_stylesheet


def embed_stylesheets() -> None:
    """Make Panel embed its own stylesheets whenever ``pn.config.inline`` is set.

    Idempotent. Stylesheets outside Panel's ``dist`` folder, and documents of
    a Panel server, are unchanged.
    """
    resources.patch_stylesheet = reactive.patch_stylesheet = _patch_stylesheet


def _patch_stylesheet(stylesheet, dist_url: str) -> None:
    """:func:`panel.io.resources.patch_stylesheet`, then a ``data:`` URL instead of the CDN's."""
    _ORIGINAL(stylesheet, dist_url)
    if dist_url != resources.CDN_DIST or not pn.config.inline:
        return
    try:
        url = stylesheet.url
    except Exception:  # noqa: BLE001 - not an ImportedStyleSheet (Panel's own guard)
        return
    embedded = data_url(url)
    if embedded is not None:
        stylesheet.url = embedded


@functools.lru_cache(maxsize=None)
def data_url(url: str) -> str | None:
    """The ``data:`` URL of a stylesheet that Panel links from its CDN.

    Parameters
    ----------
    url : str
        A stylesheet URL, with or without a ``?v=`` query.

    Returns
    -------
    str or None
        ``data:text/css;base64,...`` holding the file from Panel's installed
        ``dist`` folder; None when ``url`` is not under Panel's CDN ``dist``
        or the file is not installed.
    """
    if not url.startswith(resources.CDN_DIST):
        return None
    dist = resources.DIST_DIR.resolve()
    path = (dist / url[len(resources.CDN_DIST):].split("?")[0]).resolve()
    if not path.is_relative_to(dist) or not path.is_file():
        return None
    return "data:text/css;base64," + base64.b64encode(path.read_bytes()).decode("ascii")

"""Panel's stylesheets stay offline in a notebook: every CDN link becomes a ``data:`` URL.

The models are rendered as ``pn.ipywidget`` renders them (a root without a
comm) and then updated the way a formula pane is (its object changes), the two
paths on which Panel links its stylesheets to cdn.holoviz.org even with
``pn.config.inline``. The browser test ``tests/browser/test_jupyter.py`` checks
the same in JupyterLab and Notebook 7.
"""

import base64

import panel as pn
import panel.io.resources as resources
import panel.reactive as reactive
import pytest
from bokeh.document import Document
from bokeh.models import ImportedStyleSheet, UIElement

from listenwidgets.views import offline
from listenwidgets.views.offline import data_url, embed_stylesheets

LOADING = f"{resources.CDN_DIST}css/loading.css"


@pytest.fixture
def unpatched(monkeypatch):
    """Panel's own ``patch_stylesheet`` for one test (a chapter built earlier installs the patch)."""
    for module in (resources, reactive):
        monkeypatch.setattr(module, "patch_stylesheet", offline._ORIGINAL)


@pytest.fixture
def embedded(unpatched):
    """:func:`embed_stylesheets` installed for one test, Panel's own function restored after."""
    embed_stylesheets()


def stylesheet_urls(model):
    return {sheet.url for element in model.select({"type": UIElement})
            for sheet in element.stylesheets if isinstance(sheet, ImportedStyleSheet)}


def render_and_update(doc):
    """A Markdown pane in a Column, rendered without a comm into ``doc``, then given a new object.

    (``pn.ipywidget`` renders so; jupyter_bokeh then adds the root to the document.)
    """
    pane = pn.pane.Markdown("x = 1")
    root = pn.Column(pane, pn.widgets.FloatSlider(label="x")).get_root(doc)
    doc.add_root(root)
    pane.object = "x = 2"
    return root


def test_data_url_holds_the_installed_file_with_or_without_version_query():
    css = (resources.DIST_DIR / "css" / "loading.css").read_bytes()
    for url in (LOADING, f"{LOADING}?v={resources.JS_VERSION}"):
        head, _, payload = data_url(url).partition(",")
        assert head == "data:text/css;base64"
        assert base64.b64decode(payload) == css


@pytest.mark.parametrize("url", [
    "https://example.org/style.css",
    "static/extensions/panel/css/loading.css",
    f"{resources.CDN_DIST}css/no-such-file.css",
    f"{resources.CDN_DIST}../../../../etc/passwd",
])
def test_data_url_refuses_what_is_not_an_installed_panel_stylesheet(url):
    assert data_url(url) is None


def test_without_the_patch_panel_links_the_cdn_after_an_update(unpatched):
    """The gap itself: if this starts failing, Panel fixed it and the patch can go."""
    with pn.config.set(inline=True):
        root = render_and_update(Document())
    assert any(url.startswith(resources.CDN_DIST) for url in stylesheet_urls(root))


def test_with_inline_every_stylesheet_is_embedded_after_an_update(embedded):
    with pn.config.set(inline=True):
        root = render_and_update(Document())
    urls = stylesheet_urls(root)
    assert urls and all(url.startswith("data:text/css;base64,") for url in urls)


def test_each_stylesheet_is_one_shared_model_per_document(embedded):
    with pn.config.set(inline=True):
        root = render_and_update(Document())
    sheets = [sheet for element in root.select({"type": UIElement})
              for sheet in element.stylesheets if isinstance(sheet, ImportedStyleSheet)]
    assert len({id(sheet) for sheet in sheets}) == len({sheet.url for sheet in sheets})


def test_without_inline_the_links_are_panels(embedded):
    with pn.config.set(inline=False):
        root = render_and_update(Document())
    assert any(url.startswith(resources.CDN_DIST) for url in stylesheet_urls(root))
    assert not any(url.startswith("data:") for url in stylesheet_urls(root))


def test_a_served_document_keeps_its_local_dist(embedded):
    doc = Document()
    doc._template_variables["dist_url"] = "/static/extensions/panel/"
    with pn.config.set(inline=True):
        root = render_and_update(doc)
    urls = stylesheet_urls(root)
    assert any(url.startswith("/static/extensions/panel/") for url in urls)
    assert not any(url.startswith(("data:", resources.CDN_DIST)) for url in urls)

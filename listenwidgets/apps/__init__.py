"""The served lab: chapter pages composed of nodes and views, the registry of chapters, the CLI.

- :mod:`listenwidgets.apps.registry`: the chapters in curriculum order (one entry each);
- :mod:`listenwidgets.apps.pages`: one module per chapter page, each with ``build(*, sandboxed)``;
- :mod:`listenwidgets.apps.lab`: ``chapter(name)`` for notebooks and ``app()``, the whole lab;
- :mod:`listenwidgets.apps.cli`: the ``listenwidgets serve`` command.
"""

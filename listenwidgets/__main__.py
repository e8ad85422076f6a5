"""``python -m listenwidgets serve ...``: the same as the ``listenwidgets`` command."""

import sys

from .apps.cli import main

sys.exit(main())

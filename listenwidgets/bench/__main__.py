"""``python -m listenwidgets.bench``."""

import sys

from .cli import main

sys.exit(main())

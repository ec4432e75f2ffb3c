"""``python -m edgekit.live``: see ``edgekit.live.cli``."""

import sys

from .cli import main

sys.exit(main())

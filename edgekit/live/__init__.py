"""edgekit.live: the edge system's own node classes as real processes, over HTTP, on SQLite disks.
"""

from .planet import DEFAULT_SITES, DEMO_CONFIG, Planet
from .proxy import Proxy
from .sqlstore import SQLiteStore

__all__ = ["Planet", "Proxy", "SQLiteStore", "DEFAULT_SITES", "DEMO_CONFIG"]

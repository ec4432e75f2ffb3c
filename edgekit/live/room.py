"""``Room``: the instructor's view of a workshop, every site that syncs with the room's root.

In workshop mode the instructor runs the root on the room's network (with a
token) and each attendee runs a site on their laptop, syncing with it. The
root cannot call the attendees (their laptops may sit behind a NAT; children
always initiate), so the room is what the root sees: ``/metrics`` lists every
child cluster that synced, when it last did and how many keys it sent. A site
that has not synced for ``stale_s`` is shown ``silent``.

    room = Room("http://10.0.0.5:8000", token="...")
    LiveApp(room)            # edgekit.widgets.live: the whole room on the map, refreshing
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from edgekit.edge.topology import Topology, site_place

from .._checks import brief
from .planet import summary

__all__ = ["Room"]


class Room:
    """The root at ``url`` and the sites that sync with it (``status()`` asks the root)."""

    def __init__(self, url: str, token: str | None = None, stale_s: float = 10.0, timeout_s: float = 3.0) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"url={brief(url)}: expected the root's URL, such as 'http://10.0.0.5:8000'")
        if not stale_s > 0:
            raise ValueError(f"stale_s={brief(stale_s)}: expected seconds > 0")
        self.url, self.token, self.stale_s, self.timeout_s = url.rstrip("/"), token, stale_s, timeout_s
        self.root = self._get("/health")["node"]
        self.children: dict = {}

    def _get(self, path: str) -> dict:
        req = urllib.request.Request(self.url + path, headers={"Authorization": f"Bearer {self.token}"}
                                     if self.token else {})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise ValueError(f"{self.url}{path}: HTTP {e.code} ({e.read()[:200].decode(errors='replace')})") from None
        except (urllib.error.URLError, OSError) as e:
            raise RuntimeError(f"{self.url}{path}: the root does not answer ({e})") from None

    @property
    def topology(self) -> Topology:
        """The root and every child it has heard from (unknown PoP codes are left off the map)."""
        sites = []
        for c in self.children:
            try:
                site_place(c)
                sites.append(c)
            except ValueError:
                pass
        return Topology({**{s: self.root for s in sites}, self.root: None})

    def status(self) -> dict:
        """Node -> ``state`` (up, silent), and the root's own numbers; children by their last sync."""
        m = self._get("/metrics")
        self.children = m.get("children", {})
        out = {self.root: {"state": "up", **summary(m)}}
        for c, seen in self.children.items():
            out[c] = {"state": "up" if seen["seen_s_ago"] <= self.stale_s else "silent", "keys": seen["keys"],
                      "dirty": None, "syncs_completed": seen["syncs"], "bytes_in": None, "bytes_out": None}
        return out

"""The end of a live run, as in ``EdgeSystem``: heal, quiet epochs, then the kit's own checkers.

``Ending`` is the half of ``Planet`` that reads the final states off the
replicas' disks (``GET /admin/state`` of every process of a cluster) and judges
them with ``edgekit.edge.lab.checks`` against the history the clients recorded:
no repair pass, nothing of the system's own bookkeeping. ``sync_now`` makes one
replica sync at once (``POST /admin/sync``): scripted runs use it instead of
epochs, so that the same script can run in the simulator and live.
"""

from __future__ import annotations

import time

import aiohttp

from edgekit.edge.lab.checks import check_copies, check_sessions, check_writes
from edgekit.edge.system import cluster_of

from .._checks import brief

__all__ = ["Ending"]


class Ending:
    """Mixed into ``Planet``: uses its ``procs``, ``loop``, ``_get``, ``metrics``, ``heal``, ``clients``."""

    def states(self, cluster: str) -> dict:
        """Key -> the merge of what every replica of ``cluster`` holds on disk (all must answer)."""
        out, join, cls = {}, self.vtype.join, self.vtype.cls
        for keys in self.replica_states(cluster).values():
            for k, v in keys.items():
                out[k] = join(out.get(k), cls.from_json(v))
        return out

    def replica_states(self, cluster: str) -> dict:
        """Replica id -> {key: state JSON} for ``cluster``, from its process and its split replicas."""
        out = {}
        for name in [n for n in self.procs if cluster_of(n) == cluster]:
            got = self.loop.run(self._get(name, "/admin/state", 30), 40)
            if got is None:
                raise RuntimeError(f"{name} did not give its state (down or paused?): heal() first")
            out.update(got)
        return out

    def sync_now(self, replica: str) -> bool:
        """Replica ``replica`` syncs with its upstream now; True once its answer has been merged."""
        name = replica if replica in self.procs else cluster_of(replica)
        if name not in self.procs:
            raise ValueError(f"replica={brief(replica)}: expected a replica id of this planet, e.g. "
                             f"{self.topology.sites[0]}/r0")

        async def post():
            if self._session is None:
                self._session = aiohttp.ClientSession()
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            async with self._session.post(self.procs[name].url + "/admin/sync", json={"node": replica},
                                          headers=headers, timeout=aiohttp.ClientTimeout(total=30)) as r:
                body = await r.json()
                if r.status != 200:
                    raise RuntimeError(f"sync_now({replica!r}): {body.get('error')}")
                return body["completed"]

        return self.loop.run(post(), 40)

    def quiet(self, timeout_s: float = 60.0) -> None:
        """Wait until no node owes or awaits anything, twice an epoch apart (after ``heal``)."""
        c = self.config
        step = (max(c.epoch_ms, c.upstream_epoch_ms) + c.gather_ms) / 1000.0
        deadline, calm, busy = time.monotonic() + timeout_s, 0, ["?"]
        while time.monotonic() < deadline:
            m = self.metrics()
            busy = [n for n, row in m.items() if row is None] + [b for row in m.values() if row for b in row["busy"]]
            calm = calm + 1 if not busy else 0
            if calm >= 2:
                return
            time.sleep(step if not busy else min(step, 0.2))
        raise RuntimeError(f"quiet(): still syncing after {timeout_s:g} s at {busy[:6]}")

    def settle(self, timeout_s: float = 60.0) -> None:
        """``heal()`` then ``quiet()``: the protocol's own way to the end, no repair pass."""
        self.heal()
        self.quiet(timeout_s)

    def lost_writes(self):
        """``check_writes`` of the client history against the root's disks (after ``settle``)."""
        root = self.states(self.topology.root)
        return check_writes(self.history, root.get, self.vtype)

    def read_round(self) -> None:
        """Every site reads every key its replicas hold (unrecorded), then ``quiet()``."""
        async def reads(site, keys):
            for k in keys:
                await self.clients.op(site, "read", k, record=False)

        for site in self.topology.sites:
            keys = sorted({k for rep in self.replica_states(site).values() for k in rep})
            self.loop.run(reads(site, keys), 120)
        self.quiet()

    def site_copies(self):
        cls = self.vtype.cls
        return [(rid, k, cls.from_json(v)) for s in self.topology.sites
                for rid, keys in self.replica_states(s).items() for k, v in keys.items()]

    def converged(self) -> list:
        """(replica, key) whose copy differs from the root's after one read round per level."""
        for _ in range(self.topology.depth):
            self.read_round()
        root = self.states(self.topology.root)
        return check_copies(self.site_copies(), root.get, self.vtype)

    def sessions(self) -> list:
        """Read-your-writes at each site over the recorded history (problems in words)."""
        return check_sessions(self.history, self.vtype)

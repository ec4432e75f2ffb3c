"""``Planet``: a small live edge planet on this machine, started and stopped from Python or a notebook.

    from edgekit.live import Planet
    with Planet() as planet:                     # a root, two hubs, six sites: nine processes
        planet.write("LHR", "cart", 7)
        planet.drive(ops=400, tasks=4)           # concurrent clients over HTTP, history recorded
        planet.kill("root:ORD"); planet.restart("root:ORD")
        planet.settle()                          # heal every fault, wait for quiet epochs
        print(planet.lost_writes())              # the kit's own checker over the client history

Every cluster of the topology is one process (``python -m edgekit.live``) on
127.0.0.1 with its disks in a temporary folder; ``split`` runs chosen replicas as
processes of their own, ``proxies`` puts a ``Proxy`` on a cluster's link to its
upstream. The planet's HTTP work (clients, metrics, proxies) runs on one
background event-loop thread, so every method here is a plain blocking call that
works in a Jupyter kernel, whose own loop is already running. Processes never
outlive the planet (``edgekit.live.processes``).

The end of a run is the protocol's own, as in ``EdgeSystem``: ``heal()``
restarts and resumes what is down and calms every proxy; ``quiet()`` waits until
no node owes or awaits anything, twice an epoch apart; the checks then read the
final states off the replicas' disks (``/admin/state``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import random
import shutil
import signal
import tempfile
import threading
import time

import aiohttp

from edgekit.edge import EdgeConfig, Topology
from edgekit.edge.lab.checks import check_copies, check_sessions, check_writes
from edgekit.edge.system import cluster_of
from edgekit.edge.values import VALUE_TYPES

from .clients import LiveClients, workload
from .processes import Proc, ProcessGroup, free_port
from .proxy import Proxy

__all__ = ["Planet", "DEFAULT_SITES", "DEMO_CONFIG", "summary"]

DEFAULT_SITES = ("LHR", "CDG", "FRA", "IAD", "ORD", "LAX")
DEMO_CONFIG = EdgeConfig(epoch_ms=500.0, read_miss="block")


def summary(metrics: dict | None) -> dict:
    """The numbers the map and its table show, from one process's ``/metrics`` (None: unknown)."""
    m = metrics or {}
    return {k: m.get(k) for k in ("keys", "dirty", "syncs_completed", "bytes_in", "bytes_out")}


class _Loop:
    """An asyncio loop on a daemon thread; ``run`` blocks the caller until a coroutine is done."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="edgekit-live", daemon=True)
        self.thread.start()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro, timeout_s: float | None = None):
        return self.submit(coro).result(timeout_s)

    def close(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


class Planet:
    """Sites, hubs and a root as processes on 127.0.0.1 (see the module docstring)."""

    def __init__(self, sites=DEFAULT_SITES, *, topology: Topology | None = None, config: EdgeConfig | None = None,
                 geo_scale: float = 0.0, split=(), proxies=(), nodes: dict | None = None, store: str = "sqlite",
                 token: str | None = None, seed: int = 0, data: str | None = None, port: int | None = None,
                 start: bool = True, ready_s: float = 60.0) -> None:
        self.topology = Topology.tree(sites) if topology is None else topology
        if not isinstance(self.topology, Topology):
            raise TypeError(f"topology={topology!r}: expected an edgekit.edge.Topology")
        self.config = DEMO_CONFIG if config is None else config
        if not isinstance(self.config, EdgeConfig):
            raise TypeError(f"config={config!r}: expected an EdgeConfig")
        self.vtype = VALUE_TYPES[self.config.value_type]
        up = self.topology.upstream
        for name in split:
            if cluster_of(name) not in up or name == cluster_of(name):
                raise ValueError(f"split={name!r}: expected a replica id of this planet, e.g. "
                                 f"{self.topology.sites[0]}/r1")
        for name in proxies:
            if up.get(name) is None:
                raise ValueError(f"proxies={name!r}: expected a site or hub (its link to its upstream)")
        for name in nodes or {}:
            if name not in self.topology.sites:
                raise ValueError(f"nodes={name!r}: expected a site of this planet {self.topology.sites}")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65000):
            raise ValueError(f"port={port!r}: expected None (free ports) or a first port in 1024..65000")
        self.token, self.geo_scale, self.seed, self.ready_s, self.port = token, geo_scale, seed, ready_s, port
        self._own_data = data is None
        self.data = tempfile.mkdtemp(prefix="edgekit-live-") if data is None else data
        os.makedirs(self.data, exist_ok=True)
        self.group = ProcessGroup()
        self.procs = self.group.procs
        self.loop = _Loop()
        self.proxies = {n: Proxy(0, seed=seed) for n in proxies}
        for p in self.proxies.values():
            self.loop.run(p.start(), 10)
        self._common = ["--data", self.data, "--config", json.dumps(dataclasses.asdict(self.config)),
                        "--seed", str(seed), "--geo-scale", str(geo_scale), "--store", store]
        if token:
            self._common += ["--token", token]
        self._split, self._nodes, self._rng = tuple(split), dict(nodes or {}), random.Random(f"ports/{seed}")
        self.clients = LiveClients({}, self.config.value_type, token)
        self._plan()
        self._session: aiohttp.ClientSession | None = None
        self.started = False
        if start:
            self.start()

    def _plan(self) -> None:
        """Ports for every process, and each one's command line (again after a port was taken)."""
        up, split, common = self.topology.upstream, self._split, self._common
        names = (self.topology.root, *self.topology.sites, *self.topology.hubs, *split)
        ports = ({n: free_port(self._rng) for n in names} if self.port is None else
                 {n: self.port + i for i, n in enumerate(names)})  # fixed: the root first, then the sites
        url = {n: f"http://127.0.0.1:{port}" for n, port in ports.items()}
        for cluster, proxy in self.proxies.items():
            proxy.target_port = ports[up[cluster]]
        for cluster, parent in up.items():
            tier = "root" if parent is None else "site" if cluster in self.topology.sites else "hub"
            link = [] if parent is None else ["--upstream", url[parent] if cluster not in self.proxies
                                              else f"http://127.0.0.1:{self.proxies[cluster].port}",
                                              "--upstream-id", parent]
            argv = [tier, cluster, *link, *common]
            argv += [a for rid in split if cluster_of(rid) == cluster for a in ("--remote", f"{rid}={url[rid]}")]
            if cluster in self._nodes:
                argv += ["--node", self._nodes[cluster]]
            self.procs[cluster] = Proc(cluster, argv, ports[cluster], self._log(cluster))
            for rid in (r for r in split if cluster_of(r) == cluster):
                rlink = ["--upstream", url[parent], "--upstream-id", parent] if parent else []
                peers = [a for r in split if cluster_of(r) == cluster and r != rid for a in ("--remote", f"{r}={url[r]}")]
                self.procs[rid] = Proc(rid, ["replica", rid, "--tier", tier, "--front", url[cluster], *rlink, *peers,
                                             *common], ports[rid], self._log(rid))
        self.clients.urls = {s: url[s] for s in self.topology.sites}

    def _log(self, name: str) -> str:
        return os.path.join(self.data, name.replace("/", "_").replace(":", "-") + ".log")

    def __repr__(self) -> str:
        up = sum(p.alive for p in self.procs.values())
        return f"Planet({len(self.topology.sites)} sites, {up}/{len(self.procs)} processes up, data={self.data!r})"

    # -- life -------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start every process at once and wait until each serves (children retry until parents do)."""
        for attempt in range(3):
            try:
                for p in self.procs.values():
                    p.spawn()
                for p in self.procs.values():
                    p.wait_ready(self.ready_s)
                break
            except RuntimeError as e:
                self.group.stop()
                if "address already in use" not in str(e) or attempt == 2 or self.port is not None:
                    self.stop()
                    raise
                self._plan()  # another program took a port meanwhile: new ports for everyone
            except BaseException:
                self.stop()
                raise
        self.started = True

    def stop(self) -> None:
        """Stop every process, close the clients and proxies, remove the temporary folder."""
        if self.loop.loop.is_running():
            try:
                self.loop.run(self._close(), 10)
            except Exception:  # noqa: BLE001 - stopping goes on whatever the loop says
                pass
        self.group.stop()
        self.loop.close()
        if self._own_data:
            shutil.rmtree(self.data, ignore_errors=True)
        self.started = False

    close = stop

    async def _close(self) -> None:
        await self.clients.close()
        if self._session is not None:
            await self._session.close()
        for p in self.proxies.values():
            await p.stop()

    def __enter__(self) -> Planet:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- faults -----------------------------------------------------------------------------------

    def _proc(self, name: str) -> Proc:
        if name not in self.procs:
            raise ValueError(f"node={name!r}: expected one of this planet's processes {list(self.procs)}")
        return self.procs[name]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (default SIGKILL: ``kill -9``) to process ``name`` and wait until it is gone."""
        p = self._proc(name)
        p.signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            p.wait(10)

    def restart(self, name: str) -> None:
        """Start process ``name`` again on its port and disks (killing it first if it runs)."""
        p = self._proc(name)
        if p.alive:
            self.kill(name)
        p.spawn()
        p.wait_ready(self.ready_s)

    def pause(self, name: str) -> None:
        """SIGSTOP: the process is frozen (its connections hang, its timers wait)."""
        self._proc(name).signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self._proc(name).signal(signal.SIGCONT)

    def proxy(self, name: str) -> Proxy:
        if name not in self.proxies:
            raise ValueError(f"proxy {name!r}: this planet proxies {list(self.proxies)}")
        return self.proxies[name]

    def up(self, name: str) -> bool:
        p = self._proc(name)
        return p.alive and not p.paused

    def heal(self) -> None:
        """End every fault: proxies pass, paused processes resume, dead ones restart."""
        for p in self.proxies.values():
            p.heal()
        for name, p in self.procs.items():
            if p.paused:
                self.resume(name)
            if not p.alive:
                self.restart(name)

    # -- HTTP to the processes --------------------------------------------------------------------

    async def _get(self, name: str, path: str, timeout_s: float = 5.0):
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            async with self._session.get(self.procs[name].url + path, headers=headers,
                                         timeout=aiohttp.ClientTimeout(total=timeout_s)) as r:
                return await r.json() if r.status == 200 else None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
            return None

    def metrics(self, timeout_s: float = 2.0) -> dict:
        """Process name -> its ``/metrics`` (None: down, paused or not answering)."""
        names = [n for n in self.procs if self.up(n)]

        async def all_():
            return await asyncio.gather(*(self._get(n, "/metrics", timeout_s) for n in names))

        got = dict(zip(names, self.loop.run(all_(), timeout_s + 5), strict=True))
        return {n: got.get(n) for n in self.procs}

    def status(self) -> dict:
        """Process name -> what the map shows: ``state`` (up, paused, down), keys, dirty keys, syncs, bytes."""
        out = {}
        for name, m in self.metrics().items():
            p = self.procs[name]
            state = "paused" if p.paused else "down" if not p.alive else "up" if m else "silent"
            out[name] = {"state": state, **summary(m)}
        return out

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
            raise ValueError(f"replica={replica!r}: expected a replica id of this planet, e.g. "
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

    # -- clients ----------------------------------------------------------------------------------

    def write(self, site: str, key: str, value: int | None = None):
        """One client write at ``site`` (recorded); returns its ``ClientOp``."""
        return self.loop.run(self.clients.op(site, "write", key, value), 60)

    def read(self, site: str, key: str):
        return self.loop.run(self.clients.op(site, "read", key), 60)

    def drive(self, ops: int = 200, *, tasks: int = 4, keys: int = 8, write_fraction: float = 0.5, sites=None,
              seed: int | None = None, wait: bool = True, max_s: float = 120.0):
        """Run a closed-loop workload from ``tasks`` concurrent clients; ``wait=False`` returns a future."""
        fut = self.loop.submit(workload(self.clients, ops=ops, keys=keys, tasks=tasks, write_fraction=write_fraction,
                                        sites=sites, seed=self.seed if seed is None else seed, max_s=max_s))
        return fut.result(max_s + 30) if wait else fut

    @property
    def history(self) -> list:
        return self.clients.history

    # -- the end: quiet, then the kit's checkers --------------------------------------------------

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

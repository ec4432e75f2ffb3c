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
import tempfile

import aiohttp

from edgekit.edge import EdgeConfig, Topology
from edgekit.edge.system import cluster_of
from edgekit.edge.values import VALUE_TYPES

from .._checks import brief, check_number, check_seed
from .clients import LiveClients, LoopThread, workload
from .ending import Ending
from .processes import Faults, Proc, ProcessGroup, free_port
from .proxy import Proxy

__all__ = ["Planet", "DEFAULT_SITES", "DEMO_CONFIG", "summary"]

DEFAULT_SITES = ("LHR", "CDG", "FRA", "IAD", "ORD", "LAX")
DEMO_CONFIG = EdgeConfig(epoch_ms=500.0, read_miss="block")


def summary(metrics: dict | None) -> dict:
    """The numbers the map and its table show, from one process's ``/metrics`` (None: unknown)."""
    if metrics is not None and not isinstance(metrics, dict):
        raise TypeError(f"metrics={brief(metrics)}: expected a process's /metrics as a dict, or None")
    m = metrics or {}
    return {k: m.get(k) for k in ("keys", "dirty", "syncs_completed", "bytes_in", "bytes_out")}


class Planet(Faults, Ending):
    """Sites, hubs and a root as processes on 127.0.0.1 (see the module docstring)."""

    def __init__(self, sites=DEFAULT_SITES, *, topology: Topology | None = None, config: EdgeConfig | None = None,
                 geo_scale: float = 0.0, split=(), proxies=(), nodes: dict | None = None, store: str = "sqlite",
                 token: str | None = None, seed: int = 0, data: str | None = None, port: int | None = None,
                 start: bool = True, ready_s: float = 60.0) -> None:
        self.topology = Topology.tree(sites) if topology is None else topology
        if not isinstance(self.topology, Topology):
            raise TypeError(f"topology={brief(topology)}: expected an edgekit.edge.Topology")
        self.config = DEMO_CONFIG if config is None else config
        if not isinstance(self.config, EdgeConfig):
            raise TypeError(f"config={brief(config)}: expected an EdgeConfig")
        self.vtype = VALUE_TYPES[self.config.value_type]
        up = self.topology.upstream
        for name in split:
            if cluster_of(name) not in up or name == cluster_of(name):
                raise ValueError(f"split={brief(name)}: expected a replica id of this planet, e.g. "
                                 f"{self.topology.sites[0]}/r1")
        for name in proxies:
            if up.get(name) is None:
                raise ValueError(f"proxies={brief(name)}: expected a site or hub (its link to its upstream)")
        for name in nodes or {}:
            if name not in self.topology.sites:
                raise ValueError(f"nodes={brief(name)}: expected a site of this planet {self.topology.sites}")
        check_number(geo_scale, "geo_scale", 0, 100)
        check_seed(seed)
        check_number(ready_s, "ready_s", 0.1, 3_600)
        if not isinstance(start, bool):
            raise TypeError(f"start={brief(start)}: expected True (start the processes now) or False")
        if data is not None and (not isinstance(data, (str, os.PathLike)) or not str(data)):
            raise TypeError(f"data={brief(data)}: expected a directory path (str), or None for a fresh temporary one")
        if token is not None and not isinstance(token, str):
            raise TypeError(f"token={brief(token)}: expected a str, or None (no token)")
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65000):
            raise ValueError(f"port={brief(port)}: expected None (free ports) or a first port in 1024..65000")
        self.token, self.geo_scale, self.seed, self.ready_s, self.port = token, geo_scale, seed, ready_s, port
        self._own_data = data is None
        self.data = tempfile.mkdtemp(prefix="edgekit-live-") if data is None else data  # made by start()
        self.group = ProcessGroup()
        self.procs = self.group.procs
        self.loop = LoopThread()
        self.proxies = {n: Proxy(0, seed=seed) for n in proxies}
        for p in self.proxies.values():
            self.loop.run(p.start(), 10)
        self._common = ["--data", self.data, "--config", json.dumps(dataclasses.asdict(self.config)),
                        "--seed", str(seed), "--geo-scale", str(geo_scale), "--store", store]
        if token:
            self._common += ["--token", token]
        # Ports are not part of any history, so they are not drawn from ``seed``: two planets built
        # with the same seed at once (two notebooks, two test runs) would otherwise try the same
        # ports, and a killed process's port could go to the other planet before its restart.
        self._split, self._nodes, self._rng = tuple(split), dict(nodes or {}), random.Random()
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
        os.makedirs(self.data, exist_ok=True)  # not before: a Planet built with start=False writes nothing
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

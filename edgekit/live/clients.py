"""Playing the clients of a live planet over HTTP, and keeping what they saw.

Each operation is one ``GET`` or ``POST /kv/{key}`` (a write) at a site, recorded as an
``edgekit.edge.history.ClientOp`` from the answer alone (the ``Outcome`` in the
body, checked by ``Outcome.from_json``) and the client's own clock, the
machine's monotonic clock in ms. What the client cannot know is recorded as
such: a write whose connection was refused never left (``fail``); a write whose
answer never came may or may not have been applied (``info``). The checkers
(``edgekit.edge.lab.checks``) then judge the history exactly as they judge a
simulated one.

``workload`` runs ``tasks`` concurrent clients, each issuing its share of
``ops`` operations one after the other (a closed loop), at sites and keys drawn
from one seeded ``random.Random`` per task. Every write's argument is a fresh
write number, so each write is recognisable in the final state.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
import time

import aiohttp

from edgekit.edge.history import ClientOp, status_of
from edgekit.edge.messages import Outcome

from .._checks import brief
from .wire import dumps

__all__ = ["LiveClients", "LoopThread", "workload"]


class LiveClients:
    """HTTP clients of every site (``urls``: site -> URL), with the history they saw."""

    def __init__(self, urls: dict, value_type: str, token: str | None = None, timeout_s: float = 10.0) -> None:
        self.urls = dict(urls)
        self.value_type = value_type
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.history: list[ClientOp] = []
        self.errors: list[str] = []  # answers that were not an outcome (a client bug, not a fault)
        self.writes = 0
        self.session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self.session is None:
            self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def op(self, site: str, kind: str, key: str, arg=None, record: bool = True) -> ClientOp:
        """One read or write at ``site``; a write without ``arg`` gets the next write number."""
        if site not in self.urls:
            raise ValueError(f"site={brief(site)}: expected one of {list(self.urls)}")
        if kind not in ("read", "write"):
            raise ValueError(f"kind={brief(kind)}: expected 'read' or 'write'")
        if kind == "write" and arg is None:
            self.writes += 1
            arg = self.writes
        await self.open()
        url = f"{self.urls[site]}/kv/{key}"
        t0 = time.monotonic() * 1000.0
        try:
            if kind == "read":
                req = self.session.get(url, headers=self.headers, timeout=self.timeout)
            else:
                # POST, not PUT: aiohttp resends a PUT whose connection broke (see edgekit.live.server)
                req = self.session.post(url, data=dumps({"value": arg}), headers=self.headers, timeout=self.timeout)
            async with req as r:
                raw = await r.read()
            out = self._outcome(r.status, raw)
        except aiohttp.ClientConnectorError:
            out = Outcome(False, None, None)  # refused: the request never left
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            out = Outcome(False, None, None, None, maybe=kind == "write")  # sent, no answer: unknown
        op = ClientOp(site, key, kind, arg, t0, time.monotonic() * 1000.0, status_of(out), out.state, out.written)
        if record:
            self.history.append(op)
        return op

    def _outcome(self, status: int, raw: bytes) -> Outcome:
        try:
            body = json.loads(raw)
            return Outcome.from_json(body["outcome"], self.value_type)
        except (ValueError, KeyError, TypeError):
            self.errors.append(f"HTTP {status}: {raw[:200]!r}")
            return Outcome(False, None, None)


async def workload(clients: LiveClients, *, ops: int, keys: int = 8, tasks: int = 4, write_fraction: float = 0.5,
                   sites=None, seed: int = 0, max_s: float = 120.0) -> int:
    """Run ``ops`` operations from ``tasks`` concurrent clients; returns how many were issued."""
    for name, v, lo in (("ops", ops, 0), ("keys", keys, 1), ("tasks", tasks, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{name}={brief(v)}: expected an integer >= {lo}")
    if not 0.0 <= write_fraction <= 1.0:
        raise ValueError(f"write_fraction={brief(write_fraction)}: expected a probability in [0, 1]")
    sites = list(clients.urls) if sites is None else list(sites)
    names = [f"k{i}" for i in range(keys)]
    deadline = time.monotonic() + max_s
    done = 0

    async def one(i: int, share: int) -> None:
        nonlocal done
        rng = random.Random(f"{seed}/{i}")
        for _ in range(share):
            if time.monotonic() > deadline:
                return
            kind = "write" if rng.random() < write_fraction else "read"
            await clients.op(rng.choice(sites), kind, rng.choice(names))
            done += 1

    await asyncio.gather(*(one(i, ops // tasks + (i < ops % tasks)) for i in range(tasks)))
    return done


class LoopThread:
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

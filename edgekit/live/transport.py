"""Sending to other processes: a sync to the upstream, an in-site message to another process.

A sync is one HTTP exchange, ``POST /sync`` with the ``SyncRequest`` and the
``SyncResponse`` as the answer, so the child always initiates (a site behind a
NAT or a firewall can sync with a root it can reach). What comes back is
checked (``SyncResponse.from_json``, the same sync id) before the replica sees
it. A failed exchange (refused, reset, timed out, a 4xx or 5xx, an invalid
answer) is a lost message, which the protocol already survives: the keys stay
in the interest set and ride along next epoch. Nothing is retried here.

Geography (optional): a sync waits the kit's one-way latency estimate between
the two PoPs (``edgekit.sim.LatencyModel.base_one_way_ms``), times ``geo_scale``,
before it leaves and again before its answer is delivered, so the live planet
feels like the simulated one (``geo_scale=0.1``: London to Sydney in 28 ms).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import aiohttp

from edgekit.edge.messages import SyncResponse
from edgekit.edge.topology import site_place
from edgekit.sim.latency import LatencyModel

from .wire import NODE_HEADER, TYPE_HEADER, Limits, dumps

__all__ = ["Transport", "one_way_ms"]


def one_way_ms(a: str, b: str) -> float:
    """The kit's jitter-free one-way latency estimate between the PoPs of node ids ``a`` and ``b``."""
    return LatencyModel().base_one_way_ms(site_place(a), site_place(b))


class Transport:
    """Outgoing HTTP for one process (one ``aiohttp.ClientSession``, kept open)."""

    def __init__(self, host, *, upstream_url: str | None, token: str | None = None, geo_scale: float = 0.0,
                 limits: Limits | None = None, sync_timeout_s: float = 10.0) -> None:
        self.host = host
        self.upstream_url = upstream_url.rstrip("/") if upstream_url else None
        self.limits = limits or Limits()
        self.sync_timeout_s = sync_timeout_s
        self.delay_s = 0.0
        if geo_scale and host.upstream is not None:
            self.delay_s = one_way_ms(host.cluster, host.upstream) * geo_scale / 1000.0
        self.headers = {"Content-Type": "application/json", TYPE_HEADER: host.config.value_type}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.session: aiohttp.ClientSession | None = None
        self.bytes_in = self.bytes_out = 0
        self.stats: Counter = Counter()

    async def open(self) -> None:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64))

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

    async def _post(self, url: str, src: str, body: bytes, timeout_s: float) -> tuple[int, bytes]:
        self.bytes_out += len(body)
        headers = {**self.headers, NODE_HEADER: src}
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with self.session.post(url, data=body, headers=headers, timeout=timeout) as r:
            raw = await r.content.read(self.limits.sync_bytes + 1)
            self.bytes_in += len(raw)
            return r.status, raw

    async def sync(self, src: str, req) -> None:
        """Send ``req`` from ``src`` to the upstream; deliver the checked answer to ``src``."""
        host = self.host
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        try:
            status, raw = await self._post(f"{self.upstream_url}/sync", src, dumps(req.to_json()),
                                           self.sync_timeout_s)
            if status != 200 or len(raw) > self.limits.sync_bytes:
                self.stats[f"sync_http_{status}"] += 1
                return
            resp = SyncResponse.from_json(json.loads(raw), host.config.value_type)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            self.stats["sync_failed"] += 1
            return
        except (ValueError, RecursionError):
            self.stats["sync_bad_answer"] += 1
            return
        if resp.sync_id != req.sync_id:
            self.stats["sync_bad_answer"] += 1
            return
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        self.stats["syncs_answered"] += 1
        host.deliver(host.upstream, src, resp)

    async def post(self, url: str, src: str, dst: str, msg) -> None:
        """An in-site message to ``dst`` in the process at ``url`` (``POST /msg``; no answer)."""
        body = dumps({"dst": dst, "msg": msg.to_json()})
        try:
            status, _ = await self._post(f"{url.rstrip('/')}/msg", src, body, 5.0)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            self.stats["msg_failed"] += 1
            return
        if status != 202:
            self.stats[f"msg_http_{status}"] += 1

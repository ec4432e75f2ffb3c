"""A small TCP proxy between two tiers that cuts, delays or drops connections: real network faults.

Put it on the path of a child's syncs (``--upstream`` points at the proxy, the
proxy at the upstream) and change what it does while traffic flows:

============  ==========================================================================
``heal()``    pass every byte through
``cut()``     close every open connection and refuse new ones (a partition)
``delay(ms)`` hold every chunk ``ms`` before passing it on (a slow or far link)
``drop(p)``   close a connection with probability ``p`` at each chunk (a flaky link: requests
              and answers die half way, so the sender cannot tell whether it arrived)
============  ==========================================================================

It runs on an asyncio loop (the planet's own loop thread); the fault methods may
be called from any thread. Randomness is one seeded ``random.Random``. Loopback
only: it listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import random

from .._checks import brief

__all__ = ["Proxy"]

_CHUNK = 65536


class Proxy:
    """Listens on 127.0.0.1 (``port``, 0: any) and forwards to ``127.0.0.1:target_port``."""

    def __init__(self, target_port: int, port: int = 0, seed: int = 0) -> None:
        self.target_port, self.port = target_port, port
        self.rng = random.Random(seed)
        self.mode, self.delay_ms, self.p = "pass", 0.0, 0.0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server = None
        self.writers: set = set()
        self.stats = {"connections": 0, "refused": 0, "dropped": 0, "bytes": 0}

    async def start(self) -> int:
        self.loop = asyncio.get_running_loop()
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        self._close_all()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    # -- faults (any thread) ----------------------------------------------------------------------

    def heal(self) -> None:
        self.mode, self.delay_ms, self.p = "pass", 0.0, 0.0

    def cut(self) -> None:
        self.mode = "cut"
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._close_all)

    def delay(self, ms: float) -> None:
        if not ms >= 0:
            raise ValueError(f"ms={brief(ms)}: expected a delay >= 0")
        self.mode, self.delay_ms = "delay", float(ms)

    def drop(self, p: float) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p={brief(p)}: expected a probability in [0, 1]")
        self.mode, self.p = "drop", float(p)

    # -- the pump ---------------------------------------------------------------------------------

    def _close_all(self) -> None:
        for w in list(self.writers):
            w.close()
        self.writers.clear()

    async def _serve(self, reader, writer) -> None:
        if self.mode == "cut":
            self.stats["refused"] += 1
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            self.stats["refused"] += 1
            writer.close()
            return
        self.stats["connections"] += 1
        pair = (writer, up_writer)
        self.writers.update(pair)
        try:
            await asyncio.gather(self._pump(reader, up_writer, pair), self._pump(up_reader, writer, pair))
        finally:
            for w in pair:
                w.close()
                self.writers.discard(w)

    async def _pump(self, reader, writer, pair) -> None:
        try:
            while True:
                data = await reader.read(_CHUNK)
                if not data or self.mode == "cut":
                    break
                if self.mode == "delay" and self.delay_ms:
                    await asyncio.sleep(self.delay_ms / 1000.0)
                if self.mode == "drop" and self.rng.random() < self.p:
                    self.stats["dropped"] += 1
                    break
                writer.write(data)
                self.stats["bytes"] += len(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in pair:  # one side ended: end the other too (no half-open connections)
                w.close()

"""Child processes that never outlive their parent: start, wait until ready, signal, stop.

Each child (``python -m edgekit.live ...``) runs in a process group of its own
(``start_new_session``), so a signal reaches it and anything it started, and
the kit can kill, pause (SIGSTOP), resume (SIGCONT) and restart it by name. Three
guards against orphans, because a notebook kernel can die in any way:

1. ``stop_all`` runs at interpreter exit (``atexit``) and when a ``ProcessGroup``
   is garbage collected (``weakref.finalize``): SIGTERM, then SIGKILL to each group;
2. every child is started with ``--exit-with-parent``: it watches its stdin, a pipe
   whose other end only the parent holds, and exits when it closes, which happens
   however the parent dies (``kill -9`` included);
3. it also polls its parent pid and exits if it was re-parented.
"""

from __future__ import annotations

import atexit
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import time
import weakref

from .._checks import brief
from .proxy import Proxy

__all__ = ["Proc", "ProcessGroup", "Faults", "free_port", "stop_all"]

_GROUPS: weakref.WeakSet = weakref.WeakSet()


def _ephemeral() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
            return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def free_port(rng: random.Random | None = None) -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range: the port the
    kernel hands to outgoing connections (our own clients') would be taken again soon."""
    rng = rng or random.Random()
    lo = min(_ephemeral()[0], 32768)
    for _ in range(200):
        port = rng.randrange(max(1024, lo - 12000), lo)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("free_port(): no free port below the ephemeral range after 200 tries")


class Proc:
    """One child: its command line (without ``--port``), its port, and the running process if any."""

    def __init__(self, name: str, argv: list, port: int, log: str) -> None:
        self.name, self.argv, self.port, self.log = name, list(argv), port, log
        self.url = f"http://127.0.0.1:{port}"
        self.popen: subprocess.Popen | None = None
        self.paused = False
        self.ready: dict = {}

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def spawn(self) -> None:
        if self.alive:
            raise RuntimeError(f"{self.name} is already running (pid {self.popen.pid})")
        cmd = [sys.executable, "-m", "edgekit.live", *self.argv, "--port", str(self.port), "--exit-with-parent",
               "--log", self.log]
        with open(self.log, "a") as err:
            self.popen = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                          start_new_session=True, close_fds=True)
        self.paused = False

    def wait_ready(self, timeout_s: float) -> dict:
        """Block until the child prints its ready line (RuntimeError naming the log otherwise)."""
        p = self.popen
        deadline = time.monotonic() + timeout_s
        with selectors.DefaultSelector() as sel:
            sel.register(p.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if sel.select(timeout=max(0.0, min(0.2, deadline - time.monotonic()))):
                    line = p.stdout.readline()
                    if line:
                        self.ready = json.loads(line)
                        return self.ready
                if p.poll() is not None:
                    break
        raise RuntimeError(f"{self.name} did not start (exit code {p.poll()}); last lines of {self.log}:\n"
                           + self.tail())

    def tail(self, lines: int = 15) -> str:
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        """Send ``sig`` to the child's process group (nothing if it is not running)."""
        if self.popen is not None and self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass
        if sig == signal.SIGSTOP:
            self.paused = True
        elif sig in (signal.SIGCONT, signal.SIGKILL):
            self.paused = False

    def wait(self, timeout_s: float) -> bool:
        if self.popen is None:
            return True
        try:
            self.popen.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return False
        for f in (self.popen.stdin, self.popen.stdout):
            if f is not None:
                f.close()
        return True


def _stop(procs) -> None:
    """SIGTERM every group (SIGCONT first: a paused one cannot exit), wait a moment, then SIGKILL."""
    running = [p for p in procs if p.alive]
    for p in running:
        p.signal(signal.SIGCONT)
        p.signal(signal.SIGTERM)
    deadline = time.monotonic() + 3.0
    for p in running:
        if not p.wait(max(0.05, deadline - time.monotonic())):
            p.signal(signal.SIGKILL)
            p.wait(5.0)


class ProcessGroup:
    """Named children, stopped together whatever happens to their owner."""

    def __init__(self) -> None:
        self.procs: dict[str, Proc] = {}
        self._finalizer = weakref.finalize(self, _stop, self.procs.values())
        _GROUPS.add(self)

    def stop(self) -> None:
        _stop(list(self.procs.values()))


class Faults:
    """Real faults by process name, mixed into ``Planet`` (uses its ``procs``, ``proxies``, ``ready_s``)."""

    def _proc(self, name: str) -> Proc:
        if name not in self.procs:
            raise ValueError(f"node={brief(name)}: expected one of this planet's processes {list(self.procs)}")
        return self.procs[name]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (default SIGKILL: ``kill -9``) to process ``name`` and wait until it is gone."""
        p = self._proc(name)
        p.signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            p.wait(10)

    def restart(self, *names: str) -> None:
        """Start processes ``names`` again on their ports and disks (killing any that runs first).

        All of them start at once, then each is waited for: a child spends most of its start-up
        importing, so two restarted together take about as long as one on a machine with two cores.
        """
        if not names:
            raise TypeError("restart(): expected one or more process names")
        procs = {name: self._proc(name) for name in names}
        for name, p in procs.items():
            if p.alive:
                self.kill(name)
        for p in procs.values():
            p.spawn()
        for p in procs.values():
            p.wait_ready(self.ready_s)

    def pause(self, name: str) -> None:
        """SIGSTOP: the process is frozen (its connections hang, its timers wait)."""
        self._proc(name).signal(signal.SIGSTOP)

    def resume(self, name: str) -> None:
        self._proc(name).signal(signal.SIGCONT)

    def proxy(self, name: str) -> Proxy:
        if name not in self.proxies:
            raise ValueError(f"proxy {brief(name)}: this planet proxies {list(self.proxies)}")
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
        down = [name for name, p in self.procs.items() if not p.alive]
        if down:
            self.restart(*down)


def stop_all() -> None:
    """Stop the children of every group still alive (at interpreter exit)."""
    for group in list(_GROUPS):
        group.stop()


atexit.register(stop_all)

"""Playing the clients of an ``EdgeSystem``: invoke operations, wait for replies, keep the history.

In the simulator the system's driver is the client of every site: it invokes a
read or a write at a site's front end (``Site.read``/``Site.write``) and, when
the reply comes, records what the client saw (``edgekit.edge.history.ClientOp``)
and tells the observer, if any. A PoP whose front end is down answers nothing:
its clients get an error at once. ``max_events`` bounds how much simulation one
driving step may cost (a degenerate configuration is stopped, not waited for).
"""

from __future__ import annotations

import gc
import itertools
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial

from .._checks import brief, check_number
from .history import ClientOp, status_of
from .messages import Outcome
from .site import READ, WRITE

__all__ = ["Clients", "long_lived"]

_DOWN = Outcome(False, None, None)  # what a client gets from a PoP whose front end is down


@contextmanager
def long_lived():
    """Yield a function that moves every object alive now out of the cyclic collector's sight.

    A long run fills stores with hundreds of thousands of CRDT states that live on, and makes
    almost no reference cycles; each full collection would traverse them all again. So the
    driver freezes survivors after each step (``gc.freeze`` is cheap) and unfreezes at the end,
    when the collector may look at everything once. Like ``edgekit.sim``, it leaves the
    collector alone when it is off or something else has frozen objects."""
    own = gc.isenabled() and gc.get_freeze_count() == 0
    try:
        yield gc.freeze if own else (lambda: None)
    finally:
        if own:
            gc.unfreeze()


class Clients:
    """Mixed into ``EdgeSystem``: uses its ``sim``, ``sites``, ``contexts``, ``observer``, ``history``."""

    def invoke(self, site: str, kind: str, key: str, arg=None, done: Callable | None = None,
               observe: bool = True) -> None:
        """Start one client operation at ``site`` now; ``done(ClientOp)`` when it is answered.
        ``observe=False`` keeps it from the observer (the checks' own reads are not the workload's)."""
        if not isinstance(site, str) or site not in self.sites:
            raise ValueError(f"site={brief(site)}: expected one of {brief(list(self.sites))}")
        if kind not in (READ, WRITE):
            raise ValueError(f"kind={brief(kind)}: expected 'read' or 'write'")
        if not isinstance(key, str) or not key:
            raise ValueError(f"key={brief(key)}: expected a non-empty string")
        self._invoke(site, READ if kind == READ else WRITE, key, arg, done, observe)

    def _invoke(self, site, kind, key, arg, done, observe) -> None:
        if kind is WRITE and arg is None:
            self.writes += 1
            arg = self.writes
        ctx = self.contexts[site]
        reply = partial(self._record, site, kind, key, arg, self.sim.now, done, observe)  # reply(outcome)
        if not ctx.up:
            return reply(_DOWN)  # the PoP is down: its clients get an error
        self.sites[site].start(ctx, kind, key, arg, reply)  # read or write: checked above

    def _record(self, site, kind, key, arg, t0, done, observe, out: Outcome) -> None:
        now = self.sim.now
        obs = self.observer
        if obs is not None and observe:
            if kind is READ:
                obs.read(t0, site, key, out)
            else:
                obs.write(now, site, key, out)
        keep = kind is WRITE or self.record_reads
        if keep or done is not None:
            op = ClientOp(site, key, kind, arg, t0, now, status_of(out), out.state, out.written)
            if keep:
                self.history.append(op)
            if done is not None:
                done(op)

    def call(self, site: str, kind: str, key: str, arg=None, max_ms: float = 60_000.0) -> Outcome:
        """Run one client operation at ``site`` now and the simulator until it is answered."""
        if check_number(max_ms, "max_ms", 0) == 0:
            raise ValueError(f"max_ms={brief(max_ms)}: expected a finite time in ms > 0")
        got: list = []
        self.invoke(site, kind, key, arg, got.append)
        limit = self.sim.now + max_ms
        while not got and self.sim.now < limit:
            self._run(min(self.sim.now + 10.0, limit))
        if not got:
            raise RuntimeError(f"call({site!r}, {kind!r}, {key!r}): no answer within {max_ms:g} ms")
        op = got[0]
        return Outcome(op.ok, op.complete_ms - op.invoke_ms, op.state, op.written, op.status == "info")

    def drive(self, workload, progress: bool = False, batch: int = 4096) -> None:
        """Run ``workload``'s operations (``(time_ms, site_index, key_index, is_write)``) in
        simulated time until the last one has been invoked.

        Each operation is one simulator event: ``batch`` of them at a time are put on the heap,
        and the simulator runs up to the last of them (the event budget is checked in between)."""
        if not all(hasattr(workload, a) for a in ("sites", "key_names", "ops", "__iter__")):
            raise TypeError(f"workload={brief(workload)}: expected an edgekit.edge.lab Workload")
        missing = [s for s in workload.sites if s not in self.sites]
        if missing:
            raise ValueError(f"workload sites {missing}: not sites of this topology; "
                             f"expected some of {list(self.sites)}")
        keys, names, invoke, sim = workload.key_names(), list(workload.sites), self._invoke, self.sim
        call_at = sim.call_at
        kinds = (READ, WRITE)
        t0 = sim.now
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=workload.ops, unit="op", unit_scale=True, mininterval=0.5)

        done = 0
        ops = iter(workload)
        with long_lived() as freeze:
            while True:
                chunk = list(itertools.islice(ops, batch))
                if not chunk:
                    break
                for t, si, ki, is_write in chunk:
                    call_at(t0 + t, invoke, names[si], kinds[is_write], keys[ki], None, None, True)
                self._run(t0 + chunk[-1][0])
                freeze()
                done += len(chunk)
                if bar is not None:
                    bar.update(len(chunk))
        self.client_events += done
        self.end_ms = sim.now
        if bar is not None:
            bar.close()

    def _run(self, until: float) -> None:
        self.sim.run(until=until)
        if self.max_events is not None and self.sim.events_run - self._events0 > self.max_events:
            raise RuntimeError(f"max_events={self.max_events}: the simulator ran {self.sim.events_run:,} "
                               f"events by t={self.sim.now:.0f} ms; a degenerate configuration (or a bug) "
                               "keeps it busy")

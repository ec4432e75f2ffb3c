"""Convergence under a hostile network: the one law that needs a little simulation.

Replicas apply random operations and send each other their states (or their
deltas) through a network that reorders, drops and duplicates messages.
Afterwards every replica receives everything once more (anti-entropy: every
final state, or every delta ever made, in a random order, some twice). A
type converges when all replicas then hold the same state. Used by
``laws.convergent``; the history is seeded and shrinks to a short failing one.
"""

from __future__ import annotations

import random

__all__ = ["simulate"]


def _schedule(rng: random.Random, replicas: int, n_ops: int, size: int, drop: float, duplicate: float) -> list[tuple]:
    """A random history: ops, sends, and deliveries in a random order (some dropped or repeated)."""
    events: list[tuple] = []
    in_flight: list[int] = []
    next_id = 0
    for _ in range(size):
        roll = rng.random()
        if roll < 0.45:
            events.append(("op", rng.randrange(replicas), rng.randrange(n_ops), rng.getrandbits(32)))
        elif roll < 0.75:
            src, dst = rng.sample(range(replicas), 2) if replicas > 1 else (0, 0)
            events.append(("send", src, dst, next_id))
            if rng.random() >= drop:  # a dropped message is simply never delivered
                in_flight.append(next_id)
            next_id += 1
        elif in_flight:
            mid = in_flight.pop(rng.randrange(len(in_flight)))  # any in-flight message: reordering
            events.append(("deliver", mid))
            if rng.random() < duplicate:
                in_flight.append(mid)  # delivered again later
    events.append(("final", rng.getrandbits(32)))
    return events


def _replay(source, events: list[tuple], deltas: bool) -> list:
    """Run ``events``; return every replica's state after the final anti-entropy round."""

    def join(a, b):  # None: a replica that has no state yet (no bottom was given)
        return b if a is None else a if b is None else source.merge(a, b)

    n = source.replicas
    reps = [source.bottom] * n
    made: list[list] = [[] for _ in range(n)]  # deltas each replica has made
    sent_upto: dict[tuple[int, int], int] = {}
    messages: dict[int, tuple[int, object]] = {}
    final_seed = 0
    for e in events:
        if e[0] == "op":
            _, r, i, seed = e
            out = source.ops[i](reps[r], f"r{r}", random.Random(seed))
            if deltas:
                made[r].append(out)
                out = join(reps[r], out)
            reps[r] = out
        elif e[0] == "send":
            _, src, dst, mid = e
            if deltas:  # a delta group: everything src made since its last send to dst
                start = sent_upto.get((src, dst), 0)
                group = made[src][start:]
                sent_upto[(src, dst)] = len(made[src])
                if not group:
                    continue
                payload = group[0]
                for d in group[1:]:
                    payload = join(payload, d)
            else:
                payload = reps[src]
            messages[mid] = (dst, payload)
        elif e[0] == "deliver":
            if e[1] in messages:
                dst, payload = messages[e[1]]
                reps[dst] = join(reps[dst], payload)
        else:
            final_seed = e[1]
    rng = random.Random(final_seed)
    everything = [d for ds in made for d in ds] if deltas else list(reps)
    for r in range(n):
        inbox = everything + [rng.choice(everything)] if everything else []
        rng.shuffle(inbox)
        for x in inbox:
            reps[r] = join(reps[r], x)
    return reps


def _describe(events: list[tuple], ops) -> str:
    words = []
    for e in events:
        if e[0] == "op":
            name = getattr(ops[e[2]], "__name__", "<lambda>")
            words.append(f"{name if name != '<lambda>' else f'op {e[2]}'} at r{e[1]}")
        elif e[0] == "send":
            delivered = sum(1 for x in events if x == ("deliver", e[3]))
            fate = {0: "lost", 1: "delivered"}.get(delivered, f"delivered {delivered} times")
            words.append(f"r{e[1]} sends to r{e[2]} ({fate})")
    return "; ".join(words) or "no operations"


def simulate(source, deltas: bool, seed: int, trials: int, drop: float, duplicate: float,
             show) -> tuple[bool, int, str, tuple]:
    """``trials`` seeded histories; the first that does not converge, shrunk and explained.

    Returns ``(ok, trials run, message, example states)``, which ``laws.convergent`` reports.
    """
    rng = random.Random(f"convergent:{seed}")

    def fails(events):
        try:
            reps = _replay(source, events, deltas)
        except Exception as exc:  # a learner's op or merge may raise anything: say which
            return f"convergence run raised {type(exc).__name__}: {exc}", ()
        for i in range(1, len(reps)):
            if reps[i] != reps[0]:
                what = "delta" if deltas else "state"
                return (f"replicas did not converge: after every replica received every {what} "
                        f"(in a random order, some lost or repeated on the way), r0 has {show(reps[0])} "
                        f"but r{i} has {show(reps[i])}. History: {_describe(events, source.ops)}"), tuple(reps)
        return None, ()

    for t in range(trials):
        events = _schedule(rng, source.replicas, len(source.ops), 2 + t * 24 // max(trials, 1), drop, duplicate)
        message, example = fails(events)
        if message is None:
            continue
        changed = True
        while changed:  # shrink: drop one event at a time while it still fails
            changed = False
            for i in range(len(events) - 1):
                smaller = events[:i] + events[i + 1 :]
                m, ex = fails(smaller)
                if m is not None:
                    events, message, example, changed = smaller, m, ex, True
                    break
        return False, t + 1, message, example
    kind = "deltas" if deltas else "states"
    return True, trials, f"convergent: {trials} histories with lost, repeated and reordered {kind} all converged", ()

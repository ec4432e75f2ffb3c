"""Linearizability checking: can every operation be given one instant inside its interval?

A history is *linearizable* (Herlihy & Wing 1990) when each operation can be
assigned a single point between its call and its return such that, taken in
the order of those points, the operations follow the model's sequential rules.

The search is Wing & Gong's (1993) as refined by Lowe ("Testing for
linearizability", 2017, the algorithm he calls WGL), which is also what the
Go checker porcupine runs:

* Walk the calls and returns in time order. At a call, try to linearize that
  operation now (the model must accept its output in the current state); at
  a return whose operation is not linearized yet, it is too late for it, so
  undo the latest choice and try the next candidate (backtrack). The events
  live in a doubly linked list so that a linearized operation's call and
  return are lifted out, and put back when backtracking, in O(1).
* Memoisation: a (set of linearized operations, model state) pair reached
  once need not be explored again. The set is a bitset held in a Python int,
  so states must be hashable.

Operations that never returned, or whose outcome is ``UNKNOWN``, may take
effect at any point after their call or not at all, so their return sits at
the end of time and the search succeeds once every *completed* operation is
linearized. A model's ``partition`` splits the history into independent parts
(one per key for ``"kv"``), each searched on its own.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property

from .history import Operation, is_open, validate_history
from .models import Model, get_model

__all__ = ["LinearizabilityResult", "check_linearizable", "search"]


def search(
    ops: list[Operation], model: Model, env: list[Operation] = ()
) -> tuple[bool, list[int], int]:
    """Wing-Gong-Lowe search of one part: (linearizable?, a witness order, states explored).

    The witness lists indices into ``ops`` in linearization order; operations that
    may never have taken effect and were not needed are left out. ``env`` are
    operations that may take effect at any one moment within their own interval,
    or never: the explainer uses them to stand for "everything else that
    happened". Indices ``>= len(ops)`` in the witness are such operations
    (``env[index - len(ops)]``).

    >>> from edgekit.checkers.models import REGISTER
    >>> w = Operation(1, 0, 10, ("write", 1))
    >>> r = Operation(2, 5, 6, ("read", None), 1)
    >>> search([w, r], REGISTER)[:2]
    (True, [0, 1])
    """
    n, m = len(ops), len(env)
    opened = [is_open(op) for op in ops] + [True] * m  # environment operations are optional
    everything = list(ops) + list(env)
    events = sorted(
        [(op.call, 0, i) for i, op in enumerate(everything)]
        + [(math.inf if opened[i] else op.ret, 1, i) for i, op in enumerate(everything)]
    )
    # Entries: 0 is the head sentinel, then the events in time order, then the tail.
    # At equal times calls come first, so touching intervals count as concurrent.
    size = len(events)
    head, tail = 0, size + 1
    nxt = list(range(1, size + 2)) + [tail]
    prv = [0] + list(range(0, size + 1))
    op_of = [-1] * (size + 2)
    is_call = [False] * (size + 2)
    match = [0] * (size + 2)
    call_entry = [0] * (n + m)
    for pos, (_, kind, i) in enumerate(events, start=1):
        op_of[pos] = i
        if kind == 0:
            is_call[pos] = True
            call_entry[i] = pos
        else:
            match[call_entry[i]] = pos

    calls = [op.call for op in everything]
    # The last moment each operation may act: only environment operations need the check,
    # the list order already keeps the others inside their intervals.
    last = [math.inf] * n + [math.inf if is_open(x) else x.ret for x in env]
    bit = [1 << i for i in range(n + m)]
    core_mask = (1 << n) - 1
    live_masks: dict[float, int] = {}  # floor -> operations that can still act
    inputs = [op.input for op in everything]
    outputs = [op.output for op in everything]
    step = model.step
    remaining = opened.count(False)  # completed operations still to linearize
    state = model.init
    done = 0  # bitset of linearized operations
    # (done, state) pairs already explored. With environment operations, whose
    # availability depends on how late the last linearization point was, the key
    # also holds that floor, and forgets those whose interval has closed.
    seen: set[tuple] = set()
    floor = -math.inf  # the latest call linearized so far: no later point can be earlier
    stack: list[tuple[int, object, float]] = []  # (call entry, state and floor before it)
    e = nxt[head]
    while remaining:
        if is_call[e]:
            i = op_of[e]
            if m and last[i] < floor:  # an environment operation whose interval has closed
                e = nxt[e]
                continue
            ok, new_state = step(state, inputs[i], outputs[i])
            # An open operation that would leave the state as it is can simply never
            # take effect: linearizing it would only add obligations, never remove any.
            if ok and not (opened[i] and new_state == state):
                bits = done | bit[i]
                if m:
                    new_floor = floor if calls[i] <= floor else calls[i]
                    live = live_masks.get(new_floor)
                    if live is None:
                        live = core_mask
                        for j in range(n, n + m):
                            if last[j] >= new_floor:
                                live |= bit[j]
                        live_masks[new_floor] = live
                    key = (bits & live, new_state, new_floor)
                else:
                    new_floor, key = floor, (bits, new_state)
                if key not in seen:
                    seen.add(key)
                    stack.append((e, state, floor))
                    state, done, floor = new_state, bits, new_floor
                    if not opened[i]:
                        remaining -= 1
                    # Lift the call and its return out of the list.
                    r = match[e]
                    p, q = prv[e], nxt[e]
                    nxt[p], prv[q] = q, p
                    p, q = prv[r], nxt[r]
                    nxt[p], prv[q] = q, p
                    e = nxt[head]
                    continue
            e = nxt[e]
        else:
            # A return whose operation is not linearized yet: undo the latest choice.
            if not stack:
                return False, [], len(seen)
            e, state, floor = stack.pop()
            i = op_of[e]
            done ^= bit[i]
            if not opened[i]:
                remaining += 1
            r = match[e]
            p, q = prv[r], nxt[r]
            nxt[p], prv[q] = r, r
            p, q = prv[e], nxt[e]
            nxt[p], prv[q] = e, e
            e = nxt[e]
    return True, [op_of[entry] for entry, _, _ in stack], len(seen)


@dataclass(eq=False)
class LinearizabilityResult:
    """The verdict of ``check_linearizable``; ``str(result)`` explains it in plain words."""

    ok: bool
    model: Model
    history: list[Operation]
    witness: dict[Hashable, list[Operation]] = field(repr=False)
    """For each part (``None`` when the model has no partition), a valid order found."""
    failed_part: Hashable = None
    """The key (for a partitioned model) whose operations cannot be ordered."""
    failed_ops: list[Operation] = field(default_factory=list, repr=False)
    states_explored: int = 0

    def __bool__(self) -> bool:
        return self.ok

    @property
    def linearization(self) -> list[Operation] | None:
        """The witness order for an unpartitioned model (``None`` when not linearizable)."""
        if not self.ok:
            return None
        if len(self.witness) == 1:
            return next(iter(self.witness.values()))
        return [op for ops in self.witness.values() for op in ops]  # per part, in part order

    @cached_property
    def counterexample(self) -> list[Operation]:
        """A smallest set of operations that cannot be ordered (empty when ok); see ``minimal_counterexample``."""
        if self.ok:
            return []
        from .explain import minimal_counterexample

        return minimal_counterexample(self.failed_ops, self.model)

    def explain(self) -> str:
        """The verdict in plain words, naming the operations that cannot be ordered."""
        from .explain import explain

        return explain(self)

    def __str__(self) -> str:
        return self.explain()


def check_linearizable(history: list[Operation], model: str | Model = "cas-register") -> LinearizabilityResult:
    """Is ``history`` linearizable under ``model`` (``'register'``, ``'cas-register'``, ``'kv'`` or a Model)?

    >>> ops = [Operation("a", 0, 1, ("write", 1)), Operation("b", 2, 3, ("read", None), None)]
    >>> check_linearizable(ops, "register").ok
    False
    """
    model = get_model(model)
    ops = validate_history(history)
    if model.validate is not None:
        for op in ops:
            model.validate(op)
    parts = model.partition(ops) if model.partition is not None else {None: ops}
    witness: dict[Hashable, list[Operation]] = {}
    explored = 0
    for key, part in parts.items():
        try:
            ok, order, n_states = search(part, model)
        except TypeError as err:
            if "unhashable" in str(err):
                raise TypeError(f"model={model.name!r}: states must be hashable ({err})") from err
            raise
        explored += n_states
        if not ok:
            return LinearizabilityResult(False, model, ops, witness, key, part, explored)
        witness[key] = [part[i] for i in order]
    return LinearizabilityResult(True, model, ops, witness, states_explored=explored)


"""The Wing-Gong-Lowe search at the heart of the linearizability checker, and its budget.

Walk the calls and returns in time order. At a call, try to linearize that
operation now (the model must accept its output in the current state); at a
return whose operation is not linearized yet, it is too late for it, so undo
the latest choice and try the next candidate (backtrack). The events live in
a doubly linked list so that a linearized operation's call and return are
lifted out, and put back when backtracking, in O(1). A (set of linearized
operations, model state) pair reached once need not be explored again
(Lowe, "Testing for linearizability", 2017); the set is a bitset in an int.

The search is exponential in the worst case (sixteen concurrent writes and a
read nobody wrote explore half a million states), so it runs on a ``Budget``
of states and seconds. When the budget runs out the answer is *unknown*,
never a guess: ``BudgetExhausted`` says which limit was reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from time import monotonic

from .._checks import brief
from .history import Operation, is_open, validate_history
from .models import Model, get_model

__all__ = ["Budget", "BudgetExhausted", "DEFAULT_MAX_STATES", "DEFAULT_MAX_SECONDS", "search", "unacceptable"]

DEFAULT_MAX_STATES = 250_000
"""Enough for every published Jepsen etcd and porcupine history (the largest needs 178,000);
about a second of search, and tens of megabytes of memo."""

DEFAULT_MAX_SECONDS = 60.0
"""A safety net for slow models: the state budget is what stops a search in practice."""


class BudgetExhausted(Exception):
    """The search ran out of its budget, so the answer is unknown; ``str`` says which limit."""

    def __init__(self, reason: str, states: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.states = states


@dataclass
class Budget:
    """States and seconds a check may spend, over every search it runs (``None``: no limit).

    >>> Budget(max_states=10).states_left()
    10
    """

    max_states: int | None = DEFAULT_MAX_STATES
    max_seconds: float | None = DEFAULT_MAX_SECONDS
    used: int = 0
    _deadline: float = field(default=math.inf, repr=False)

    def __post_init__(self) -> None:
        m, s = self.max_states, self.max_seconds
        if m is not None and (isinstance(m, bool) or not isinstance(m, int)):
            raise TypeError(f"max_states={brief(m)}: expected an int >= 1 or None (no limit)")
        if m is not None and m < 1:
            raise ValueError(f"max_states={brief(m)}: expected an int >= 1 or None (no limit)")
        if s is not None and (isinstance(s, bool) or not isinstance(s, (int, float))):
            raise TypeError(f"max_seconds={brief(s)}: expected a number of seconds > 0 or None (no limit)")
        if s is not None and not 0 < s <= 1e9:
            raise ValueError(f"max_seconds={brief(s)}: expected a finite number of seconds > 0 or None")
        self._deadline = math.inf if s is None else monotonic() + s

    def states_left(self) -> float:
        return math.inf if self.max_states is None else self.max_states - self.used

    def deadline(self) -> float:
        return self._deadline

    def spend(self, states: int) -> None:
        self.used += states

    def exhausted(self, states: int, which: str) -> None:
        self.used += states
        if which == "states":
            why = f"it explored max_states={self.max_states:,} search states"
        else:
            why = f"it ran for max_seconds={self.max_seconds:g} s ({self.used:,} states)"
        raise BudgetExhausted(
            f"the search stopped before deciding: {why} without finding an order or proving that "
            "none exists. Pass a larger max_states or max_seconds, or check a shorter history.", self.used)


CLOSURE_STEPS = 20_000  # model steps the pre-check may take before leaving it to the search


def unacceptable(ops: list[Operation], everything: list[Operation], model: Model) -> int | None:
    """The index of a completed operation of ``ops`` that no reachable state accepts, or None.

    Every state any order of the operations can reach lies in the closure of the initial
    state under every operation's step (real time ignored), so an operation that no state of
    the closure accepts, such as a read of a value nobody wrote, rules out every order. It
    answers in a few steps where the search would try every order of the writes before it;
    None also when the closure is larger than ``CLOSURE_STEPS`` steps can cover.

    >>> from edgekit.checkers.models import REGISTER
    >>> w, r = Operation(1, 0, 1, ("write", 1)), Operation(2, 2, 3, ("read", None), 7)
    >>> unacceptable([w, r], [w, r], REGISTER)
    1
    """
    ops, everything, model = validate_history(ops, "ops"), validate_history(everything, "everything"), get_model(model)
    try:
        kinds: dict[tuple, list[int]] = {}  # (input, output) -> its operations: step each once
        for k, op in enumerate(everything):
            kinds.setdefault((op.input, op.output), []).append(k)
        waiting = {k for k, op in enumerate(ops) if not is_open(op)}
        states, known = [model.init], {model.init}
        steps = 0
        for state in states:  # grows while it is walked: a breadth-first closure
            for (inp, out), members in kinds.items():
                steps += 1
                if steps > CLOSURE_STEPS:
                    return None
                ok, new = model.step(state, inp, out)
                if ok:
                    waiting.difference_update(members)
                    if not waiting:
                        return None
                    if new not in known:
                        known.add(new)
                        states.append(new)
    except TypeError:  # unhashable inputs or states: leave it to the search, which explains
        return None
    return min(waiting) if waiting else None


def search(
    ops: list[Operation], model: Model, env: list[Operation] = (), budget: Budget | None = None
) -> tuple[bool, list[int], int]:
    """Wing-Gong-Lowe search of one part: (linearizable?, a witness order, states explored).

    The witness lists indices into ``ops`` in linearization order; operations that
    may never have taken effect and were not needed are left out. ``env`` are
    operations that may take effect at any one moment within their own interval,
    or never: the explainer uses them to stand for "everything else that
    happened". Indices ``>= len(ops)`` in the witness are such operations
    (``env[index - len(ops)]``). With a ``budget``, the states explored are charged to it,
    and ``BudgetExhausted`` is raised when it runs out.

    >>> from edgekit.checkers.models import REGISTER
    >>> w = Operation(1, 0, 10, ("write", 1))
    >>> r = Operation(2, 5, 6, ("read", None), 1)
    >>> search([w, r], REGISTER)[:2]
    (True, [0, 1])
    """
    ops, env, model = validate_history(ops, "ops"), validate_history(env, "env"), get_model(model)
    n, m = len(ops), len(env)
    opened = [is_open(op) for op in ops] + [True] * m  # environment operations are optional
    everything = list(ops) + list(env)
    if unacceptable(ops, everything, model) is not None:
        return False, [], 0
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
    budget = Budget(None, None) if budget is None else budget
    max_states, deadline = budget.states_left(), budget.deadline()
    steps = 0
    e = nxt[head]
    while remaining:
        if is_call[e]:
            i = op_of[e]
            if m and last[i] < floor:  # an environment operation whose interval has closed
                e = nxt[e]
                continue
            steps += 1
            if not steps & 1023 and monotonic() > deadline:
                budget.exhausted(len(seen), "seconds")
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
                    if len(seen) >= max_states:
                        budget.exhausted(len(seen), "states")
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
                budget.spend(len(seen))
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
    budget.spend(len(seen))
    return True, [op_of[entry] for entry, _, _ in stack], len(seen)

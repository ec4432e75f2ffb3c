"""The definition of linearizability, checked by trying every order: for small histories only.

This is the oracle the fast checker is tested against, and the clearest
statement of what it decides: some choice of the open operations (those that
may never have taken effect) together with every completed operation can be
put in an order that (1) respects real time, an operation that returned
before another was called comes first, and (2) replays correctly through the
model from its initial state. No memoisation, no clever list: the number of
orders grows like n!, so keep n under about nine.
"""

from __future__ import annotations

from .history import Operation, is_open, precedes, validate_history
from .models import Model, get_model

__all__ = ["check_linearizable_bruteforce"]

MAX_OPERATIONS = 12


def check_linearizable_bruteforce(history: list[Operation], model: str | Model = "cas-register") -> bool:
    """True when some real-time-respecting order of the operations replays through ``model``.

    >>> from edgekit.checkers.history import Operation
    >>> w = Operation("a", 0, 1, ("write", 1))
    >>> check_linearizable_bruteforce([w, Operation("b", 2, 3, ("read", None), 1)], "register")
    True
    """
    model = get_model(model)
    ops = validate_history(history)
    if len(ops) > MAX_OPERATIONS:
        raise ValueError(
            f"history has {len(ops)} operations: expected at most {MAX_OPERATIONS} for the brute-force checker"
        )
    if model.validate is not None:
        for op in ops:
            model.validate(op)
    parts = model.partition(ops) if model.partition is not None else {None: ops}
    return all(_orderable(part, model) for part in parts.values())


def _orderable(ops: list[Operation], model: Model) -> bool:
    n = len(ops)
    before = [[j for j in range(n) if precedes(ops[j], ops[i])] for i in range(n)]
    required = {i for i in range(n) if not is_open(ops[i])}

    def extend(placed: list[int], skipped: frozenset[int], state) -> bool:
        # Done once every completed operation is placed; open ones may never happen.
        if required <= set(placed):
            return True
        done = set(placed) | skipped
        for i in range(n):
            if i in done or any(j not in done for j in before[i]):
                continue
            ok, new_state = model.step(state, ops[i].input, ops[i].output)
            if ok and extend(placed + [i], skipped, new_state):
                return True
            # An open operation may also never take effect.
            if is_open(ops[i]) and extend(placed, skipped | {i}, state):
                return True
        return False

    return extend([], frozenset(), model.init)

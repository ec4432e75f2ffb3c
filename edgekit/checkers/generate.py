"""Random concurrent histories, linearizable by construction (and then perhaps spoiled).

Each client runs one operation at a time. Every operation gets a random
interval and a secret *linearization point* inside it; replaying the
operations in the order of those points through the model gives the outputs
the clients see, so the history is linearizable. ``corrupt`` then changes a
few outputs, which usually (not always) breaks it: the checkers, not the
generator, decide. Used to test the checkers against the brute-force oracle
and to make exercises.
"""

from __future__ import annotations

import math
import random

from .._checks import brief, check_int
from .history import UNKNOWN, Operation, validate_history
from .models import MODELS, get_model

__all__ = ["random_history", "corrupt"]

VALUES = (0, 1, 2, 3)
KEYS = ("a", "b")


MAX_CLIENTS, MAX_OPS = 1_000, 1_000_000


def _rng(rng) -> None:
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng={brief(rng)}: expected a seeded random.Random, e.g. random.Random(1)")


def _random_input(rng: random.Random, model: str) -> tuple:
    if model == "kv":
        kind = rng.choice(("get", "get", "put", "append"))
        key = rng.choice(KEYS)
        return ("get", key) if kind == "get" else (kind, (key, rng.choice("xyz")))
    kinds = ("read", "write") if model == "register" else ("read", "write", "cas")
    kind = rng.choice(kinds)
    if kind == "read":
        return ("read", None)
    if kind == "write":
        return ("write", rng.choice(VALUES))
    return ("cas", (rng.choice((None,) + VALUES), rng.choice(VALUES)))


def random_history(
    rng: random.Random,
    model: str = "cas-register",
    clients: int = 3,
    ops: int = 6,
    p_pending: float = 0.1,
    p_unknown: float = 0.1,
) -> list[Operation]:
    """A linearizable history of about ``ops`` operations (integer times, so intervals often touch).

    >>> from edgekit.checkers import check_linearizable
    >>> check_linearizable(random_history(random.Random(1)), "cas-register").ok
    True
    """
    _rng(rng)
    if not isinstance(model, str) or model not in MODELS:
        raise ValueError(f"model={brief(model)}: expected one of {sorted(MODELS)} (the generator knows their inputs)")
    m = get_model(model)
    check_int(clients, "clients", 1, MAX_CLIENTS)
    check_int(ops, "ops", 0, MAX_OPS)
    for name, p in (("p_pending", p_pending), ("p_unknown", p_unknown)):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"{name}={brief(p)}: expected a probability in [0, 1]")
    free_at = [rng.randint(0, 3) for _ in range(clients)]
    alive = list(range(clients))
    planned = []  # (point, call, ret, client, input, pending, unknown)
    for _ in range(ops):
        if not alive:
            break
        c = rng.choice(alive)
        call = free_at[c] + rng.randint(0, 3)
        point = call + rng.randint(0, 3)
        ret = point + rng.randint(0, 3)
        pending = rng.random() < p_pending
        if pending:
            alive.remove(c)  # a client whose request never returned issues nothing more
        planned.append((point, call, ret, c, _random_input(rng, model), pending, rng.random() < p_unknown))
        free_at[c] = ret + 1
    planned.sort(key=lambda p: (p[0], rng.random()))
    states: dict = {}  # one state per key; registers have the single key None
    history = []
    for _point, call, ret, c, inp, pending, unknown in planned:
        key = inp[1] if inp[0] == "get" else (inp[1][0] if model == "kv" else None)
        state = states.get(key, m.init)
        out = _output(state, inp)
        if not pending or rng.random() < 0.5:  # a pending operation may or may not take effect
            states[key] = m.step(state, inp, out)[1]
        if pending:
            history.append(Operation(c, call, math.inf, inp, UNKNOWN))
        elif unknown and inp[0] in ("read", "get", "cas"):
            history.append(Operation(c, call, ret, inp, UNKNOWN))
        else:
            history.append(Operation(c, call, ret, inp, out))
    history.sort(key=lambda op: (op.call, str(op.client)))
    return history


def _output(state, inp: tuple):
    """What a correct object in ``state`` answers to ``inp``."""
    kind, arg = inp
    if kind in ("read", "get"):
        return state
    if kind == "cas":
        return state == arg[0]
    return None


def corrupt(rng: random.Random, history: list[Operation], changes: int = 1) -> list[Operation]:
    """``history`` with up to ``changes`` completed reads or cas answers altered."""
    _rng(rng)
    check_int(changes, "changes", 0, MAX_OPS)
    out = validate_history(history)
    candidates = [i for i, op in enumerate(out) if op.output is not UNKNOWN and op.input[0] in ("read", "get", "cas")]
    for i in rng.sample(candidates, min(changes, len(candidates))):
        op = out[i]
        if op.input[0] == "cas":
            new = not op.output
        elif op.input[0] == "get":
            new = rng.choice(("", "x", "y", "xy", "yx", "z"))
        else:
            new = rng.choice((None,) + VALUES)
        out[i] = Operation(op.client, op.call, op.ret, op.input, new)
    return out

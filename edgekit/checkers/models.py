"""Sequential specifications: what a single, correct copy of an object would answer.

A linearizability checker needs a *model*: the initial state and a step
function saying whether an operation with this input may produce this output
from a given state, and what state follows. States must be hashable, because
the checker remembers the (operations done, state) pairs it has already seen.

An optional ``partition`` splits a history into parts that can be checked on
their own (Herlihy & Wing 1990: linearizability is *local*, so a key-value
store is linearizable exactly when each key's sub-history is; Horn & Kroening
2015 call this P-compositionality). It is what makes many-key histories fast.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from .._checks import brief
from .history import UNKNOWN, Operation, validate_history

__all__ = ["Model", "REGISTER", "CAS_REGISTER", "KV", "MODELS", "get_model", "validated"]


@dataclass(frozen=True)
class Model:
    """A sequential object: ``step(state, input, output) -> (ok, new_state)``.

    >>> counter = Model("counter", 0, lambda s, i, o: (o in (UNKNOWN, s + 1), s + 1))
    >>> counter.step(counter.init, ("incr", None), 1)
    (True, 1)
    """

    name: str
    init: Hashable
    step: Callable[[Any, tuple, Any], tuple[bool, Any]]
    partition: Callable[[list[Operation]], dict[Hashable, list[Operation]]] | None = None
    validate: Callable[[Operation], None] | None = None  # raises ValueError for a malformed op
    read_only: Callable[[tuple, Any], bool] | None = None
    """Optional hint: True when an operation with this (input, output) never changes the state.
    Only used to keep explanations fast; leaving it out changes no verdict."""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TypeError(f"name={brief(self.name)}: expected the model's name, a str")
        if not callable(self.step):
            raise TypeError(f"step={brief(self.step)}: expected a function (state, input, output) -> (ok, new state)")
        for hook in ("partition", "validate", "read_only"):
            if getattr(self, hook) is not None and not callable(getattr(self, hook)):
                raise TypeError(f"{hook}={brief(getattr(self, hook))}: expected a function or None")
        try:
            hash(self.init)
        except TypeError:
            raise TypeError(f"init={brief(self.init)}: expected a hashable state (the search memoises states)") from None


def _bad(op: Operation, expected: str) -> ValueError:
    return ValueError(f"input={brief(op.input)} (client {brief(op.client)}): expected {expected}")


# --- register: read and write ---------------------------------------------------------


def _register_step(state, inp, out):
    kind, arg = inp
    if kind == "read":
        return (out is UNKNOWN or out == state), state
    return True, arg  # write: always possible, whatever the client heard back


def _validate_register(op: Operation) -> None:
    kind = op.input[0]
    if kind not in ("read", "write"):
        raise _bad(op, "('read', None) or ('write', value) for model 'register'")


# --- cas-register: read, write, compare-and-set ---------------------------------------


def _cas_step(state, inp, out):
    kind, arg = inp
    if kind == "read":
        return (out is UNKNOWN or out == state), state
    if kind == "write":
        return True, arg
    old, new = arg
    if out is UNKNOWN:  # took effect: it did whatever a cas does in this state
        return True, (new if state == old else state)
    if out:
        return state == old, new
    return state != old, state


def _validate_cas(op: Operation) -> None:
    kind, arg = op.input
    if kind == "cas":
        if not (isinstance(arg, tuple) and len(arg) == 2):
            raise _bad(op, "('cas', (old, new)) with a pair (old, new)")
        if not (op.output is UNKNOWN or op.pending or isinstance(op.output, bool)):
            raise ValueError(
                f"output={brief(op.output)} (client {brief(op.client)}, cas): expected True, False or UNKNOWN"
            )
    elif kind not in ("read", "write"):
        raise _bad(op, "('read', None), ('write', value) or ('cas', (old, new)) for model 'cas-register'")


# --- kv: get / put / append on string keys, each key its own register -----------------


def _kv_step(state, inp, out):
    # ``state`` is one key's string: the partition hands each key's operations over alone.
    kind, arg = inp
    if kind == "get":
        return (out is UNKNOWN or out == state), state
    if kind == "put":
        return True, arg[1]
    return True, state + arg[1]  # append


def _kv_key(op: Operation):
    kind, arg = op.input
    return arg if kind == "get" else arg[0]


def _kv_partition(history: list[Operation]) -> dict[Hashable, list[Operation]]:
    parts: dict[Hashable, list[Operation]] = {}
    for op in history:
        parts.setdefault(_kv_key(op), []).append(op)
    return parts


def _validate_kv(op: Operation) -> None:
    kind, arg = op.input
    if kind == "get":
        if not isinstance(arg, str):
            raise _bad(op, "('get', key) with a string key")
        if not (op.output is UNKNOWN or op.pending or isinstance(op.output, str)):
            raise ValueError(
                f"output={brief(op.output)} (client {brief(op.client)}, get): expected a string or UNKNOWN"
            )
    elif kind in ("put", "append"):
        if not (isinstance(arg, tuple) and len(arg) == 2 and all(isinstance(x, str) for x in arg)):
            raise _bad(op, f"('{kind}', (key, value)) with string key and value")
    else:
        raise _bad(op, "('get', key), ('put', (key, value)) or ('append', (key, value)) for model 'kv'")


def _reads(inp, out) -> bool:
    return inp[0] in ("read", "get") or (inp[0] == "cas" and out is False)


REGISTER = Model("register", None, _register_step, validate=_validate_register, read_only=_reads)
"""A read/write register that starts absent (``None``)."""

CAS_REGISTER = Model("cas-register", None, _cas_step, validate=_validate_cas, read_only=_reads)
"""A register with compare-and-set, as in Jepsen's etcd tests; starts absent (``None``)."""

KV = Model("kv", "", _kv_step, partition=_kv_partition, validate=_validate_kv, read_only=_reads)
"""String keys to string values with get, put and append; a missing key reads as ``""``."""

MODELS = {m.name: m for m in (REGISTER, CAS_REGISTER, KV)}


def get_model(model: str | Model) -> Model:
    """A ``Model`` from a name (``'register'``, ``'cas-register'``, ``'kv'``) or a Model."""
    if isinstance(model, Model):
        return model
    if isinstance(model, str) and model in MODELS:
        return MODELS[model]
    raise ValueError(f"model={brief(model)}: expected one of {sorted(MODELS)} or an edgekit.checkers.Model")


def validated(history, model: str | Model) -> tuple[Model, list[Operation]]:
    """The model and the history as a list, every operation checked against the model, so that
    a malformed one is a ValueError naming it rather than a crash deep in a search."""
    model = get_model(model)
    ops = validate_history(history)
    if model.validate is not None:
        for op in ops:
            model.validate(op)
    return model, ops

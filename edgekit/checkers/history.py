"""Histories: the operations clients saw, each from its call to its return.

A history is a plain list of ``Operation`` records, the common language of the
replicated stores (which record them), the checkers (which judge them) and the
figures (which draw them). Times are in milliseconds; any consistent unit works.

Two operations are ordered in real time only when one *returned strictly
before* the other was called; operations whose intervals overlap, or merely
touch, are concurrent and may take effect in either order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any

from .._checks import brief, check_items

__all__ = ["UNKNOWN", "Operation", "is_open", "precedes", "validate_history", "describe"]


class _Unknown:
    """The type of ``UNKNOWN``: one printable sentinel that survives copying and pickling."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"  # pickling keeps the singleton


UNKNOWN = _Unknown()
"""The output of an operation whose outcome is not known (a timeout, an indeterminate cas)."""


@dataclass(frozen=True)
class Operation:
    """One client operation: invoked at ``call``, answered at ``ret`` (``math.inf``: never).

    >>> Operation(client=1, call=0.0, ret=2.5, input=("write", 3), output=None)
    Operation(client=1, call=0.0, ret=2.5, input=('write', 3), output=None)
    """

    client: Any
    call: float
    ret: float
    input: tuple
    output: Any = None

    def __post_init__(self) -> None:
        for name in ("call", "ret"):
            t = getattr(self, name)
            if isinstance(t, bool) or not isinstance(t, Real) or t != t:
                raise TypeError(f"{name}={brief(t)}: expected a number (a time in ms)")
            if not (-1e300 < t < 1e300 or (name == "ret" and t == math.inf)):
                raise ValueError(f"{name}={brief(t)}: expected a finite time" + (" (or inf: never)" if name == "ret" else ""))
        if self.ret < self.call:
            raise ValueError(
                f"ret={brief(self.ret)}: expected ret >= call={brief(self.call)} (an operation returns after it is called)"
            )
        if not isinstance(self.input, tuple) or len(self.input) != 2 or not isinstance(self.input[0], str):
            raise ValueError(
                f"input={brief(self.input)}: expected a pair (kind, argument) such as ('read', None) or ('write', 3)"
            )

    @property
    def pending(self) -> bool:
        """True when the operation never returned."""
        return self.ret == math.inf


def is_open(op: Operation) -> bool:
    """Whether ``op`` may take effect any time after its call, or never.

    True for an operation that never returned and for one whose outcome is
    ``UNKNOWN``: a request that timed out at the client may still be in flight
    and take effect later, which is why Jepsen leaves its ``:info`` operations
    pending to the end of the history.

    >>> is_open(Operation("a", 0, math.inf, ("write", 1)))
    True
    >>> is_open(Operation("a", 0, 1, ("write", 1)))
    False
    """
    _op(op, "op")
    return op.ret == math.inf or op.output is UNKNOWN


def precedes(a: Operation, b: Operation) -> bool:
    """Real-time order: ``a`` returned strictly before ``b`` was called.

    >>> precedes(Operation(1, 0, 1, ("write", 1)), Operation(2, 1, 2, ("read", None), 1))
    False
    """
    _op(a, "a"), _op(b, "b")
    return a.ret < b.call and not is_open(a)


def _op(op, name: str) -> Operation:
    if not isinstance(op, Operation):
        raise TypeError(f"{name}={brief(op)}: expected an Operation")
    return op


def validate_history(history: Any, name: str = "history") -> list[Operation]:
    """The history as a list, or a ``TypeError`` naming the first item that is not an Operation."""
    return check_items(history, name, Operation, "a list of Operation")


def _fmt_time(t: float) -> str:
    return "never" if t == math.inf else f"{t:g}"


def describe(op: Operation) -> str:
    """A short plain-words label: ``'write 3'``, ``'read -> 3'``, ``'cas 1->2 ok'``.

    >>> describe(Operation(1, 0, 1, ("cas", (1, 2)), False))
    'cas 1->2 failed'
    """
    _op(op, "op")
    kind, arg = op.input
    out = op.output
    unknown = out is UNKNOWN or op.pending
    if kind in ("read", "get"):
        key = "" if arg is None else f" {brief(arg)}"
        return f"{kind}{key} -> " + ("?" if unknown else brief(out))
    if kind == "cas" and isinstance(arg, tuple) and len(arg) == 2:
        verdict = "?" if unknown else ("ok" if out else "failed")
        return f"cas {brief(arg[0])}->{brief(arg[1])} {verdict}"
    if kind in ("put", "append") and isinstance(arg, tuple) and len(arg) == 2:
        return f"{kind} {brief(arg[0])} {brief(arg[1])}" + (" ?" if unknown else "")
    return f"{kind} {brief(arg)}" + (" ?" if unknown else "")


def label(op: Operation) -> str:
    """``describe`` with the client: ``'client 2: read -> 3'``."""
    return f"client {brief(op.client) if not isinstance(op.client, str) else op.client}: {describe(op)}"


def interval(op: Operation) -> str:
    """``'[call, ret]'`` in words, for explanations."""
    return f"called at {_fmt_time(op.call)}, " + (
        "never returned" if op.pending else f"returned at {_fmt_time(op.ret)}"
    )

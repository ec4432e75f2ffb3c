"""What every state-based CRDT shares: a checked merge, ``|``, ``<=`` and tagged JSON.

A state-based CRDT is a value in a join semilattice. ``Type()`` is the bottom
element, mutators return new values that are never smaller, and ``merge``
(also spelled ``|``) is the least upper bound. Subclasses are frozen
dataclasses and implement ``_join``, optionally ``_leq`` (default: ``a <= b``
exactly when ``a | b == b``), ``_json`` and ``_from_json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable

from edgekit.clocks.dvv import check_count, check_replica

from .._checks import brief

__all__ = ["StateCRDT", "check_replica", "check_count", "check_amount", "check_element", "check_timestamp",
           "to_plain", "from_plain", "sort_key", "check_depth", "MAX_DEPTH"]


class StateCRDT:
    """Mixin for frozen-dataclass CRDT values: merge with a type check, ``|``, ``<=``, JSON."""

    def merge(self, other):
        """The join (least upper bound) of two values of the same type."""
        if type(other) is not type(self):
            raise TypeError(
                f"cannot merge {type(self).__name__} with {type(other).__name__}: "
                f"expected two {type(self).__name__} values"
            )
        return self._join(other)

    def __or__(self, other):
        return self.merge(other)

    def __le__(self, other) -> bool:
        if type(other) is not type(self):
            raise TypeError(
                f"cannot compare {type(self).__name__} with {type(other).__name__}: "
                f"expected two {type(self).__name__} values"
            )
        return self._leq(other)

    def __lt__(self, other) -> bool:
        return self <= other and self != other

    def _join(self, other):  # pragma: no cover - every type overrides it
        raise NotImplementedError

    def _leq(self, other) -> bool:
        return self._join(other) == other

    def to_json(self) -> dict:
        """Plain JSON types (dicts, lists, strings, numbers): what goes on the wire."""
        return {"type": type(self).__name__, **self._json()}

    @classmethod
    def from_json(cls, d):
        """The value ``to_json`` produced (after ``json.dumps``/``json.loads`` if you like)."""
        if not isinstance(d, dict) or d.get("type") != cls.__name__:
            got = d.get("type") if isinstance(d, dict) else type(d).__name__
            raise ValueError(f"json type={brief(got)}: expected a dict from {cls.__name__}.to_json()")
        check_depth(d)
        return cls._from_json(d)


def check_amount(n, name: str = "n") -> int:
    """A non-negative integer amount (counters only grow: decrements are separate)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name}={brief(n)}: expected a non-negative integer")
    if n < 0:
        raise ValueError(f"{name}={brief(n)}: expected a non-negative integer (use decrement to go down)")
    return check_count(n, name)


def check_element(x, name: str = "element") -> Hashable:
    """A set element must be hashable and, to go on the wire, plain JSON (see ``to_plain``)."""
    try:
        hash(x)
    except TypeError:
        raise TypeError(
            f"{name}={brief(x)}: expected a hashable value such as a str, number or tuple, "
            f"not a {type(x).__name__}"
        ) from None
    to_plain(x, name)
    return x


def _number_ok(x) -> bool:
    """A finite float, or an int that converts to one (a longer int is no JSON number)."""
    return math.isfinite(x) if isinstance(x, float) else x.bit_length() <= 1023


def check_timestamp(t, name: str = "timestamp") -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not _number_ok(t):
        raise TypeError(f"{name}={brief(t)}: expected a finite number (for example milliseconds)")
    return t


MAX_DEPTH = 32
"""How deeply a value may nest (lists in lists): far more than any state needs, far less than
Python's recursion limit, so crafted JSON gets a ValueError rather than a RecursionError."""


def to_plain(x, name: str = "element", _depth: int = 0):
    """A value as JSON: tuples become lists (``from_plain`` turns lists back into tuples).

    Plain means None, a bool, a finite number, a str, or lists and str-keyed dicts of them,
    at most ``MAX_DEPTH`` deep: NaN would break ``==`` (it is not equal to itself).
    """
    if _depth > MAX_DEPTH:
        raise ValueError(f"{name}: nested more than {MAX_DEPTH} levels deep; expected a flatter value")
    if isinstance(x, (tuple, list)):
        return [to_plain(v, name, _depth + 1) for v in x]
    if isinstance(x, dict) and all(isinstance(k, str) for k in x):
        return {k: to_plain(v, name, _depth + 1) for k, v in x.items()}
    if x is None or isinstance(x, (str, bool)):
        return x
    if isinstance(x, (int, float)):
        if not _number_ok(x):
            raise ValueError(f"{name}={brief(x)}: expected a finite number that fits a float")
        return x
    raise TypeError(f"{name}={brief(x)}: expected a str, number, bool, None, tuple or dict to write as JSON")


def from_plain(x, name: str = "element"):
    """JSON back to a value: lists become tuples (hashable, so they can be set elements)."""
    to_plain(x, name)  # the same rules both ways: finite numbers, bounded depth
    return _tuples(x)


def _tuples(x):
    if isinstance(x, list):
        return tuple(_tuples(v) for v in x)
    if isinstance(x, dict):
        return {k: _tuples(v) for k, v in x.items()}
    return x


def sort_key(x) -> str:
    """A total order on JSON-able elements, the same in every process (unlike ``hash``)."""
    return json.dumps(to_plain(x), sort_keys=True)


def check_depth(d, name: str = "json", limit: int = 4 * MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than ``limit`` before anything recurses into it."""
    level, depth = [d], 0
    while level:
        depth += 1
        if depth > limit:
            raise ValueError(f"{name}: nested more than {limit} levels deep; expected a CRDT's to_json()")
        level = [v for x in level if isinstance(x, (list, dict)) for v in (x.values() if isinstance(x, dict) else x)]

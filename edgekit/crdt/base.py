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

from edgekit.clocks.dvv import check_replica

__all__ = ["StateCRDT", "check_replica", "check_amount", "check_element", "check_timestamp",
           "to_plain", "from_plain", "sort_key"]


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
            raise ValueError(f"json type={got!r}: expected a dict from {cls.__name__}.to_json()")
        return cls._from_json(d)


def check_amount(n, name: str = "n") -> int:
    """A non-negative integer amount (counters only grow: decrements are separate)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{name}={n!r}: expected a non-negative integer")
    if n < 0:
        raise ValueError(f"{name}={n}: expected a non-negative integer (use decrement to go down)")
    return n


def check_element(x, name: str = "element") -> Hashable:
    """A set element must be hashable (and, to go on the wire, JSON-able)."""
    try:
        hash(x)
    except TypeError:
        raise TypeError(
            f"{name}={x!r}: expected a hashable value such as a str, number or tuple, "
            f"not a {type(x).__name__}"
        ) from None
    return x


def check_timestamp(t, name: str = "timestamp") -> float:
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
        raise TypeError(f"{name}={t!r}: expected a finite number (for example milliseconds)")
    return t


def to_plain(x, name: str = "element"):
    """A value as JSON: tuples become lists (``from_plain`` turns lists back into tuples)."""
    if isinstance(x, (tuple, list)):
        return [to_plain(v, name) for v in x]
    if isinstance(x, dict) and all(isinstance(k, str) for k in x):
        return {k: to_plain(v, name) for k, v in x.items()}
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    raise TypeError(f"{name}={x!r}: expected a str, number, bool, None, tuple or dict to write as JSON")


def from_plain(x):
    if isinstance(x, list):
        return tuple(from_plain(v) for v in x)
    if isinstance(x, dict):
        return {k: from_plain(v) for k, v in x.items()}
    return x


def sort_key(x) -> str:
    """A total order on JSON-able elements, the same in every process (unlike ``hash``)."""
    return json.dumps(to_plain(x), sort_keys=True)

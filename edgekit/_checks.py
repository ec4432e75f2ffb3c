"""What every core package's validation shares: safe reprs for messages, and bounded ints.

A bad value must not break the message that names it.

``f"{x!r}"`` on a list nested 5,000 deep raises ``RecursionError``, and on an
integer of 10,000 digits ``ValueError`` ("exceeds the limit for integer string
conversion"); a megabyte string makes a megabyte message. ``brief`` cuts each
of those short, so an error about bad input is always the error the caller
gets.

>>> brief([[[[[[1]]]]]])
'[[[[...]]]]'
>>> brief(10**5000)
'<int of about 5001 digits>'
>>> brief("x" * 1000)[:12], len(brief("x" * 1000)) < 100
("'xxxxxxxxxxx", True)
"""

from __future__ import annotations

import math
import reprlib
from contextlib import contextmanager

__all__ = ["brief", "check_hashable", "check_int", "check_items", "check_number", "check_seed", "naming"]


class _Brief(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = self.maxother = self.maxlong = 60
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 6

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 1000:  # str() of a long int is quadratic and capped at 4300 digits
            return f"<int of about {int(x.bit_length() * math.log10(2)) + 1} digits>"
        return super().repr_int(x, level)


_BRIEF = _Brief()


def brief(x) -> str:
    """``repr(x)``, cut to about 60 characters a part and 3 levels of nesting."""
    try:
        return _BRIEF.repr(x)
    except Exception:  # a broken __repr__ must not hide the error being reported
        return f"<{type(x).__name__} object>"


def check_int(value, name: str, low: int, high: int) -> int:
    """An int (not a bool) from ``low`` to ``high``, or an error naming ``name``.

    >>> check_int(3, "n", 1, 9)
    3
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name}={brief(value)}: expected an int from {low:,} to {high:,}")
    if not low <= value <= high:
        raise ValueError(f"{name}={brief(value)}: expected an int from {low:,} to {high:,}")
    return value


def check_seed(seed) -> int:
    """An int seed for ``random.Random`` (the same seed gives the same run), or a TypeError naming ``seed``.

    >>> check_seed(7)
    7
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed={brief(seed)}: expected an int (the same seed gives the same run)")
    return seed


def check_number(value, name: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite int or float (not a bool) from ``low`` to ``high``, as a float, or an error naming ``name``.

    >>> check_number(2, "ms", 0)
    2.0
    """
    span = f"from {low:g} to {high:g}" if math.isfinite(low) and math.isfinite(high) else (
        f">= {low:g}" if math.isfinite(low) else f"<= {high:g}" if math.isfinite(high) else "")
    expected = f"expected a finite number {span}".rstrip()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name}={brief(value)}: {expected}")
    if not (low <= value <= high and -1e300 < value < 1e300):  # also NaN, infinities, ints of 400 digits
        raise ValueError(f"{name}={brief(value)}: {expected}")
    return float(value)


def check_hashable(value, name: str, what: str):
    """``value`` if it can be a dict key or set member, else a TypeError naming ``name``.

    >>> check_hashable("k", "key", "a string")
    'k'
    """
    try:
        hash(value)
    except TypeError:
        raise TypeError(f"{name}={brief(value)}: expected {what} (a hashable value)") from None
    return value


@contextmanager
def naming(name: str):
    """Put ``name: `` before a ValueError/TypeError's message: a helper's check then names the caller's parameter.

    >>> try:
    ...     with naming("sites"):
    ...         raise ValueError("node='x': unknown")
    ... except ValueError as exc:
    ...     print(exc)
    sites: node='x': unknown
    """
    try:
        yield
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{name}: {exc}") from None


def check_items(items, name: str, cls: type, what: str) -> list:
    """``items`` as a list whose every element is a ``cls``, or an error naming the first that is not.

    >>> check_items((1, 2), "sizes", int, "a list of ints")
    [1, 2]
    """
    if isinstance(items, (str, bytes, dict)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{name}={brief(items)}: expected {what}")
    out = list(items)
    for i, x in enumerate(out):
        if not isinstance(x, cls):
            raise TypeError(f"{name}[{i}]={brief(x)}: expected {what}")
    return out


"""The operations a Text sends to other replicas: plain tuples that round-trip through JSON."""

from __future__ import annotations

import reprlib
from typing import NamedTuple

SIDES = ("L", "R")
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 3, 40, 40, 4, 4


def show(value) -> str:
    """A bounded repr for error messages: input from outside may be huge or nested very deeply.

    >>> show([[[[["deep"]]]]])
    '[[[[...]]]]'
    """
    return _REPR.repr(value)


class Insert(NamedTuple):
    """New characters ``(replica, seq)``, ``(replica, seq + 1)``, ... holding ``text``.

    The first character is the ``side`` ("L" or "R") child of character
    ``parent`` (a ``(replica, seq)`` pair, or None for the root) in Fugue's
    tree; each further character is the right child of the one before it.

    >>> op = Insert("a", 0, None, "R", "hi")
    >>> Insert.from_json(op.to_json()) == op
    True
    """

    replica: str
    seq: int
    parent: tuple[str, int] | None
    side: str
    text: str

    def to_json(self) -> dict:
        parent = None if self.parent is None else list(self.parent)
        return {"type": "insert", "replica": self.replica, "seq": self.seq,
                "parent": parent, "side": self.side, "text": self.text}

    @classmethod
    def from_json(cls, d: dict) -> Insert:
        _expect(d, "insert", ("replica", "seq", "parent", "side", "text"))
        parent = d["parent"]
        if parent is not None and not (isinstance(parent, (list, tuple)) and len(parent) == 2):
            raise ValueError(f"parent={show(parent)}: expected null or a [replica, seq] pair")
        op = cls(d["replica"], d["seq"], None if parent is None else tuple(parent), d["side"], d["text"])
        return check_insert(op)


class Delete(NamedTuple):
    """Delete characters: ``spans`` of ``(replica, first seq, count)``.

    >>> op = Delete((("a", 0, 2),))
    >>> Delete.from_json(op.to_json()) == op
    True
    """

    spans: tuple[tuple[str, int, int], ...]

    def to_json(self) -> dict:
        return {"type": "delete", "spans": [list(span) for span in self.spans]}

    @classmethod
    def from_json(cls, d: dict) -> Delete:
        _expect(d, "delete", ("spans",))
        spans = d["spans"]
        if not isinstance(spans, list) or not all(isinstance(span, (list, tuple)) for span in spans):
            raise ValueError(f"spans={show(spans)}: expected a list of [replica, seq, count]")
        return check_delete(cls(tuple(tuple(span) for span in spans)))


def op_from_json(d: dict) -> Insert | Delete:
    """Rebuild an Insert or a Delete from its ``to_json()`` form."""
    if not isinstance(d, dict) or d.get("type") not in ("insert", "delete"):
        raise ValueError(f"op={show(d)}: expected a dict with type 'insert' or 'delete'")
    return (Insert if d["type"] == "insert" else Delete).from_json(d)


def _expect(d, kind, fields):
    if not isinstance(d, dict) or d.get("type") != kind:
        raise ValueError(f"d={show(d)}: expected a dict with type {kind!r}")
    missing = [name for name in fields if name not in d]
    if missing:
        raise ValueError(f"d={show(d)}: expected the fields {', '.join(fields)} (missing {', '.join(missing)})")


def _is_id(value):
    return (type(value) is tuple and len(value) == 2 and type(value[0]) is str
            and type(value[1]) is int and value[1] >= 0)


def _check_id(name, value):
    if not _is_id(value):
        raise ValueError(f"{name}={show(value)}: expected a (replica: str, seq: int >= 0) pair")


def check_insert(op: Insert) -> Insert:
    """Return ``op`` if it is well formed, else raise naming the bad field."""
    replica, seq, parent, side, text = op
    if (type(replica) is str and replica and type(seq) is int and seq >= 0 and type(text) is str and text
            and (side == "R" and (parent is None or _is_id(parent)) or side == "L" and _is_id(parent))
            and (parent is None or parent[0] != replica or parent[1] < seq)):
        return op  # the common case, checked quickly
    if not isinstance(replica, str) or not replica:
        raise TypeError(f"replica={show(replica)}: expected a non-empty str")
    if type(seq) is not int or seq < 0:
        raise ValueError(f"seq={show(seq)}: expected an int >= 0")
    if parent is not None:
        _check_id("parent", parent)
        if parent[0] == replica and parent[1] >= seq:
            raise ValueError(f"parent={show(parent)}: expected a character that existed before "
                             f"({show(replica)}, {seq}), so of seq < {seq} on the same replica")
    if type(side) is not str or side not in SIDES or (parent is None and side != "R"):
        raise ValueError(f"side={show(side)}: expected 'L' or 'R' ('R' when parent is None)")
    raise TypeError(f"text={show(text)}: expected a non-empty str")


def check_delete(op: Delete) -> Delete:
    """Return ``op`` if it is well formed, else raise naming the bad field."""
    if not isinstance(op.spans, tuple):
        raise TypeError(f"spans={show(op.spans)}: expected a tuple of (replica, seq, count)")
    for span in op.spans:
        if not (isinstance(span, tuple) and len(span) == 3 and type(span[2]) is int and span[2] > 0):
            raise ValueError(f"spans: span={show(span)}: expected (replica, seq, count > 0)")
        _check_id("spans: span", span[:2])
    return op

"""Histories: the plain records a run leaves behind, and their JSON-lines form.

A history is a list of ``Record`` in the order things happened (ties in
time keep the simulator's scheduling order). ``kind`` says what happened:

==========  ======================  ==================  =====================================
kind        node                    peer                data
==========  ======================  ==================  =====================================
send        sender                  destination         the message
deliver     receiver                sender              the message
drop        sender                  destination         why: "loss", "partition", "crashed"
duplicate   sender                  destination         the message (one extra copy is sent)
timer       node                    None                the timer's tag
crash       node                    None                None
restart     node                    None                None
cut / heal  None                    None                {"a": [...], "b": [...], "directed": bool}
(other)     node that recorded it   None                dict of the fields it recorded
==========  ======================  ==================  =====================================

``msg_id`` links a send to its deliveries (two for a duplicated message) or
its drop. Client operations are records a client node makes with
``ctx.record("invoke", ...)`` and ``ctx.record("complete", ...)``.

>>> h = [Record(0.0, "send", "a", "b", 1, {"x": 1}), Record(40.5, "deliver", "b", "a", 1, {"x": 1})]
>>> print(to_jsonl(h), end="")
{"data":{"x":1},"kind":"send","msg_id":1,"node":"a","peer":"b","time":0.0}
{"data":{"x":1},"kind":"deliver","msg_id":1,"node":"b","peer":"a","time":40.5}
>>> from_jsonl(to_jsonl(h)) == h
True
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from .._checks import brief, check_items

__all__ = ["Record", "to_jsonl", "from_jsonl", "jsonable", "MESSAGE_KINDS"]

MESSAGE_KINDS = frozenset({"send", "deliver", "drop", "duplicate"})


@dataclass(frozen=True, slots=True)
class Record:
    """One thing that happened in a run, at simulated time ``time`` (ms)."""

    time: float
    kind: str
    node: Hashable = None
    peer: Hashable = None
    msg_id: int | None = None
    data: Any = None

    def to_json(self) -> dict:
        return {
            "time": self.time,
            "kind": self.kind,
            "node": jsonable(self.node),
            "peer": jsonable(self.peer),
            "msg_id": self.msg_id,
            "data": jsonable(self.data),
        }


def jsonable(x):
    """``x`` as plain JSON types: ``to_json()`` if it has one, dataclasses as dicts, sets sorted."""
    try:
        return _jsonable(x)
    except RecursionError:
        raise ValueError(f"x={brief(x)}: nested too deep to serialise") from None


def _jsonable(x) -> Any:
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    if hasattr(x, "to_json"):
        return x.to_json()
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (set, frozenset)):
        return sorted((_jsonable(v) for v in x), key=repr)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"type": type(x).__name__, **{f.name: _jsonable(getattr(x, f.name)) for f in dataclasses.fields(x)}}
    # A repr with a memory address would break byte-for-byte equality: refuse it.
    r = repr(x)
    if " at 0x" in r:
        raise TypeError(f"x={brief(x)}: cannot serialise deterministically; give the class a to_json() method")
    return r


def to_jsonl(records: Iterable[Record]) -> str:
    """One compact JSON object per line, keys sorted: same history, same bytes."""
    records = check_items(records, "records", Record, "an iterable of Records (e.g. net.history)")
    dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), allow_nan=False).encode
    return "".join(dumps(r.to_json()) + "\n" for r in records)


def from_jsonl(text: str) -> list[Record]:
    """Records back from ``to_jsonl`` (messages come back as plain JSON values).

    Every line is checked, so a damaged file is a ValueError naming its line, not a KeyError.
    """
    if not isinstance(text, str):
        raise TypeError(f"text={brief(text)}: expected the str that to_jsonl wrote")
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                d = json.loads(line)
            except (ValueError, RecursionError) as err:  # RecursionError: JSON nested too deep
                raise ValueError(f"text: line {n}: not a JSON object ({type(err).__name__}: {brief(str(err))})") from None
            if not isinstance(d, dict) or set(d) != _FIELDS:
                raise ValueError(f"text: line {n}: {brief(d)}: expected an object with keys {sorted(_FIELDS)}")
            t, kind, msg_id = d["time"], d["kind"], d["msg_id"]
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not -1e300 < t < 1e300:
                raise ValueError(f"text: line {n}: time={brief(t)}: expected a finite time in ms")
            if not isinstance(kind, str):
                raise ValueError(f"text: line {n}: kind={brief(kind)}: expected a str such as 'send'")
            if msg_id is not None and (isinstance(msg_id, bool) or not isinstance(msg_id, int)):
                raise ValueError(f"text: line {n}: msg_id={brief(msg_id)}: expected an int or null")
            out.append(Record(t, kind, _node(d["node"], n), _node(d["peer"], n), msg_id, d["data"]))
    return out


_FIELDS = frozenset({"time", "kind", "node", "peer", "msg_id", "data"})


def _node(x, line: int):
    """A node id from JSON: a scalar, or a flat list (a tuple id written as JSON) made a tuple again."""
    if isinstance(x, list) and all(v is None or isinstance(v, (str, int, float)) for v in x):
        return tuple(x)
    if x is None or isinstance(x, (str, int, float)):
        return x
    raise ValueError(f"text line {line}: node {brief(x)}: expected a node id (a str, a number or a flat list)")

"""Every message the edge system sends, and the client's reply: plain values with checked JSON.

Between tiers (over the WAN) there are the protocol's two messages:

- ``SyncRequest``: a node's state for every key it is interested in, or
  ``None`` (the missing marker) for a key it does not hold;
- ``SyncResponse``: the upstream's merged state for the same keys; ``None``
  means "not here yet, ask again" and never settles a key.

Inside a PoP (a front end and its replicas, over the in-site network):

==============  ==========================================================  ==========
message         what it asks                                                 answer
==============  ==========================================================  ==========
``Get``         the replica's state for a key (``touch``: a client read)     ``Got``
``Put``         join this state into the key, a client write: mark it dirty   ``Stored``
``Repair``      join this state (read repair): not a write                   none
``Fill``        join these states, which came down from above                none
``Merge``       a child's sync entries for the keys this replica holds        ``Merged``
==============  ==========================================================  ==========

Every message has ``to_json()`` and ``Type.from_json(d, value_type)`` (or
``decode(d, value_type)`` for any of them), so it can travel over HTTP. Decoding
is a trust boundary: unknown or missing fields, wrong types and more than
``MAX_ENTRIES`` entries are a ``ValueError`` naming the message and field, and
every CRDT state goes through its value type's own ``from_json``. Sizes on the
wire are ``len(json.dumps(msg.to_json()))`` (``wire_bytes``).

>>> from edgekit.crdt import LWWRegister
>>> req = SyncRequest(7, {"k1": LWWRegister(1, 5.0, "LHR"), "k2": None})
>>> req.to_json()["entries"]
{'k1': {'type': 'LWWRegister', 'value': 1, 'timestamp': 5.0, 'replica': 'LHR'}, 'k2': None}
>>> decode(req.to_json(), "lww").entries["k1"] == req.entries["k1"]
True
>>> decode({"type": "Get", "rid": 1, "key": "k", "touch": True, "extra": 1}, "lww")
Traceback (most recent call last):
...
ValueError: Get: unknown field 'extra'; expected rid, key, touch
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .._checks import brief
from .codec import MAX_ENTRIES, Message, as_value_type, check_bool, decode_state, state_json

__all__ = ["SyncRequest", "SyncResponse", "Get", "Got", "Put", "Stored", "Repair", "Fill", "Merge", "Merged",
           "Outcome", "MESSAGES", "MAX_ENTRIES", "decode", "wire_bytes", "value_bytes"]

# -- between tiers ---------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class SyncRequest(Message):
    """A node's state for the keys it is interested in (``None`` = "I lack this key")."""

    sync_id: int
    entries: dict
    blocking: bool = False  # a client waits on this: upstreams fetch what they lack at once
    KINDS = {"sync_id": "id", "entries": "entries", "blocking": "bool"}


@dataclass(slots=True, eq=False)
class SyncResponse(Message):
    """The upstream's merged state for the keys of request ``sync_id`` (``None``: ask again)."""

    sync_id: int
    entries: dict
    KINDS = {"sync_id": "id", "entries": "entries"}


# -- inside a PoP ----------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Get(Message):
    rid: int
    key: str
    touch: bool  # a client read: the key joins the replica's interest set (misses included)
    KINDS = {"rid": "id", "key": "str", "touch": "bool"}


@dataclass(slots=True, eq=False)
class Got(Message):
    rid: int
    key: str
    state: object  # None: this replica lacks the key
    KINDS = {"rid": "id", "key": "str", "state": "state"}


@dataclass(slots=True, eq=False)
class Put(Message):
    rid: int
    key: str
    state: object
    KINDS = {"rid": "id", "key": "str", "state": "value"}


@dataclass(slots=True, eq=False)
class Stored(Message):
    rid: int
    key: str
    state: object  # what the replica holds now
    KINDS = {"rid": "id", "key": "str", "state": "value"}


@dataclass(slots=True, eq=False)
class Repair(Message):
    key: str
    state: object
    KINDS = {"key": "str", "state": "value"}


@dataclass(slots=True, eq=False)
class Fill(Message):
    entries: dict  # states that came down from above (None entries are skipped)
    KINDS = {"entries": "entries"}


@dataclass(slots=True, eq=False)
class Merge(Message):
    rid: int
    child: str  # who asked: a hub remembers which children it told "not here yet"
    entries: dict
    blocking: bool = False
    KINDS = {"rid": "id", "child": "str", "entries": "entries", "blocking": "bool"}


@dataclass(slots=True, eq=False)
class Merged(Message):
    rid: int
    entries: dict  # this replica's answer per key (None: not here yet / never written here)
    urgent: tuple = ()  # keys to fetch from above at once (they came down and could not be kept)
    KINDS = {"rid": "id", "entries": "entries", "urgent": "keys"}


MESSAGES = {cls.__name__: cls for cls in (SyncRequest, SyncResponse, Get, Got, Put, Stored, Repair, Fill,
                                          Merge, Merged)}


def decode(d, value_type):
    """Any message of this module from its JSON (``value_type``: a name in ``VALUE_TYPES``)."""
    cls = MESSAGES.get(d.get("type")) if isinstance(d, dict) else None
    if cls is None:
        got = d.get("type") if isinstance(d, dict) else type(d).__name__
        raise ValueError(f"json type={brief(got)}: expected one of {', '.join(MESSAGES)}")
    return cls.from_json(d, value_type)


# -- the client's reply ----------------------------------------------------------------------------


class Outcome:
    """What a client operation got back.

    ``ok``: served (a read, or a write acknowledged by enough replicas); ``latency_ms``;
    ``state``: the CRDT state the client sees (None: a read miss, or a failure); ``written``:
    a write's own effect (its delta: the new dot, counter entry or timestamped value);
    ``maybe``: a failed write that may still have been stored somewhere (indeterminate).
    """

    __slots__ = ("ok", "latency_ms", "state", "written", "maybe")

    def __init__(self, ok: bool, latency_ms: float | None, state, written=None, maybe: bool = False) -> None:
        self.ok, self.latency_ms, self.state, self.written, self.maybe = ok, latency_ms, state, written, maybe

    @property
    def value(self):
        """The user-visible value (None for a miss or a failure)."""
        return None if self.state is None else self.state.value

    def __repr__(self) -> str:
        return f"Outcome(ok={self.ok}, latency_ms={self.latency_ms}, value={self.value!r})"

    def to_json(self) -> dict:
        return {"ok": self.ok, "latency_ms": self.latency_ms, "state": state_json(self.state),
                "written": state_json(self.written), "maybe": self.maybe}

    @classmethod
    def from_json(cls, d, value_type) -> Outcome:
        if not isinstance(d, dict) or set(d) != {"ok", "latency_ms", "state", "written", "maybe"}:
            raise ValueError(f"outcome={brief(d)}: expected an object with ok, latency_ms, state, written, maybe")
        vt = as_value_type(value_type)
        lat = d["latency_ms"]
        if lat is not None and (isinstance(lat, bool) or not isinstance(lat, (int, float)) or not lat >= 0):
            raise ValueError(f"Outcome.latency_ms={brief(lat)}: expected a number >= 0 or null")
        return cls(check_bool("Outcome.ok", d["ok"]), lat, decode_state("Outcome.state", d["state"], vt),
                   decode_state("Outcome.written", d["written"], vt), check_bool("Outcome.maybe", d["maybe"]))


def wire_bytes(msg) -> int:
    """Bytes of ``msg`` as JSON: ``len(json.dumps(msg.to_json()))``."""
    if not callable(getattr(msg, "to_json", None)):
        raise TypeError(f"msg={brief(msg)}: expected a protocol message (with to_json())")
    return len(json.dumps(msg.to_json()))


def value_bytes(value) -> int:
    """Bytes of one CRDT value on the wire (0 for the missing marker)."""
    if value is not None and not callable(getattr(value, "to_json", None)):
        raise TypeError(f"value={brief(value)}: expected a CRDT value (with to_json()) or None")
    return 0 if value is None else len(json.dumps(value.to_json()))

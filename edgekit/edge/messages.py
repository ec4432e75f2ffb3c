"""The two messages of the sync protocol, and how many bytes they put on the wire.

A ``SyncRequest`` carries, for every key in a node's interest set, its
current CRDT state, or ``None`` (the "missing" marker) for a key it does not
hold. The ``SyncResponse`` carries the upstream's merged state for the same
keys (``None`` where the upstream does not hold the key either). That one
round trip is the only way state moves between sites.

Sizes are what a JSON transport would send: ``len(json.dumps(msg.to_json()))``
(``wire_bytes``). The values inside are measured the same way
(``value_bytes``), so a figure can split a message into keys and CRDT bytes.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class V:
...     x: int
...     def to_json(self): return {"x": self.x}
>>> req = SyncRequest(7, {"k1": V(1), "k2": None})
>>> req.to_json()
{'type': 'SyncRequest', 'sync_id': 7, 'blocking': False, 'entries': {'k1': {'x': 1}, 'k2': None}}
>>> wire_bytes(req), value_bytes(V(1))
(97, 8)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["SyncRequest", "SyncResponse", "Outcome", "wire_bytes", "value_bytes"]


@dataclass(frozen=True, slots=True, eq=False)
class SyncRequest:
    """A node's state for the keys it is interested in (``None`` = "I lack this key")."""

    sync_id: int
    entries: dict
    blocking: bool = False  # a read miss waits on this: upstreams may fetch before answering

    def to_json(self) -> dict:
        return {"type": "SyncRequest", "sync_id": self.sync_id, "blocking": self.blocking,
                "entries": _entries_json(self.entries)}


@dataclass(frozen=True, slots=True, eq=False)
class SyncResponse:
    """The upstream's merged state for the keys of request ``sync_id``."""

    sync_id: int
    entries: dict

    def to_json(self) -> dict:
        return {"type": "SyncResponse", "sync_id": self.sync_id, "entries": _entries_json(self.entries)}


def _entries_json(entries: dict) -> dict:
    return {k: (None if v is None else v.to_json()) for k, v in entries.items()}


def wire_bytes(msg) -> int:
    """Bytes of ``msg`` as compact-enough JSON: ``len(json.dumps(msg.to_json()))``."""
    return len(json.dumps(msg.to_json()))


def value_bytes(value) -> int:
    """Bytes of one CRDT value on the wire (0 for the missing marker)."""
    return 0 if value is None else len(json.dumps(value.to_json()))


class Outcome:
    """What a client operation got: ``ok``, ``latency_ms``, the CRDT ``state`` (None: missing)."""

    __slots__ = ("ok", "latency_ms", "state", "pending")

    def __init__(self, ok: bool, latency_ms: float | None, state, pending: bool = False) -> None:
        self.ok, self.latency_ms, self.state, self.pending = ok, latency_ms, state, pending

    @property
    def value(self):
        """The user-visible value (None for a miss or a failure)."""
        return None if self.state is None else self.state.value

    def __repr__(self) -> str:
        return f"Outcome(ok={self.ok}, latency_ms={self.latency_ms}, value={self.value!r})"

"""What the clients saw: one record per client operation, kept by the client, not by the system.

A ``ClientOp`` is written by whoever plays the clients (the simulator's driver
in ``EdgeSystem``, or a live load generator over HTTP) from the reply alone:
which site, which key, what was asked, when it was invoked and answered, and
the outcome. The checkers (``edgekit.edge.lab.checks``) read these records and
final states, and nothing of the system's own bookkeeping, so the same checks
judge a simulated run, a learner's node and a live planet.

``status`` follows Jepsen: ``"ok"`` (served; a write acknowledged), ``"fail"``
(certainly not applied), ``"info"`` (a write that may or may not have been
applied: it reached replicas but too few confirmed, or the front end died).

>>> op = ClientOp("LHR", "k0", "write", 7, 10.0, 10.6, "ok", None, None)
>>> ClientOp.from_json(op.to_json(), "lww") == op
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._checks import brief

__all__ = ["ClientOp", "STATUSES", "status_of"]

STATUSES = ("ok", "fail", "info")


def status_of(out) -> str:
    """The status of an ``Outcome``."""
    return "ok" if out.ok else "info" if out.maybe else "fail"


@dataclass(frozen=True, slots=True)
class ClientOp:
    """One client operation as its client saw it (``state``: what it got back; ``written``: a
    write's own effect, as the reply reported it)."""

    site: str
    key: str
    kind: str  # "read" or "write"
    arg: object  # a write's argument (write number i); None for a read
    invoke_ms: float
    complete_ms: float
    status: str
    state: object
    written: object

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        return {"site": self.site, "key": self.key, "kind": self.kind, "arg": self.arg,
                "invoke_ms": self.invoke_ms, "complete_ms": self.complete_ms, "status": self.status,
                "state": None if self.state is None else self.state.to_json(),
                "written": None if self.written is None else self.written.to_json()}

    @classmethod
    def from_json(cls, d, value_type) -> ClientOp:
        """A record from ``to_json``, checked (a recorded history is input like any other)."""
        from .codec import as_value_type, decode_state

        fields = ("site", "key", "kind", "arg", "invoke_ms", "complete_ms", "status", "state", "written")
        if not isinstance(d, dict) or set(d) != set(fields):
            raise ValueError(f"op={d!r:.80}: expected an object with fields {', '.join(fields)}")
        vt = as_value_type(value_type)
        for name in ("site", "key"):
            if not isinstance(d[name], str) or not d[name]:
                raise ValueError(f"op.{name}={brief(d[name])}: expected a non-empty string")
        if d["kind"] not in ("read", "write"):
            raise ValueError(f"op.kind={brief(d['kind'])}: expected 'read' or 'write'")
        if d["status"] not in STATUSES:
            raise ValueError(f"op.status={brief(d['status'])}: expected one of {STATUSES}")
        for name in ("invoke_ms", "complete_ms"):
            t = d[name]
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
                raise ValueError(f"op.{name}={brief(t)}: expected a finite time in ms")
        if d["complete_ms"] < d["invoke_ms"]:
            raise ValueError(f"op.complete_ms={brief(d['complete_ms'])}: expected a time >= invoke_ms")
        return cls(d["site"], d["key"], d["kind"], d["arg"], float(d["invoke_ms"]), float(d["complete_ms"]),
                   d["status"], decode_state("op.state", d["state"], vt),
                   decode_state("op.written", d["written"], vt))

"""Chapter 4's playground: three replicas of one CRDT, a network you drive by hand, and its lattice.

Apply operations at any replica, send a replica's state to another (it waits
in flight), then deliver, duplicate or drop each message in any order, and
watch the states, values and the lattice. Everything a button does is also a
method (``apply``, ``send``, ``deliver``, ``duplicate``, ``drop``,
``sync_all``), so a notebook or a test can script a scenario.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w

from edgekit.crdt import (
    GCounter,
    GSet,
    LWWElementSet,
    LWWRegister,
    MVRegister,
    ORSet,
    PNCounter,
    TwoPSet,
)
from edgekit.crdt.lattice import describe, hasse
from edgekit.figures import crdt as cfig
from edgekit.widgets.base import App, guarded

__all__ = ["PlaygroundApp", "KINDS", "REPLICAS"]

REPLICAS = ("A", "B", "C")
KINDS = {  # type -> its operations; the argument is an element/value, or an amount for counters
    "GSet": (GSet, ("add",)),
    "TwoPSet": (TwoPSet, ("add", "remove")),
    "ORSet": (ORSet, ("add", "remove")),
    "LWWElementSet": (LWWElementSet, ("add", "remove")),
    "GCounter": (GCounter, ("increment",)),
    "PNCounter": (PNCounter, ("increment", "decrement")),
    "LWWRegister": (LWWRegister, ("assign",)),
    "MVRegister": (MVRegister, ("assign",)),
}
CLOCKED = ("LWWElementSet", "LWWRegister")  # the types whose operations take a timestamp
LATTICE_LIMIT = 24  # draw at most this many states: a picture, not a census


@dataclass(frozen=True)
class Message:
    id: int
    src: str
    dst: str
    state: object


def apply_op(state, kind: str, op: str, replica: str, arg: str, timestamp: int):
    """One operation typed into the playground, applied to ``state``."""
    if op not in KINDS[kind][1]:
        raise ValueError(f"operation={op!r}: expected one of {KINDS[kind][1]} for a {kind}")
    if kind in ("GCounter", "PNCounter"):
        try:
            n = int(arg)
        except ValueError:
            raise ValueError(f"amount={arg!r}: expected a whole number such as 1") from None
        return getattr(state, op)(replica, n)
    if not arg.strip():
        raise ValueError("element='': expected a name such as x")
    arg = arg.strip()
    if kind in ("GSet", "TwoPSet") or (kind == "ORSet" and op == "remove"):
        return getattr(state, op)(arg)
    if kind in CLOCKED:
        return getattr(state, op)(replica, arg, timestamp)
    return getattr(state, op)(replica, arg)


class PlaygroundApp(App):
    """Three replicas of one CRDT; you are the network."""

    def __init__(self, kind: str = "ORSet") -> None:
        super().__init__()
        self.kind = w.Dropdown(options=list(KINDS), value=kind, description="Type")
        self.replica = w.ToggleButtons(options=REPLICAS, value="A", description="At replica")
        self.operation = w.Dropdown(options=KINDS[kind][1], description="Operation")
        self.argument = w.Text(value="x", description="Element", continuous_update=False)
        self.timestamp = w.BoundedIntText(value=1, min=0, max=10**9, description="Timestamp")
        self.apply_button = w.Button(description="Apply", button_style="primary")
        self.src = w.Dropdown(options=REPLICAS, value="A", description="Send from")
        self.dst = w.Dropdown(options=REPLICAS, value="B", description="to")
        self.send_button = w.Button(description="Send state")
        self.in_flight = w.Dropdown(options=[], description="In flight")
        self.deliver_button = w.Button(description="Deliver")
        self.duplicate_button = w.Button(description="Deliver, keep a copy")
        self.drop_button = w.Button(description="Drop")
        self.sync_all_button = w.Button(description="Sync everyone")
        self.reset_button = w.Button(description="Reset")
        self.controls = [self.kind, self.replica, self.operation, self.argument, self.timestamp,
                         self.src, self.dst, self.in_flight]
        on = lambda b, fn: b.on_click(guarded(lambda _: fn(), self.output))  # noqa: E731
        on(self.apply_button, lambda: self.apply(self.replica.value, self.operation.value, self.argument.value))
        on(self.send_button, lambda: self.send(self.src.value, self.dst.value))
        on(self.deliver_button, lambda: self.deliver(self.in_flight.value))
        on(self.duplicate_button, lambda: self.duplicate(self.in_flight.value))
        on(self.drop_button, lambda: self.drop(self.in_flight.value))
        on(self.sync_all_button, self.sync_all)
        on(self.reset_button, self.reset)
        self.kind.observe(lambda _: self.reset(), names="value")
        self.log = w.HTML()
        self.widget = w.VBox([
            self.kind,
            w.HBox([self.replica]),
            w.HBox([self.operation, self.argument, self.timestamp, self.apply_button]),
            w.HBox([self.src, self.dst, self.send_button]),
            w.HBox([self.in_flight, self.deliver_button, self.duplicate_button, self.drop_button]),
            w.HBox([self.sync_all_button, self.reset_button]),
            self.output, self.plot, self.log,
        ])
        self.reset()

    # --- what the buttons do -------------------------------------------------------------------

    def reset(self) -> None:
        cls, ops = KINDS[self.kind.value]
        self.states = {r: cls() for r in REPLICAS}
        self.seen = [cls()]  # every state any replica or message has held: the lattice's nodes
        self.messages: dict[int, Message] = {}
        self.next_id = 1
        self.events: list[str] = []
        self.operation.options = ops
        self.argument.description = "Amount" if "Counter" in self.kind.value else "Element"
        self.argument.value = "1" if "Counter" in self.kind.value else "x"
        self.timestamp.disabled = self.kind.value not in CLOCKED
        self.refresh()

    def _set(self, replica: str, state) -> None:
        self.states[replica] = state
        if state not in self.seen:
            self.seen.append(state)

    def apply(self, replica: str, op: str, arg="x", timestamp: int | None = None) -> None:
        if replica not in REPLICAS:
            raise ValueError(f"replica={replica!r}: expected one of {REPLICAS}")
        ts = self.timestamp.value if timestamp is None else timestamp
        self._set(replica, apply_op(self.states[replica], self.kind.value, op, replica, str(arg), ts))
        clock = f" @{ts}" if self.kind.value in CLOCKED else ""
        self.events.append(f"{replica}: {op} {arg}{clock}")
        if self.kind.value in CLOCKED and timestamp is None:
            self.timestamp.value = ts + 1
        self.refresh()

    def send(self, src: str, dst: str) -> int:
        """Put ``src``'s current state in flight to ``dst``; returns the message id."""
        if src == dst or src not in REPLICAS or dst not in REPLICAS:
            raise ValueError(f"send {src!r} -> {dst!r}: expected two different replicas of {REPLICAS}")
        msg = Message(self.next_id, src, dst, self.states[src])
        self.messages[msg.id] = msg
        self.next_id += 1
        self.events.append(f"#{msg.id}: {src} sends its state to {dst}")
        self.refresh()
        return msg.id

    def _take(self, mid) -> Message:
        if mid not in self.messages:
            raise ValueError(f"message={mid!r}: expected one of the messages in flight {sorted(self.messages)}")
        return self.messages[mid]

    def deliver(self, mid: int, keep_copy: bool = False) -> None:
        msg = self._take(mid)
        if not keep_copy:
            del self.messages[mid]
        self._set(msg.dst, self.states[msg.dst] | msg.state)
        self.events.append(f"#{mid} delivered to {msg.dst}" + (" (a copy stays in flight)" if keep_copy else ""))
        self.refresh()

    def duplicate(self, mid: int) -> None:
        self.deliver(mid, keep_copy=True)

    def drop(self, mid: int) -> None:
        msg = self._take(mid)
        del self.messages[mid]
        self.events.append(f"#{mid} ({msg.src} -> {msg.dst}) lost")
        self.refresh()

    def sync_all(self) -> None:
        """Anti-entropy: every replica merges every other's state."""
        joined = self.states["A"] | self.states["B"] | self.states["C"]
        for r in REPLICAS:
            self._set(r, joined)
        self.events.append("everyone synced")
        self.refresh()

    # --- drawing -------------------------------------------------------------------------------

    @property
    def converged(self) -> bool:
        return len(set(self.states.values())) == 1

    def _value(self, r: str) -> str:
        v = self.states[r].value
        if isinstance(v, frozenset):
            return "{" + ", ".join(sorted(map(str, v))) + "}"
        return "—" if v is None else str(v)

    def update(self) -> None:
        opts = [(f"#{m.id}: {m.src} → {m.dst} ({describe(m.state)})", m.id) for m in self.messages.values()]
        self.in_flight.options = opts
        if opts:
            self.in_flight.value = opts[0][1]
        rows = "".join(
            f"<tr><td><b>{r}</b></td><td><code>{html.escape(describe(s))}</code></td>"
            f"<td><b>{html.escape(self._value(r))}</b></td></tr>"
            for r, s in self.states.items()
        )
        verdict = ("all three replicas hold the same state: converged" if self.converged
                   else "the replicas differ: keep syncing")
        self.output.value = (
            "<table style='font-size:15px'><tr><th>replica</th><th>state</th><th>value</th></tr>"
            f"{rows}</table><p style='font-size:15px'>{len(self.messages)} message(s) in flight; {verdict}.</p>"
        )
        self.log.value = "<small>" + html.escape(" · ".join(self.events[-12:]) or "no events yet") + "</small>"
        h = hasse(self.seen[-LATTICE_LIMIT:] + list(self.states.values()), limit=LATTICE_LIMIT)
        marks = {r: h.nodes.index(s) for r, s in self.states.items()}
        self.show(cfig.hasse_figure(h, marks))
        self.lattice = h

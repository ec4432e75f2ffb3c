"""Chapter 2's widgets: a space-time diagram under four clocks, a happens-before explorer, LWW under skew.

Each app reruns package code (``edgekit.sim``) when a control changes and
redraws; tests drive them by setting a control's ``.value``.
"""

from __future__ import annotations

from functools import lru_cache

import ipywidgets as w

from edgekit.clocks import happens_before
from edgekit.figures import time as tfig
from edgekit.sim.causality import Causality, Event
from edgekit.sim.lww import lww_run
from edgekit.sim.workloads import EXCHANGE_CLOCKS, EXCHANGE_ORDER, exchange_run
from edgekit.widgets.base import App, table_html

__all__ = ["SpaceTimeApp", "HappensBeforeApp", "LWWSkewApp", "exchange", "looks_received_before_sent"]

STAMP_OPTIONS = [("wall clock", "wall"), ("Lamport", "lamport"), ("vector", "vector"), ("HLC", "hlc"),
                 ("true time", "true")]
LWW_SITES = ("SYD", "NRT", "SIN", "JFK", "GRU", "FRA")


@lru_cache(maxsize=64)
def exchange(jfk_offset_ms: float = EXCHANGE_CLOCKS["JFK"][0], nrt_offset_ms: float = EXCHANGE_CLOCKS["NRT"][0]
             ) -> Causality:
    """Chapter 2's exchange with these clock offsets, as events (timers left out), cached per setting."""
    net = exchange_run(clocks={"JFK": (float(jfk_offset_ms), 0.0), "NRT": (float(nrt_offset_ms), 0.0)})
    return Causality.from_network(net, exclude=("timer",))


def looks_received_before_sent(send: Event, recv: Event, stamp: str) -> bool:
    """Whether the chosen clock fails to put a message's receipt after its send."""
    if stamp == "vector":
        return not happens_before(send.vector, recv.vector)
    key = {"wall": lambda e: e.wall, "true": lambda e: e.time, "lamport": lambda e: e.lamport,
           "hlc": lambda e: (e.hlc.l, e.hlc.c)}[stamp]
    return not key(send) < key(recv)


class SpaceTimeApp(App):
    """The exchange between four PoPs; switch the timestamps shown and New York's clock offset."""

    def __init__(self, stamp: str = "wall", jfk_offset_ms: int = -120) -> None:
        super().__init__()
        self.stamp = w.ToggleButtons(options=STAMP_OPTIONS, value=stamp, description="Clock")
        self.jfk = w.IntSlider(value=jfk_offset_ms, min=-300, max=300, step=10, description="JFK clock",
                               continuous_update=False)
        self._drawn = None  # the JFK offset the figure shows: a clock switch then only relabels it
        self.start([self.stamp, self.jfk], self.stamp, self.jfk)

    def update(self) -> None:
        stamp = self.stamp.value
        cz = exchange(self.jfk.value)
        if self._drawn == self.jfk.value:  # same events, other stamps: relabel the figure (cheaper than a rebuild)
            fig = self.figure
            texts = tfig.event_texts(cz, stamp, EXCHANGE_ORDER)
            for trace in fig.data:
                kind = {"local event": "local", "send": "send", "receive": "deliver"}.get(trace.name)
                if kind:
                    trace.text = texts[kind]
            fig.layout.title.text = tfig.spacetime_title(stamp)
        else:
            offsets = {"JFK": self.jfk.value, "NRT": EXCHANGE_CLOCKS["NRT"][0]}
            fig = tfig.spacetime_figure(cz, stamp, EXCHANGE_ORDER, offsets=offsets)
            self._drawn = self.jfk.value
        self.show(fig)
        ev = cz.events
        rows, self.inverted = [], []
        for s, d in cz.messages():
            bad = looks_received_before_sent(ev[s], ev[d], stamp)
            name = f"{ev[s].record.data} {ev[s].node} → {ev[d].node}"
            if bad:
                self.inverted.append(ev[s].record.data)
            sent, got = tfig.stamp_text(ev[s], stamp, EXCHANGE_ORDER), tfig.stamp_text(ev[d], stamp, EXCHANGE_ORDER)
            verdict = "receipt does NOT come after the send" if bad else "receipt after send ✓"
            rows.append((name, f"sent {sent}, received {got}: {verdict}"))
        rows.append(("messages this clock orders wrongly", f"{len(self.inverted)} of {len(rows)}"))
        self.output.value = table_html(rows)


class HappensBeforeApp(App):
    """Pick two events: did one happen before the other, or are they concurrent? The path is drawn."""

    def __init__(self, a: int = 0, b: int = 13) -> None:
        super().__init__()
        cz = exchange()
        opts = [(_option(e), e.index) for e in cz.events]
        self.a = w.Dropdown(options=opts, value=a, description="Event a")
        self.b = w.Dropdown(options=opts, value=b, description="Event b")
        self.start([self.a, self.b])

    def update(self) -> None:
        cz = exchange()
        a, b = self.a.value, self.b.value
        ea, eb = cz.events[a], cz.events[b]
        self.relation = cz.relation(a, b)
        self.path = cz.path(a, b) or cz.path(b, a) or []
        fig = tfig.spacetime_figure(cz, "vector", EXCHANGE_ORDER, highlight=(a, b),
                                    offsets={k: v[0] for k, v in EXCHANGE_CLOCKS.items()},
                                    title="Happens-before: the causal path, if any, in vermillion")
        self.show(fig)
        va, vb = (tfig.stamp_text(e, "vector", EXCHANGE_ORDER) for e in (ea, eb))
        verdict = {
            "same": "a and b are the same event",
            "before": "a happened before b",
            "after": "b happened before a",
            "concurrent": "a and b are concurrent: neither could have influenced the other",
        }[self.relation]
        chain = " → ".join(f"e{k}" for k in self.path) if self.path else "none: no chain of messages links them"
        rows = [("verdict", verdict), ("causal path", chain),
                ("vector clocks (lanes " + ", ".join(EXCHANGE_ORDER) + ")", f"a {va}   b {vb}"),
                ("Lamport clocks", f"a {ea.lamport}   b {eb.lamport}")]
        if self.relation == "concurrent" and ea.lamport != eb.lamport:
            lo, hi = ("a", "b") if ea.lamport < eb.lamport else ("b", "a")
            rows.append(("note", f"Lamport puts {lo} before {hi}, yet they are concurrent: "
                                 "a smaller Lamport time does not mean 'happened before'"))
        self.output.value = table_html(rows)


def _option(e: Event) -> str:
    r = e.record
    what = {"send": f"sends {r.data} to {r.peer}", "deliver": f"receives {r.data} from {r.peer}"}.get(
        r.kind, f"local event {r.data.get('label', '') if isinstance(r.data, dict) else ''}")
    return f"e{e.index} · {r.node} {what}"


class LWWSkewApp(App):
    """Two writes, one causally after the other; skew the first site's clock and watch LWW decide."""

    has_map = True

    def __init__(self, skew_ms: int = 250, mode: str = "wall", b: str = "SYD") -> None:
        super().__init__()
        self.skew = w.IntSlider(value=skew_ms, min=-300, max=600, step=10, description="LHR clock",
                                continuous_update=False)
        self.mode = w.ToggleButtons(options=[("wall-clock stamps", "wall"), ("HLC stamps", "hlc")], value=mode)
        self.b = w.Dropdown(options=list(LWW_SITES), value=b, description="Second site")
        self.start([self.skew, self.mode, self.b], w.HBox([self.skew, self.b]), self.mode)

    def update(self) -> None:
        out = lww_run(self.skew.value, self.mode.value, "LHR", self.b.value)
        self.outcome = out
        self.show(tfig.lww_map(out))
        v1, v2 = out.stamps["v1"], out.stamps["v2"]
        threshold = out.writes[1].true_ms  # b's clock is exact: v2's wall stamp is its true time
        self.output.value = table_html([
            ("v1 (LHR, true 0 ms) stamp", f"{v1[0]:.1f}" + (f", c={v1[1]}" if out.mode == "hlc" else "")),
            (f"v2 ({self.b.value}, after reading v1) stamp",
             f"{v2[0]:.1f}" + (f", c={v2[1]}" if out.mode == "hlc" else "")),
            ("both replicas end with", out.final["a"]),
            ("lost write", ", ".join(out.lost) or "none"),
            ("wall-clock LWW loses v2 when LHR's clock leads by more than", f"{threshold:.1f} ms"),
        ])

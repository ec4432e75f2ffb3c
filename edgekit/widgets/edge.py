"""Chapter 5's widgets: step the sync protocol, look inside a site, compare the four designs.

Tests drive them without a browser: set a control's ``.value``, then read
``app.output.value``, ``app.figure.data`` / ``.layout`` and the last records
(``app.step``, ``app.inside``, ``app.records``).
"""

from __future__ import annotations

import html

import ipywidgets as w

from edgekit.edge.lab.compare import SCENARIOS, TOPOLOGY_LABELS, workshop_compare, workshop_ready
from edgekit.edge.lab.stepper import site_inside, sync_walkthrough
from edgekit.figures import edge as fe
from edgekit.widgets.base import App, Memo, guarded, table_html

__all__ = ["SyncStepper", "SiteInspector", "DesignComparison"]

SITES, ROOT = ("SYD", "LHR"), "root:FRA"  # sync_walkthrough's default sites and root


def _text(v) -> str:
    return "missing" if v is None else html.escape(str(v))


class SyncStepper(App):
    """One epoch of pull sync at a time: the client operations, every message and its bytes, the states.

    Pick a message and press *Drop it* or *Duplicate it* to break the network for that message in
    that epoch; *Clear faults* starts again. The table says what changed against the run with no
    fault, and whether the root ends up the same.
    """

    def __init__(self, step: int = 1, value_type: str = "lww") -> None:
        super().__init__()
        self.faults: dict = {}  # (epoch, site, "request" or "response") -> "drop" or "duplicate"
        # Each run takes a few ms: computed once per (value type, faults), so the slider only redraws.
        self._walks = Memo(16)  # the calm walk is used on every redraw, so it stays
        self._figures = Memo(64)  # (value type, faults, epoch) -> go.Figure: each is built once
        n = len(self.walk("lww"))
        self.number = w.IntSlider(value=step, min=1, max=n, description="Epoch")
        self.value_type = w.ToggleButtons(options=[("LWW register", "lww"), ("MV register", "mv")],
                                          value=value_type)
        self.message = w.Dropdown(options=[(f"{site} → upstream: SyncRequest", (site, "request")) for site in SITES]
                                  + [(f"upstream → {site}: SyncResponse", (site, "response")) for site in SITES],
                                  description="Message")
        self.drop_button = w.Button(description="Drop it")
        self.duplicate_button = w.Button(description="Duplicate it")
        self.clear_button = w.Button(description="Clear faults")
        on = lambda b, fn: b.on_click(guarded(lambda _: fn(), self.output))  # noqa: E731
        on(self.drop_button, lambda: self.break_message("drop"))
        on(self.duplicate_button, lambda: self.break_message("duplicate"))
        on(self.clear_button, self.clear_faults)
        self.start([self.number, self.value_type],
                   w.HBox([self.number, self.value_type]),
                   w.HBox([self.message, self.drop_button, self.duplicate_button, self.clear_button]))

    def walk(self, value_type: str, faults=None) -> tuple:
        key = (value_type, tuple(sorted((faults if faults is not None else self.faults).items())))
        return self._walks.get(key, lambda: sync_walkthrough(value_type=value_type, faults=dict(key[1])))

    def break_message(self, how: str) -> None:
        """Drop or duplicate the chosen message in the epoch on show."""
        site, leg = self.message.value
        self.faults[(self.number.value, site, leg)] = how
        self.refresh()

    def clear_faults(self) -> None:
        self.faults.clear()
        self.refresh()

    def update(self) -> None:
        vt = self.value_type.value
        steps, calm = self.walk(vt), self.walk(vt, {})
        self.step = step = steps[self.number.value - 1]
        key = (vt, tuple(sorted(self.faults.items())), step.number)
        self.show(self._figures.get(key, lambda: fe.sync_step_figure(steps, step.number)))
        ops = "; ".join(f"{o.site} {o.kind}s {o.key} → {_text(o.value)}" for o in step.ops) or "none"
        rows = [("client operations", ops)]
        for i, m in enumerate(step.messages, 1):
            entries = ", ".join(f"{k}: {'missing' if v is None else f'{m.entry_bytes[k]} B'}"
                                for k, v in m.entries.items())
            fate = " — lost" if not m.copies else " — delivered twice" if m.copies > 1 else ""
            rows.append((f"{i}. {m.kind} {m.src} → {m.dst}", f"{m.bytes} bytes ({entries}){fate}"))
        if not step.messages:
            rows.append(("messages", "none: no site read or wrote anything, so no site has interest"))
        for node, values in step.states.items():
            rows.append((f"{node} holds", ", ".join(f"{k} = {_text(v)}" for k, v in values.items()) or "nothing"))
        if self.faults:
            broken = "; ".join(f"epoch {n}: {how} {site}'s {leg}" for (n, site, leg), how in sorted(self.faults.items()))
            rows.append(("faults", broken))
            later = [s.number for s, c in zip(steps, calm, strict=True) if len(s.messages) != len(c.messages)]
            rows.append(("epochs whose messages differ from the run without faults",
                         ", ".join(map(str, later)) or "none"))
            same = steps[-1].states[ROOT] == calm[-1].states[ROOT]
            rows.append(("the root after the last epoch",
                         "the same as without faults: a missed sync only delays, a duplicate changes nothing"
                         if same else "not yet the same as without faults"))
        self.output.value = table_html(rows)


class SiteInspector(App):
    """Inside one PoP: which replicas hold a key, a replica that missed a write, scatter-gather, repair."""

    def __init__(self, key: str = "cart:42", replicas: int = 5, n: int = 3, missed_by: int = 0,
                 slow: tuple = (), slow_ms: float = 20.0) -> None:
        super().__init__()
        self.key = w.Text(value=key, description="Key")
        self.replicas = w.IntSlider(value=replicas, min=1, max=8, description="Replicas")
        self.n = w.IntSlider(value=n, min=1, max=8, description="Copies (n)")
        self.missed_by = w.BoundedIntText(value=missed_by, min=0, max=7, description="Missed by #")
        self.slow = w.SelectMultiple(options=[(f"r{i}", i) for i in range(8)], value=tuple(slow), rows=4,
                                     description="Slow")
        self.slow_ms = w.FloatSlider(value=slow_ms, min=0.0, max=200.0, step=5.0, description="Slow by ms")
        self.start([self.key, self.replicas, self.n, self.missed_by, self.slow, self.slow_ms])

    def update(self) -> None:
        slow = tuple(i for i in self.slow.value if i < self.replicas.value)
        inside = site_inside(self.key.value, self.replicas.value, self.n.value, self.missed_by.value, slow,
                             self.slow_ms.value)
        self.inside = inside
        self.show(fe.site_inside_figure(inside))
        holders = [f"r{r.index}" for r in sorted(inside.replicas, key=lambda r: -r.score) if r.holds_key]
        late = [f"r{r.index}" for r in inside.replicas if r.late]
        self.output.value = table_html([
            ("the key's replicas (highest scores first)", ", ".join(holders)),
            ("latest write", _text(inside.latest)),
            ("the client got (the merge of the replies in time)",
             f"{_text(inside.answered)} after {inside.latency_ms:.1f} ms"
             + (" — stale: every replica with the write answered too late" if inside.stale_answer else "")),
            (f"replies later than the first + {inside.gather_ms:g} ms (not merged)", ", ".join(late) or "none"),
            ("read repairs (one-object syncs)", str(inside.repairs)),
        ])


VIEWS = (("scorecard", "scorecard"), ("write latency per PoP", "write"), ("read latency per PoP", "read"))


class DesignComparison(App):
    """The four designs on the same workload: pick the fault, and the view of the results.

    A fault's four runs take about 0.7 s of CPU here, so the app runs only the fault it opens
    with when it is built (shared with the notebook's own ``workshop_compare`` calls, which keep
    every fault's runs once made). A fault picked for the first time runs on the app's thread
    (``App.act``): the kernel answers at once with a busy line, and the figure follows. Building
    all four ahead made the chapter's notebook pay for two faults it never shows itself.
    """

    def __init__(self, scenario: str = "none", view: str = "scorecard", seed: int = 0) -> None:
        super().__init__()
        self.scenario = w.Dropdown(options=[(s.replace("_", " "), s) for s in SCENARIOS], value=scenario,
                                   description="Fault")
        self.view = w.ToggleButtons(options=VIEWS, value=view)
        self.seed = seed
        workshop_compare(scenario, seed)  # the fault it opens with; ``workshop_compare`` keeps every run
        self._figures: dict = {}  # (scenario, view) -> go.Figure: twelve at most
        self.start([self.scenario, self.view])

    def update(self) -> None:
        scenario = self.scenario.value
        if not workshop_ready(scenario, self.seed):  # first look: run it on the app's thread, then redraw
            self.act(lambda: workshop_compare(scenario, self.seed),
                     f"Running the four designs with {scenario.replace('_', ' ')} (about a second)…",
                     lambda _recs: self.update(), redraw=False)
            return
        recs = workshop_compare(scenario, self.seed)
        self.records = recs
        v = self.view.value
        key = (self.scenario.value, v)
        if key not in self._figures:
            self._figures[key] = fe.comparison_figure(recs) if v == "scorecard" else fe.pop_latency_figure(recs, v)
        self.show(self._figures[key])
        rows = []
        for r in recs:
            failed = r.failed_reads + r.failed_writes
            rows.append((TOPOLOGY_LABELS[r.topology],
                         f"write p50 {r.write_all['p50']:.1f} ms · stale reads {100 * r.stale_fraction:.0f}% · "
                         f"{r.bytes_per_op:.0f} B/op · failed {failed} · lost writes {r.lost_writes}"))
        self.output.value = table_html(rows)

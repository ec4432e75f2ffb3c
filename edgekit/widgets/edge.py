"""Chapter 5's widgets: step the sync protocol, look inside a site, compare the four designs.

Tests drive them without a browser: set a control's ``.value``, then read
``app.output.value``, ``app.figure.data`` / ``.layout`` and the last records
(``app.step``, ``app.inside``, ``app.records``).
"""

from __future__ import annotations

import html

import ipywidgets as w
import plotly.graph_objects as go

from edgekit.edge.compare import SCENARIOS, TOPOLOGY_LABELS, workshop_compare
from edgekit.edge.stepper import site_inside, sync_walkthrough
from edgekit.figures import edge as fe
from edgekit.widgets.light import _Base, _table  # shared with chapter 1's apps

__all__ = ["SyncStepper", "SiteInspector", "DesignComparison"]


def _replace(fw: go.FigureWidget | None, fig: go.Figure) -> go.FigureWidget:
    """Show ``fig`` in ``fw`` whole (layout too: the views differ in axes and annotations)."""
    if fw is None:
        return go.FigureWidget(fig)
    with fw.batch_update():
        fw.data = ()
        fw.layout = fig.layout
        fw.add_traces(list(fig.data))
    return fw


def _show(v) -> str:
    return "missing" if v is None else html.escape(str(v))


class SyncStepper(_Base):
    """One epoch of pull sync at a time: the client operations, every message and its bytes, the states."""

    has_map = False

    def __init__(self, step: int = 1, value_type: str = "lww") -> None:
        super().__init__()
        # Both runs take a few ms: compute them once, so moving the slider only redraws.
        self.walks = {vt: sync_walkthrough(value_type=vt) for vt in ("lww", "mv")}
        n = len(self.walks["lww"])
        self.number = w.IntSlider(value=step, min=1, max=n, description="Epoch")
        self.value_type = w.ToggleButtons(options=[("LWW register", "lww"), ("MV register", "mv")],
                                          value=value_type)
        self._finish([self.number, self.value_type])

    def update(self) -> None:
        steps = self.walks[self.value_type.value]
        self.step = step = steps[self.number.value - 1]
        if self.figure is None:
            self.figure = go.FigureWidget(fe.sync_step_figure(steps, step.number))
        else:  # same traces, new numbers and labels: swap them in place (the layout stays)
            traces, notes, title = fe.sync_step_parts(steps, step.number)
            fw = self.figure
            with fw.batch_update():
                for old, new in zip(fw.data, traces, strict=True):
                    old.update(new.to_plotly_json(), overwrite=True)
                fw.layout.annotations = list(fw.layout.annotations[:2]) + notes  # keep the subplot titles
                fw.layout.title.text = title
        ops = "; ".join(f"{o.site} {o.kind}s {o.key} → {_show(o.value)}" for o in step.ops) or "none"
        rows = [("client operations", ops)]
        for i, m in enumerate(step.messages, 1):
            entries = ", ".join(f"{k}: {'missing' if v is None else f'{m.entry_bytes[k]} B'}"
                                for k, v in m.entries.items())
            rows.append((f"{i}. {m.kind} {m.src} → {m.dst}", f"{m.bytes} bytes ({entries})"))
        if not step.messages:
            rows.append(("messages", "none: no site read or wrote anything, so no site has interest"))
        for node, values in step.states.items():
            rows.append((f"{node} holds", ", ".join(f"{k} = {_show(v)}" for k, v in values.items()) or "nothing"))
        self.output.value = _table(rows)


class SiteInspector(_Base):
    """Inside one PoP: which replicas hold a key, a replica that missed a write, scatter-gather, repair."""

    has_map = False

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
        self._finish([self.key, self.replicas, self.n, self.missed_by, self.slow, self.slow_ms])

    def update(self) -> None:
        slow = tuple(i for i in self.slow.value if i < self.replicas.value)
        inside = site_inside(self.key.value, self.replicas.value, self.n.value, self.missed_by.value, slow,
                             self.slow_ms.value)
        self.inside = inside
        if self.figure is None:
            self.figure = go.FigureWidget(fe.site_inside_figure(inside))
        else:  # one bar trace whatever the controls: update it in place
            bar, title = fe.site_inside_parts(inside)
            with self.figure.batch_update():
                self.figure.data[0].update(bar.to_plotly_json(), overwrite=True)
                self.figure.layout.title.text = title
        holders = [f"r{r.index}" for r in sorted(inside.replicas, key=lambda r: -r.score) if r.holds_key]
        late = [f"r{r.index}" for r in inside.replicas if r.holds_key and r.slow_ms > inside.gather_ms]
        self.output.value = _table([
            ("the key's replicas (highest scores first)", ", ".join(holders)),
            ("latest write", _show(inside.latest)),
            ("the client got (the first reply)",
             f"{_show(inside.answered)} after {inside.first_reply_ms:.2f} ms"
             + (" — stale: that replica missed the write" if inside.stale_answer else "")),
            ("replies too late for the gather timer", ", ".join(late) or "none"),
            ("read repairs (one-object syncs)", str(inside.repairs)),
        ])


VIEWS = (("scorecard", "scorecard"), ("write latency per PoP", "write"), ("read latency per PoP", "read"))


class DesignComparison(_Base):
    """The four designs on the same workload: pick the fault, and the view of the results."""

    has_map = False

    def __init__(self, scenario: str = "none", view: str = "scorecard", seed: int = 0) -> None:
        super().__init__()
        self.scenario = w.Dropdown(options=[(s.replace("_", " "), s) for s in SCENARIOS], value=scenario,
                                   description="Fault")
        self.view = w.ToggleButtons(options=VIEWS, value=view)
        self.seed = seed
        self._figures: dict = {}  # (scenario, view) -> go.Figure: building one takes a few hundred ms
        self._finish([self.scenario, self.view])

    def update(self) -> None:
        # The first look at a scenario runs four simulations (a few seconds); later looks are cached.
        recs = workshop_compare(self.scenario.value, self.seed)
        self.records = recs
        v = self.view.value
        key = (self.scenario.value, v)
        if key not in self._figures:
            self._figures[key] = fe.comparison_figure(recs) if v == "scorecard" else fe.pop_latency_figure(recs, v)
        self.figure = _replace(self.figure, self._figures[key])
        rows = []
        for r in recs:
            failed = r.failed_reads + r.failed_writes
            rows.append((TOPOLOGY_LABELS[r.topology],
                         f"write p50 {r.write_all['p50']:.1f} ms · stale reads {100 * r.stale_fraction:.0f}% · "
                         f"{r.bytes_per_op:.0f} B/op · failed {failed} · lost writes {r.lost_writes}"))
        self.output.value = _table(rows)

"""Chapter 5's charts: the four designs side by side, the sync protocol step by step, a site's
inside, and the complications (read misses, epoch length, hot keys, sync storms, bytes per type).

Every builder takes the plain records of ``edgekit.edge.lab.compare``, ``.stepper`` or
``.complications`` and returns a ``go.Figure``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from edgekit.edge.lab.compare import TOPOLOGIES, RunRecord
from edgekit.figures import style

from .._checks import brief

__all__ = ["comparison_figure", "pop_latency_figure", "sync_step_figure",
           "site_inside_figure", "read_miss_figure", "epoch_figure", "hot_key_figure", "storm_figure", "value_cost_figure",
           "writer_ids_figure",
           "design_style"]

_PATTERNS = ("", "/", "x", ".")


def design_style(topology: str) -> dict:
    """Colour, symbol and bar pattern of a design: the same in every chart of the chapter."""
    i = TOPOLOGIES.index(topology) if topology in TOPOLOGIES else 0
    return dict(color=style.color(i), symbol=style.symbol(i), pattern=_PATTERNS[i % 4], dash=style.dash(i))


def _records(records) -> list[RunRecord]:
    recs = list(records)
    if not recs or not all(isinstance(r, RunRecord) for r in recs):
        raise ValueError("records: expected RunRecords from edgekit.edge.lab.compare.compare(...)")
    return recs


def comparison_figure(records: Sequence[RunRecord]) -> go.Figure:
    """Six panels, one bar per design: latency, visibility, staleness, bytes, failures."""
    recs = _records(records)
    panels = (
        ("client write p50 (ms, log)", lambda r: r.write_all["p50"], lambda r: r.write_all["p99"], "log"),
        ("client read p50 (ms, log)", lambda r: r.read_all["p50"], lambda r: r.read_all["p99"], "log"),
        ("write visible everywhere, p50 (s)", lambda r: _pct_of(r.visibility_ms, 50) / 1000,
         lambda r: _pct_of(r.visibility_ms, 90) / 1000, "linear"),
        ("reads that were stale (%)", lambda r: 100 * r.stale_fraction, None, "linear"),
        ("WAN bytes per client op", lambda r: r.bytes_per_op, None, "linear"),
        ("client ops that failed (%)", lambda r: 100 * (r.failed_reads + r.failed_writes) / max(r.ops, 1), None,
         "linear"),
    )
    fig = make_subplots(rows=2, cols=3, subplot_titles=[p[0] for p in panels], vertical_spacing=0.2)
    labels = [_two_lines(r.label) for r in recs]
    for k, (_, mid, top, axis) in enumerate(panels):
        row, col = k // 3 + 1, k % 3 + 1
        ys = [mid(r) or 0.0 for r in recs]
        st = [design_style(r.topology) for r in recs]
        fig.add_trace(go.Bar(x=labels, y=[max(y, 1e-3) if axis == "log" else y for y in ys],
                             marker=dict(color=[s["color"] for s in st], pattern_shape=[s["pattern"] for s in st]),
                             text=[_fmt(y) for y in ys], textposition="outside", showlegend=False,
                             hovertemplate="%{x}: %{text}<extra></extra>"), row=row, col=col)
        if top is not None:
            fig.add_trace(go.Scatter(x=labels, y=[top(r) or None for r in recs], mode="markers", showlegend=k == 0,
                                     name="p99 (latency) / p90 (visibility)",
                                     marker=dict(symbol="line-ew-open", size=26, color="#000", line=dict(width=3))),
                          row=row, col=col)
        fig.update_yaxes(type=axis, rangemode="tozero" if axis == "linear" else None, row=row, col=col)
    # Both latency panels share one log axis, a tick per decade from 0.1 ms: 0.4 and 0.5 ms then look
    # as close as they are, and a local answer sits three decades below a trip across the planet.
    top = max([r.write_all["p99"] or 0.0 for r in recs] + [r.read_all["p99"] or 0.0 for r in recs] + [1_000.0])
    for col in (1, 2):
        fig.update_yaxes(range=[-1, math.log10(top) + 0.3], dtick=1, row=1, col=col)
    lost = ", ".join(f"{r.label}: {r.lost_writes}" for r in recs)
    fig.add_annotation(text=f"acknowledged writes lost after the heal: {lost}", xref="paper", yref="paper",
                       x=0.5, y=-0.24, showarrow=False)
    scen = recs[0].scenario.replace("_", " ")
    style.apply(fig, f"Four designs, one workload, fault: {scen}", height=680)
    fig.update_layout(legend=dict(orientation="h", y=1.1, x=1, xanchor="right"), margin=dict(b=120))
    fig.update_xaxes(tickangle=0)
    return fig


def _two_lines(label: str) -> str:
    """A design's name on two lines, split at the space nearest its middle: four fit under a panel."""
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    if not spaces:
        return label
    i = min(spaces, key=lambda k: abs(2 * k - len(label)))
    return label[:i] + "<br>" + label[i + 1:]


def _pct_of(xs, q) -> float:
    if not xs:
        return 0.0
    return sorted(xs)[min(len(xs) - 1, int(q / 100 * len(xs)))]


def _fmt(y: float) -> str:
    return f"{y:,.0f}" if abs(y) >= 10 else f"{y:.2g}"


def pop_latency_figure(records: Sequence[RunRecord], kind: str = "write") -> go.Figure:
    """Median client latency at each PoP, one line of markers per design (log scale)."""
    if kind not in ("read", "write"):
        raise ValueError(f"kind={brief(kind)}: expected 'read' or 'write'")
    recs = _records(records)
    fig = go.Figure()
    for r in recs:
        per = r.write_ms if kind == "write" else r.read_ms
        st = design_style(r.topology)
        sites = list(per)
        fig.add_trace(go.Scatter(x=sites, y=[per[s]["p50"] for s in sites], mode="markers+lines", name=r.label,
                                 marker=dict(symbol=st["symbol"], size=10, color=st["color"]),
                                 line=dict(dash=st["dash"], width=1, color=st["color"])))
    fig.update_yaxes(type="log", title=f"median {kind} latency (ms, log)")
    style.apply(fig, f"Client {kind} latency at each PoP", height=420)
    fig.update_layout(legend=dict(orientation="h", y=-0.2))
    return fig


def _sync_step_parts(steps: Sequence, number: int) -> tuple[list, list, str]:
    """Traces, annotations and title of ``sync_step_figure``."""
    if not steps:
        raise ValueError("steps=[]: expected the result of edgekit.edge.lab.stepper.sync_walkthrough()")
    if not 1 <= number <= len(steps):
        raise ValueError(f"number={brief(number)}: expected a step between 1 and {len(steps)}")
    step = steps[number - 1]
    cols = _columns(steps)
    x = {n: i for i, n in enumerate(cols)}
    # One row per message, in the order they were sent; the label gives the real times.
    bottom = max(len(step.messages), 1)
    traces = [go.Scatter(x=[x[n], x[n]], y=[-0.3, bottom], mode="lines", line=dict(color="#999", width=1),
                         showlegend=False, hoverinfo="skip", xaxis="x", yaxis="y") for n in cols]
    notes = []
    t0 = min((m.time_ms for m in step.messages), default=0.0)
    for i, m in enumerate(step.messages):
        req = m.kind == "SyncRequest"
        shown = ", ".join(f"{k}: {'missing' if v is None else _short(v)}" for k, v in m.entries.items())
        copies = getattr(m, "copies", 1)
        took = "✕ lost on the way" if m.arrived_ms is None else f"{m.arrived_ms - m.time_ms:.0f} ms"
        if copies > 1:
            took += ", delivered twice"
        notes.append(dict(x=x[m.dst], y=i + 0.75, ax=x[m.src], ay=i, xref="x", yref="y", axref="x", ayref="y",
                          showarrow=True, arrowhead=3 if copies else 7, arrowwidth=2 if copies else 1,
                          arrowcolor=style.color(0 if req else 1) if copies else "#999", text=""))
        notes.append(dict(x=(x[m.src] + x[m.dst]) / 2, y=i + 0.375, xref="x", yref="y", showarrow=False,
                          text=f"{m.kind} · {m.bytes} B · t+{m.time_ms - t0:.0f} ms, {took}<br><i>{shown}</i>",
                          font=dict(size=12), bgcolor="rgba(255,255,255,0.85)"))
    if not step.messages:
        notes.append(dict(x=1, y=0.5, xref="x", yref="y", showarrow=False,
                          text="no interest, no message:<br>quiet by default", font=dict(size=15)))
    for j, (kind, name) in enumerate((("SyncRequest", "requests"), ("SyncResponse", "responses"))):
        ys = [sum(m.bytes for m in s.messages if m.kind == kind) for s in steps]
        traces.append(go.Bar(x=[s.number for s in steps], y=ys, name=name, xaxis="x2", yaxis="y2",
                             marker=dict(color=style.color(j), pattern_shape=_PATTERNS[j],
                                         line=dict(width=[3 if s.number == number else 0 for s in steps],
                                                   color="#000"))))
    return traces, notes, f"Pull sync, epoch {number} of {len(steps)}: {step.bytes} bytes"


def _columns(steps) -> list[str]:
    nodes = list(steps[0].states)  # sites first, then the root
    return [nodes[0], nodes[-1], *nodes[1:-1]]  # first site | root | other sites


def sync_step_figure(steps: Sequence, number: int) -> go.Figure:
    """Left: the chosen epoch's messages as a sequence diagram. Right: bytes on the wire per epoch."""
    traces, notes, title = _sync_step_parts(steps, number)
    cols = _columns(steps)
    fig = make_subplots(rows=1, cols=2, column_widths=[0.62, 0.38],
                        subplot_titles=["who sends what, in order", "bytes on the wire per epoch"])
    fig.add_traces(traces)
    fig.update_layout(annotations=list(fig.layout.annotations) + notes, barmode="stack")
    fig.update_xaxes(tickvals=list(range(len(cols))), ticktext=cols, range=[-0.5, len(cols) - 0.5], row=1, col=1)
    fig.update_yaxes(autorange="reversed", title="messages, in order", showticklabels=False, row=1, col=1)
    fig.update_xaxes(title="epoch", dtick=1, row=1, col=2)
    fig.update_yaxes(title="bytes", row=1, col=2)
    return style.apply(fig, title, height=460)


def _short(v: dict) -> str:
    if "value" in v:
        return str(v["value"])
    if "entries" in v and isinstance(v["entries"], list):
        return "{" + ", ".join(str(e[-1]) for e in v["entries"]) + "}" if v["entries"] else "∅"
    return "∅" if len(v) == 1 else v.get("type", "?")  # the bottom: a register nobody wrote


def _site_inside_parts(inside) -> tuple[go.Bar, str]:
    """The bar trace and title of ``site_inside_figure``."""
    reps = inside.replicas
    text = []
    for r in reps:
        if not r.holds_key:
            text.append("not a holder")
            continue
        bits = [f"had {r.before}"]
        if r.repaired:
            bits.append(f"repaired → {r.after}")
        if r.slow_ms:
            bits.append(f"slow +{r.slow_ms:.0f} ms" + (": too late, not merged" if r.late else ""))
        text.append(", ".join(bits))
    bar = go.Bar(
        x=[f"r{r.index}" for r in reps], y=[r.score / 2**64 for r in reps], text=text, textposition="outside",
        marker=dict(color=[style.color(5) if r.repaired else style.color(0) if r.holds_key else "#cccccc"
                           for r in reps],
                    pattern_shape=["x" if r.repaired else "" if r.holds_key else "." for r in reps]),
        hovertemplate="%{x}: score %{y:.3f}<br>%{text}<extra></extra>")
    who = "stale: every fresh reply came too late" if inside.stale_answer else "the merge of the timely replies"
    title = (f"{inside.key!r}: the client got {inside.answered} ({who}) after {inside.latency_ms:.1f} ms; "
             f"{inside.repairs} read repair(s)")
    return bar, title


def site_inside_figure(inside) -> go.Figure:
    """Rendezvous score of every replica for the key; the ``n`` best hold it; labels tell each story."""
    bar, title = _site_inside_parts(inside)
    fig = go.Figure(bar)
    fig.update_yaxes(title="rendezvous score of (key, replica)", range=[0, 1.15])
    return style.apply(fig, title, height=420)


def read_miss_figure(records: Sequence) -> go.Figure:
    """Distribution (ECDF) of read latency with misses served as missing, and with a blocking fetch."""
    fig = go.Figure()
    for i, r in enumerate(records):
        xs = list(r.read_sample)
        n = len(xs)
        fig.add_trace(go.Scatter(x=xs, y=[(k + 1) / n for k in range(n)], mode="lines",
                                 line=dict(color=style.color(i), dash=style.dash(i), width=3, shape="hv"),
                                 name=f'read_miss="{r.mode}": {100 * r.miss_fraction:.0f}% answered missing, '
                                      f"p99 {r.read_ms['p99']:.3g} ms"))
    top = max((max(r.read_sample) for r in records if r.read_sample), default=1.0)
    fig.update_xaxes(type="log", dtick=1, range=[-1, math.log10(max(top, 1.0)) + 0.1],
                     title="client read latency (ms, log: a tick per decade)")
    fig.update_yaxes(title="share of reads at most this slow", range=[0, 1.02])
    style.apply(fig, "A read miss: answer nothing now, or wait for upstream", height=420)
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def epoch_figure(points: Sequence) -> go.Figure:
    """Sync bytes per second and read staleness against the epoch length (linear axes, a tick per epoch)."""
    if not points:
        raise ValueError("points=[]: expected the result of edgekit.edge.lab.complications.epoch_sweep()")
    es = [p.epoch_ms for p in points]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["bandwidth: sync bytes per second", "staleness of reads"])
    fig.add_trace(go.Scatter(x=es, y=[p.bytes_per_s for p in points], mode="lines+markers", name="bytes/s",
                             marker=dict(symbol=style.symbol(0), size=10, color=style.color(0))), row=1, col=1)
    for j, (name, get) in enumerate((("median staleness", lambda p: p.staleness["p50"]),
                                     ("mean staleness", lambda p: p.staleness["mean"]),
                                     ("visible everywhere, p50", lambda p: p.visibility["p50"]))):
        fig.add_trace(go.Scatter(x=es, y=[get(p) for p in points], mode="lines+markers", name=name,
                                 marker=dict(symbol=style.symbol(j + 1), size=10, color=style.color(j + 1)),
                                 line=dict(dash=style.dash(j + 1))), row=1, col=2)
    for c in (1, 2):
        fig.update_xaxes(title="epoch (ms)", tickvals=es, rangemode="tozero", row=1, col=c)
    fig.update_yaxes(title="bytes per second", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="ms", rangemode="tozero", row=1, col=2)
    style.apply(fig, "Epoch length: bandwidth against staleness", height=430)
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def hot_key_figure(points: Sequence) -> go.Figure:
    """As popularity skews, the hottest key's share of operations and of sync entries."""
    zs = [p.zipf_s for p in points]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["the hottest key's share", "entries per sync request"])
    for j, (name, get) in enumerate((("of client operations", lambda p: 100 * p.top_key_ops),
                                     ("of sync-request entries", lambda p: 100 * p.top_key_entries))):
        fig.add_trace(go.Scatter(x=zs, y=[get(p) for p in points], mode="lines+markers", name=name,
                                 marker=dict(symbol=style.symbol(j), size=10, color=style.color(j)),
                                 line=dict(dash=style.dash(j))), row=1, col=1)
    fig.add_trace(go.Bar(x=zs, y=[p.entries_per_request for p in points], name="entries per request",
                         marker=dict(color=style.color(2), pattern_shape="/")), row=1, col=2)
    for c in (1, 2):
        fig.update_xaxes(title="Zipf exponent (0: uniform)", row=1, col=c)
    fig.update_yaxes(title="%", rangemode="tozero", row=1, col=1)
    style.apply(fig, "Hot keys: one entry per site per epoch, however hot", height=420)
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig


def storm_figure(storm) -> go.Figure:
    """Sync bytes arriving at the root over time; the fault window shaded."""
    fig = go.Figure(go.Bar(x=[t / 1000 for t in storm.times_ms], y=list(storm.bytes_in), name="bytes into the root",
                           marker=dict(color=style.color(0)), width=storm.bucket_ms / 1000 * 0.9))
    if storm.fault_ms:
        a, b = storm.fault_ms
        fig.add_vrect(x0=a / 1000, x1=b / 1000, fillcolor="#999", opacity=0.2, line_width=0,
                      annotation_text="region cut off", annotation_position="top left")
        fig.add_vline(x=b / 1000, line=dict(dash="dash", color=style.color(5)), annotation_text="heal",
                      annotation_position="top right")
    fig.update_xaxes(title="time (s)")
    fig.update_yaxes(title=f"bytes per {storm.bucket_ms:.0f} ms")
    return style.apply(fig, f"A sync storm at {storm.root}: the cut sites come back with a backlog", height=400)


def value_cost_figure(costs: Sequence) -> go.Figure:
    """Bytes per client operation on the wire, and value size at the root, per value type."""
    names = [f"{c.value_type}<br>({c.crdt})" for c in costs]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["sync bytes per client op", "value size at the root (bytes)"])
    fig.add_trace(go.Bar(x=names, y=[c.bytes_per_op for c in costs], name="bytes per op", showlegend=False,
                         marker=dict(color=[style.color(i) for i in range(len(costs))],
                                     pattern_shape=[_PATTERNS[i % 4] for i in range(len(costs))]),
                         text=[f"{c.bytes_per_op:.0f}" for c in costs], textposition="outside"), row=1, col=1)
    fig.add_trace(go.Bar(x=names, y=[c.value_bytes["mean"] for c in costs], name="mean", showlegend=True,
                         marker=dict(color=style.color(4), pattern_shape="/")), row=1, col=2)
    fig.add_trace(go.Scatter(x=names, y=[c.value_bytes["max"] for c in costs], mode="markers", name="largest",
                             marker=dict(symbol="diamond", size=12, color="#000")), row=1, col=2)
    fig.update_yaxes(rangemode="tozero")
    fig.update_xaxes(tickangle=0)
    style.apply(fig, "What a richer CRDT costs per byte: the same workload, five value types", height=460)
    fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0.55))
    return fig


def writer_ids_figure(points: Sequence) -> go.Figure:
    """Writer ids (counter entries) per key at the root over a long run, per lease-table size."""
    if not points:
        raise ValueError("points=[]: expected the result of edgekit.edge.lab.replicas.writer_ids()")
    fig = go.Figure()
    for i, cap in enumerate(dict.fromkeys(p.lease_keys for p in points)):
        ps = [p for p in points if p.lease_keys == cap]
        fig.add_trace(go.Scatter(x=[p.ops for p in ps], y=[p.entries_mean for p in ps], mode="lines+markers",
                                 line=dict(color=style.color(i), dash=style.dash(i), width=3),
                                 name=f"front ends remember {cap:,} leases",
                                 text=[f"{p.bytes_mean:.0f} B per key, at most {p.entries_max} ids" for p in ps],
                                 hovertemplate="%{x} ops: %{y:.1f} ids per key (%{text})<extra></extra>"))
    fig.update_xaxes(title="client operations so far")
    fig.update_yaxes(title="writer ids per counter at the root", rangemode="tozero")
    style.apply(fig, "A counter keeps one entry per writer id: bounded only while leases are remembered",
                height=400)
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return fig

"""Figures for chapter 3: CAP on the map, PACELC without a partition, PBS curves beside the simulator."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from edgekit import geo
from edgekit.consistency.scenarios import CapComparison, PacelcPoint
from edgekit.figures import style

from .._checks import check_int, check_number

__all__ = ["cut_sides", "cap_figure", "pacelc_figure", "pbs_figure", "pbs_legs_figure", "wilson"]

_SIDE_SYMBOL = {"a": "square", "b": "circle", None: "diamond"}


def cut_sides(result) -> dict[str, str | None]:
    """For each site of a run: "a" or "b" for the sides of its first cut, None if on neither."""
    cut = next((data for _, kind, data in result.events if kind == "cut"), None)
    out = {}
    for s in result.sites:
        side = None
        if cut is not None:
            side = "a" if s in cut["a"] else "b" if s in cut["b"] else None
        out[s] = side
    return out


def _label_positions(ps) -> list[str]:
    """Map labels that do not collide: of two sites closer than 1,500 km, the western one's label
    goes up and left, the eastern one's down."""
    out = []
    for p in ps:
        near = [q for q in ps if q is not p and geo.great_circle_km(p, q) < 1_500]
        out.append("top center" if not near else "top left" if p.lon < near[0].lon else "bottom center")
    return out


def _num(x: float) -> float | None:
    """NaN (no operation succeeded) as None: JSON, and so the browser, has no NaN."""
    return None if math.isnan(x) else x


def _pct(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.0f}%"


def _ms(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.0f} ms" if x >= 10 else f"{x:.1f} ms"


def _cap_parts(cmp: CapComparison) -> tuple[list, str, tuple[str, ...]]:
    """What ``cap_figure`` draws, without the (slow to build) layout: ``[(trace, row, col)]``,
    the title and the four subplot titles."""
    cp, ap = cmp.cp, cmp.ap
    stats = cmp.stats()  # (CP, AP)
    sides = cut_sides(cp)
    lo, hi = cmp.window
    during = "during the cut" if hi < math.inf or lo > 0 else "over the run"
    titles = (f"CP, {cp.store.design.split(' (')[0]}: operations that succeeded {during}",
              f"AP, {ap.store.design.split(' (')[0]}: operations that succeeded {during}",
              f"availability per PoP {during}", f"median latency {during} (log scale)")
    ps = [geo.place(s) for s in cp.sites]
    traces = []
    for col, res in ((1, cp), (2, ap)):
        av = [stats[col - 1][s].availability for s in res.sites]
        traces.append((go.Scattergeo(
            lat=[p.lat for p in ps], lon=[p.lon for p in ps], mode="markers+text",
            text=[f"{s} {_pct(a)}" for s, a in zip(res.sites, av, strict=True)],
            textposition=_label_positions(ps),
            marker=dict(size=15, color=[0 if math.isnan(a) else a for a in av], cmin=0, cmax=1,
                        colorscale=style.SEQUENTIAL, symbol=[_SIDE_SYMBOL[sides[s]] for s in res.sites],
                        line=dict(width=1, color="#000"),
                        colorbar=dict(title="ok", tickformat=".0%", len=0.45, y=0.78, thickness=12),
                        showscale=col == 2),
            name=f"{res.store.name}", showlegend=False, hovertemplate="%{text}<extra></extra>",
        ), 1, col))
    for i, res in enumerate((cp, ap)):
        label = ("CP", "AP")[i] + ": " + res.store.design.split(" (")[0]
        st = stats[i]
        bar = dict(x=list(res.sites), textposition="outside", constraintext="none", textfont=dict(size=12),
                   cliponaxis=False, marker_color=style.color(i),
                   marker_pattern_shape=["", "/"][i], legendgroup=("CP", "AP")[i], name=label)
        traces.append((go.Bar(y=[_num(st[s].availability) for s in res.sites],
                              text=[_pct(st[s].availability) if st[s].availability != 1 else ""
                                    for s in res.sites], **bar), 2, 1))  # label only what is short of 100%
        traces.append((go.Bar(y=[_num(st[s].p50_ms) for s in res.sites], text=[_ms(st[s].p50_ms) for s in res.sites],
                              showlegend=False, **bar), 2, 2))
    cut = next((ev for ev in cmp.faults.timeline), None)
    title = f"CAP on the map: {cut}" if cut else "CAP on the map: no partition"
    return traces, title, titles


def cap_figure(cmp: CapComparison) -> go.Figure:
    """Maps of availability per PoP during the cut for the CP and AP store, then availability and latency bars."""
    traces, title, titles = _cap_parts(cmp)
    fig = make_subplots(
        rows=2, cols=2, row_heights=[0.55, 0.45], vertical_spacing=0.12,
        specs=[[{"type": "geo"}, {"type": "geo"}], [{"type": "xy"}, {"type": "xy"}]], subplot_titles=titles,
    )
    for trace, row, col in traces:
        fig.add_trace(trace, row=row, col=col)
    fig.update_yaxes(title="operations ok", tickformat=".0%", range=[0, 1.18], row=2, col=1)
    fig.update_yaxes(title="ms (log)", type="log", dtick=1, row=2, col=2)  # ticks 1, 10, 100, 1000 only
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.08, x=0))
    style.world_map(fig, title, height=760)
    fig.update_geos(projection_type="natural earth", showframe=False)
    fig.add_annotation(text="symbols: ■ one side of the cut, ● the other, ◆ neither", showarrow=False,
                       xref="paper", yref="paper", x=0.0, y=0.45, xanchor="left", font=dict(size=13))
    return fig


def _cluster_labels(points: list[PacelcPoint], attr: str, top_x: float, top_y: float) -> dict[int, str]:
    """One label per group of points that would overlap: ``{index of the group's first point: "a · b"}``."""
    groups: list[list[int]] = []
    for i, p in enumerate(points):
        x, y = getattr(p, attr), p.stale_share
        for g in groups:
            q = points[g[0]]
            if abs(getattr(q, attr) - x) < 0.06 * top_x and abs(q.stale_share - y) < 0.06 * max(top_y, 0.2):
                g.append(i)
                break
        else:
            groups.append([i])
    return {g[0]: " · ".join(f"{points[i].n}/{points[i].r}/{points[i].w}" for i in g) for g in groups}


def pacelc_figure(points: list[PacelcPoint]) -> go.Figure:
    """Else (no partition): latency against staleness for each N/R/W choice, reads and writes."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06,
                        subplot_titles=("reads", "writes"))
    top_x = max([max(p.read_p50_ms, p.write_p50_ms) for p in points if not math.isnan(p.read_p50_ms)] or [1.0])
    top_y = max([p.stale_share for p in points if not math.isnan(p.stale_share)] or [0.0])
    labels = {col: _cluster_labels(points, attr, top_x, top_y)
              for col, attr in ((1, "read_p50_ms"), (2, "write_p50_ms"))}
    for i, p in enumerate(points):
        strict = p.r + p.w > p.n
        for col, x in ((1, p.read_p50_ms), (2, p.write_p50_ms)):
            text = labels[col].get(i, "")  # configurations that share a point share one label
            fig.add_trace(go.Scatter(
                x=[_num(x)], y=[_num(p.stale_share)], mode="markers+text", text=[text], cliponaxis=False,
                textposition="top center" if "·" not in text else "bottom left",
                marker=dict(size=14, color=style.color(i), symbol=style.symbol(i), line=dict(width=1, color="#000")),
                name=p.label + (" (R+W>N)" if strict else ""), legendgroup=p.label, showlegend=col == 1,
                hovertemplate=f"{p.label}<br>%{{x:.0f}} ms<br>stale reads %{{y:.1%}}<extra></extra>",
            ), row=1, col=col)
    # Padding so markers on the axes (0% stale, the slowest choice) are not cut in half.
    fig.update_xaxes(title="typical PoP's median latency (ms)", range=[-0.04 * top_x, 1.15 * top_x])
    ymax = 1.2 * max(top_y, 0.2)
    fig.update_yaxes(range=[-0.14 * ymax, ymax], tickvals=[k / 10 for k in range(int(ymax * 10) + 1)])
    fig.add_annotation(text="labels: N/R/W", showarrow=False, xref="paper", yref="paper", x=1.0, y=1.08,
                       xanchor="right", font=dict(size=13))
    fig.update_yaxes(title="reads that missed a completed write", tickformat=".0%", col=1)
    return style.apply(fig, "PACELC: with no partition, latency or consistency", height=480)


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson 95% interval of a share ``p`` seen in ``n`` trials: a sampled point's honest error.

    >>> lo, hi = wilson(0.5, 100); round(lo, 3), round(hi, 3)
    (0.404, 0.596)
    """
    check_number(p, "p", 0, 1)
    check_number(z, "z", 0, 10)
    if check_int(n, "n", 0, 10**15) == 0:
        return 0.0, 1.0
    mid, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, (mid - half) / (1 + z * z / n)), min(1.0, (mid + half) / (1 + z * z / n))


def pbs_figure(curves: dict, measured: dict | None = None, log_x: bool = False) -> go.Figure:
    """PBS curves ``{label: (ts, probabilities)}``, and simulator bins ``{label: [(t, p, n), ...]}``
    with their 95% intervals (a bin of few reads can sit below its neighbour by chance)."""
    fig = go.Figure()
    for i, (label, (ts, ps)) in enumerate(curves.items()):
        fig.add_trace(go.Scatter(x=list(ts), y=list(ps), mode="lines", name=f"PBS: {label}",
                                 line=dict(color=style.color(i), dash=style.dash(i), width=3)))
    for j, (label, bins) in enumerate((measured or {}).items()):
        k = len(curves) + j
        fig.add_trace(go.Scatter(
            x=[b[0] for b in bins], y=[b[1] for b in bins], mode="markers+lines", name=f"simulated: {label}",
            marker=dict(size=[6 + min(14, math.sqrt(b[2])) for b in bins], symbol=style.symbol(k + 1),
                        color=style.color(k)), line=dict(color=style.color(k), dash="dot", width=1),
            error_y=dict(type="data", symmetric=False, color=style.color(k), thickness=1.5, width=6,
                         array=[wilson(b[1], b[2])[1] - b[1] for b in bins],
                         arrayminus=[b[1] - wilson(b[1], b[2])[0] for b in bins]),
            customdata=[b[2] for b in bins],
            hovertemplate="t ≈ %{x:.0f} ms<br>%{y:.1%} consistent<br>%{customdata} reads<extra></extra>",
        ))
    fig.update_xaxes(title="t: time since the write completed (ms)", type="log" if log_x else "linear")
    fig.update_yaxes(title="P(read returns that write or newer)", tickformat=".0%", range=[0, 1.03])
    return style.apply(fig, "Probabilistically bounded staleness", height=460)


_LEG_NAMES = {"w": "W: write to a replica", "a": "A: its ack back", "r": "R: read to a replica",
              "s": "S: its response back"}


def pbs_legs_figure(label: str, ts, ps, trials: int, legs: dict[str, list[float]]) -> go.Figure:
    """Left: the PBS curve with its Monte Carlo 95% band. Right: the four latency distributions
    (W, A, R, S) it is computed from, as cumulative curves on a log axis."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.55, 0.45], horizontal_spacing=0.1,
                        subplot_titles=(f"P(consistent), {trials:,} trials", "what the curve is made of"))
    half = [1.96 * math.sqrt(p * (1 - p) / trials) for p in ps]
    fig.add_trace(go.Scatter(x=list(ts) + list(ts)[::-1], y=[min(1, p + h) for p, h in zip(ps, half, strict=True)]
                             + [max(0, p - h) for p, h in zip(ps, half, strict=True)][::-1], fill="toself",
                             line=dict(width=0), fillcolor="rgba(0,114,178,0.2)", hoverinfo="skip",
                             name="Monte Carlo 95% band"), row=1, col=1)
    fig.add_trace(go.Scatter(x=list(ts), y=list(ps), mode="lines", line=dict(color=style.color(0), width=3),
                             name=f"PBS: {label}"), row=1, col=1)
    for i, (leg, xs) in enumerate(legs.items()):
        k = len(xs)
        step = max(1, k // 200)  # 200 points draw a smooth curve
        fig.add_trace(go.Scatter(x=xs[::step], y=[(j + 1) / k for j in range(0, k, step)], mode="lines",
                                 line=dict(color=style.color(i + 1), dash=style.dash(i), width=2.5),
                                 name=_LEG_NAMES.get(leg, leg)), row=1, col=2)
    fig.update_xaxes(title="t: time since the write completed (ms)", row=1, col=1)
    fig.update_yaxes(title="P(read returns that write or newer)", tickformat=".0%", range=[0, 1.03], row=1, col=1)
    lo = max(1e-3, min(xs[len(xs) // 100] for xs in legs.values()))  # from the 1st percentile: no empty decade
    hi = max(xs[-1] for xs in legs.values())
    fig.update_xaxes(title="one leg's latency (ms, log)", type="log", dtick=1, row=1, col=2,
                     range=[math.log10(lo) - 0.1, math.log10(hi) + 0.1])
    fig.update_yaxes(title="share of messages", tickformat=".0%", range=[0, 1.03], row=1, col=2)
    fig.update_layout(legend=dict(orientation="h", y=-0.25, x=0))
    return style.apply(fig, "Probabilistically bounded staleness, and the latencies behind it", height=500)

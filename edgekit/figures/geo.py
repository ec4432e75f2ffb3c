"""Figures for chapter 1: places on a map, light-speed bounds against measurements, write costs."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from edgekit import coordination as co
from edgekit import geo
from edgekit.figures import style

from .._checks import brief, check_number

__all__ = ["rtt_by", "latency_map", "pair_figure", "pair_numbers", "source_label", "residual_table",
           "calibration_figure", "coordination_figure", "budget_figure"]

MEASURES = ("estimate", "fiber", "vacuum")
_MEASURE_LABEL = {
    "estimate": "estimate (measured, else median line)",
    "fiber": "fibre bound (c/1.47)",
    "vacuum": "vacuum bound (c)",
}
KINDS = {"pop": ("edge PoP", "circle"), "cloud": ("cloud region", "square")}


def rtt_by(measure: str):
    """The round-trip function for ``measure``: "estimate", "fiber" or "vacuum"."""
    if measure == "estimate":
        return geo.estimate_rtt_ms
    if measure in ("fiber", "vacuum"):
        return lambda a, b: geo.min_rtt_ms(a, b, medium=measure)
    raise ValueError(f"measure={brief(measure)}: expected one of {list(MEASURES)}")


def _select(kind: str) -> list[geo.Place]:
    if kind not in ("all", "pop", "cloud"):
        raise ValueError(f"kind={brief(kind)}: expected 'all', 'pop' or 'cloud'")
    return [p for p in geo.places() if kind == "all" or p.kind == kind]


def latency_map(origin: str, measure: str = "estimate", kind: str = "all") -> go.Figure:
    """Every place coloured and sized by its round trip from ``origin``; labels give the ms."""
    o, f = geo._place(origin, "origin"), rtt_by(measure)
    ps = [p for p in _select(kind) if p.code != o.code]
    ms = [f(o.code, p.code) for p in ps]
    top = max(ms) if ms else 1.0
    fig = go.Figure()
    fig.add_trace(go.Scattergeo(
        lat=[p.lat for p in ps], lon=[p.lon for p in ps], mode="markers+text",
        text=[f"{round(m)}" for m in ms], textposition="top center", textfont=dict(size=10),
        customdata=[[p.code, p.name] for p in ps],
        hovertemplate="%{customdata[0]} %{customdata[1]}<br>%{marker.color:.1f} ms<extra></extra>",
        marker=dict(color=ms, colorscale=style.SEQUENTIAL, cmin=0, cmax=top, size=[6 + 14 * m / top for m in ms],
                    symbol=[KINDS[p.kind][1] for p in ps], line=dict(width=0.5, color="#333"),
                    colorbar=dict(title="RTT (ms)")),
        name=_MEASURE_LABEL[measure],
    ))
    fig.add_trace(go.Scattergeo(
        lat=[o.lat], lon=[o.lon], mode="markers+text", text=[o.code], textposition="bottom center",
        marker=dict(symbol="star", size=18, color=style.color(5), line=dict(width=1, color="#000")), name="from",
    ))
    style.world_map(fig, f"Round trip from {o.code} ({o.name}): {_MEASURE_LABEL[measure]}")
    fig.update_layout(legend=dict(orientation="h", y=-0.02, x=0.5, xanchor="center"))
    return fig


def _map_beside_bars(map_share: float) -> go.Figure:
    """An empty figure with a map on the left and one bar chart's axes on the right.

    Laid out by hand: ``make_subplots`` costs more than the rest of a widget's redraw.
    """
    return go.Figure(layout=dict(
        geo=dict(domain=dict(x=[0, map_share], y=[0, 1])),
        xaxis=dict(domain=[map_share + 0.1, 1], anchor="y"),
        yaxis=dict(anchor="x"),
    ))


def pair_figure(a: str, b: str, refractive_index: float = geo.FIBER_REFRACTIVE_INDEX) -> go.Figure:
    """The geodesic between two places on a map, and bars: vacuum bound, fibre bound, estimate, measured."""
    pa, pb = geo._place(a, "a"), geo._place(b, "b")
    check_number(refractive_index, "refractive_index", 1, 1e6)  # as geo.fiber_bound_ms takes it
    bars = pair_numbers(pa.code, pb.code, refractive_index)
    fig = _map_beside_bars(0.5)
    fig.add_trace(go.Scattergeo(
        lat=[pa.lat, pb.lat], lon=[pa.lon, pb.lon], mode="lines+markers+text", text=[pa.code, pb.code],
        textposition="top center", line=dict(width=3, color=style.color(0)), marker=dict(size=10, symbol="circle"),
        name="great circle",
    ))
    labels = ["vacuum bound", f"fibre bound (n={refractive_index:g})", "median line", "real routes (10-90%)",
              "measured"]
    lo, hi = bars["range_ms"]  # the median line's honest error: where 80% of real routes this long lie
    vals = [bars["vacuum_ms"], bars["fiber_ms"], bars["line_ms"], hi - lo, bars["measured_ms"]]
    fig.add_trace(go.Bar(
        x=labels, y=[v if v is not None else 0 for v in vals], base=[0, 0, 0, lo, 0],
        text=[f"{v:.1f} ms" if v is not None else "no data" for v in vals[:3]] + [f"{lo:.0f}-{hi:.0f} ms"]
        + [f"{vals[4]:.1f} ms" if vals[4] is not None else "no data"],
        textposition="outside", marker_color=[style.color(i) for i in (0, 1, 2, 2, 3)],
        marker_opacity=[1, 1, 1, 0.45, 1], marker_pattern_shape=["", "/", "x", "", "."], name="round trip",
    ))
    fig.update_yaxes(title="round trip (ms)", rangemode="tozero")
    fig.update_layout(showlegend=False)
    style.world_map(fig, f"{pa.code} ↔ {pb.code}: {bars['km']:,.0f} km", height=440)
    fig.update_geos(projection_type="natural earth")
    return fig


def pair_numbers(a: str, b: str, refractive_index: float = geo.FIBER_REFRACTIVE_INDEX) -> dict:
    """Distance, both bounds, the estimate, the median line and its 10-90% band, the measurement if any."""
    km = geo.great_circle_km(a, b)
    fiber = geo.min_rtt_ms(a, b, refractive_index=refractive_index)
    measured = geo.measured_rtt_ms(a, b)
    cal = geo.calibration()
    return {
        "line_ms": max(geo.min_rtt_ms(a, b), cal.inflation * geo.min_rtt_ms(a, b) + cal.constant_ms),
        "range_ms": geo.rtt_range_ms(a, b),
        "km": km,
        "vacuum_ms": geo.min_rtt_ms(a, b, medium="vacuum"),
        "fiber_ms": fiber,
        "estimate_ms": geo.estimate_rtt_ms(a, b),
        "measured_ms": measured,
        "inflation": measured / fiber if measured is not None and fiber > 0 else None,
    }


def source_label(source: str) -> str:
    """A short name for a measurement's source, for legends and tables."""
    if not isinstance(source, str):
        raise TypeError(f"source={brief(source)}: expected a measurement's source text")
    if "WonderProxy" in source:
        return "WonderProxy 2011 (public Internet)"
    if "Azure" in source:
        return "Azure backbone P50"
    return source.split(",")[0]


def residual_table() -> pd.DataFrame:
    """One row per measurement: the bound, the measurement, the median line and the residual (ms)."""
    cal = geo.calibration()
    rows = []
    for (a, b, meas, est, res), m in zip(cal.residuals, geo.measurements(), strict=True):
        fiber = geo.min_rtt_ms(a, b)
        rows.append({"from": a, "to": b, "km": round(geo.great_circle_km(a, b)), "fibre_bound_ms": round(fiber, 1),
                     "measured_ms": meas, "median_line_ms": round(est, 1), "residual_ms": round(res, 1),
                     "inflation": round(meas / fiber, 2), "source": source_label(m.source)})
    return pd.DataFrame(rows)


def calibration_figure() -> go.Figure:
    """Measured RTT against the fibre bound: the bound, the median line and the 10% and 90% lines; residuals below."""
    cal, ms = geo.calibration(), geo.measurements()
    fig = make_subplots(rows=2, cols=1, row_heights=[0.68, 0.32], shared_xaxes=True, vertical_spacing=0.06)
    groups: dict[str, list] = {}
    for m, r in zip(ms, cal.residuals, strict=True):
        groups.setdefault(source_label(m.source), []).append((geo.min_rtt_ms(m.a, m.b), m.rtt_ms, r[4], f"{m.a}–{m.b}"))
    for i, (src, pts) in enumerate(sorted(groups.items())):
        x, y, res, lab = zip(*pts, strict=True)
        mk = dict(color=style.color(i), symbol=style.symbol(i), size=8)
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", marker=mk, text=lab, name=src,
                                 hovertemplate="%{text}<br>bound %{x:.1f} ms, measured %{y:.1f} ms"), row=1, col=1)
        fig.add_trace(go.Scatter(x=x, y=res, mode="markers", marker=mk, text=lab, showlegend=False,
                                 hovertemplate="%{text}<br>residual %{y:.1f} ms"), row=2, col=1)
    top = max(geo.min_rtt_ms(m.a, m.b) for m in ms) * 1.05
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line=dict(color="#000", dash=style.dash(0)),
                             name="fibre bound (nothing below)"), row=1, col=1)
    for q, dash, width in ((0.1, "dot", 2), (0.5, style.dash(1), 3), (0.9, "dot", 2)):
        c = geo.calibration(q)
        name = (f"median line: {c.inflation:.2f} × bound + {c.constant_ms:.1f} ms" if q == 0.5
                else f"{100 * q:.0f}% line: {100 * q:.0f}% of routes below")
        fig.add_trace(go.Scatter(x=[0, top], y=[c.constant_ms, c.inflation * top + c.constant_ms], mode="lines",
                                 line=dict(color=style.color(5), dash=dash, width=width), name=name), row=1, col=1)
    fig.add_hline(y=0, line=dict(color="#888", width=1), row=2, col=1)
    fig.update_yaxes(title="measured RTT (ms)", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title="measured − median (ms)", row=2, col=1)
    fig.update_xaxes(title="fibre lower bound (ms)", rangemode="tozero", row=2, col=1)
    fig.update_layout(legend=dict(orientation="h", y=-0.18, x=0))
    return style.apply(fig, "Real round trips against the physics bound", height=680)


# (WriteCost attribute, design name from coordination.DESIGNS, bar pattern)
SCHEMES = (("local_ms", "local write (0 ms)", ""), ("async_primary_ms", "asynchronous primary", "."),
           ("leaderless_majority_ms", "majority quorum, leaderless", "/"),
           ("leader_majority_ms", "majority quorum, led by the primary", "\\"),
           ("sync_primary_ms", "synchronous primary", "x"))
MANY_CLIENTS = 12  # above this, bars per client are unreadable: draw each design's sorted costs instead


def coordination_figure(costs: tuple[co.WriteCost, ...], replicas, primary: str,
                        scheme: str = "sync_primary_ms") -> go.Figure:
    """Map of client sites coloured by one design's write latency, and every design's costs beside it."""
    scheme = {"primary_ms": "sync_primary_ms", "quorum_ms": "leaderless_majority_ms"}.get(scheme, scheme)
    if scheme not in {s for s, _, _ in SCHEMES}:
        raise ValueError(f"scheme={brief(scheme)}: expected one of {[s for s, _, _ in SCHEMES]}")
    label = {s: lab for s, lab, _ in SCHEMES}
    fig = _map_beside_bars(0.5)
    ps = [geo.place(c.client) for c in costs]
    vals = [getattr(c, scheme) for c in costs]
    top = max(max((c.sync_primary_ms for c in costs), default=1.0), 1.0)
    many = len(costs) > MANY_CLIENTS
    fig.add_trace(go.Scattergeo(
        lat=[p.lat for p in ps], lon=[p.lon for p in ps], mode="markers" if many else "markers+text",
        text=[f"{p.code} {v:.0f}" for p, v in zip(ps, vals, strict=True)], textposition="top center",
        hovertemplate="%{text} ms<extra></extra>",
        marker=dict(color=vals, colorscale=style.SEQUENTIAL, cmin=0, cmax=top, size=9 if many else 14,
                    colorbar=dict(title=dict(text="ms", side="right"), orientation="h", x=0.25, xanchor="center",
                                  y=-0.03, yanchor="top", len=0.4, thickness=12),
                    line=dict(width=1, color="#000")),
        name=label[scheme], showlegend=False,
    ))
    pr = geo.place(primary)
    fig.add_trace(go.Scattergeo(lat=[pr.lat], lon=[pr.lon], mode="markers", name="primary (leader)",
                                marker=dict(symbol="star", size=22, color="rgba(0,0,0,0)",
                                            line=dict(width=2, color=style.color(5)))))
    for i, (s, lab, pat) in enumerate(SCHEMES):
        if many:  # one line per design: client sites sorted by their cost
            ys = sorted(getattr(c, s) for c in costs)
            fig.add_trace(go.Scatter(x=list(range(1, len(ys) + 1)), y=ys, mode="lines", name=lab,
                                     line=dict(color=style.color(i), dash=style.dash(i), width=3)))
        else:
            fig.add_trace(go.Bar(x=[c.client for c in costs], y=[getattr(c, s) for c in costs], name=lab,
                                 marker_color=style.color(i), marker_pattern_shape=pat))
    fig.update_yaxes(title="write latency (ms)", rangemode="tozero")
    if many:
        fig.update_xaxes(title=f"client sites, cheapest first ({len(costs)})")
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=-0.2, x=0, font=dict(size=13)))
    return style.world_map(fig, f"What a write costs: primary at {pr.code}; the map shows {label[scheme]}",
                           height=540)


def budget_figure(a: str, b: str, budgets: dict[str, float] | None = None) -> go.Figure:
    """Sequential round trips that fit in each budget (log scale), for the bounds and the estimate."""
    budgets = co.BUDGETS_MS if budgets is None else budgets
    if not isinstance(budgets, Mapping) or not budgets:
        raise TypeError(f"budgets={brief(budgets)}: expected a non-empty dict of label to budget in ms, or None")
    for k, v in budgets.items():
        check_number(v, f"budgets[{brief(k)}]", 0)
    if geo._place(a, "a").code == geo._place(b, "b").code:
        raise ValueError(f"b={brief(b)}: pick a place other than a={brief(a)} (a round trip to yourself costs no travel)")
    counts = [[co.round_trips_within(v, rtt_by(m)(a, b)) for v in budgets.values()] for m in MEASURES]
    fig = go.Figure()
    for i, m in enumerate(MEASURES):
        # A log axis cannot show 0: such a bar is left out and an annotation says so.
        fig.add_trace(go.Bar(x=list(budgets), y=[k or None for k in counts[i]], name=_MEASURE_LABEL[m],
                             text=[f"{k:,}" for k in counts[i]], textposition="outside",
                             marker_color=style.color(i), marker_pattern_shape=["", "/", "x"][i]))
    top = max(max(c) for c in counts)
    # dtick=1: ticks at 1, 10, 100 ... only; plotly's default labels 2-9 between them too, unreadably small.
    fig.update_yaxes(title="round trips that fit (log)", type="log", dtick=1,
                     range=[-0.1, math.log10(max(top, 1) * 3)])
    fig.update_layout(barmode="group")
    for j, name in enumerate(budgets):
        zero = [_MEASURE_LABEL[m].split(" (")[0] for i, m in enumerate(MEASURES) if counts[i][j] == 0]
        if zero:
            text = "0: not even one" if len(zero) == len(MEASURES) else "0 for " + ", ".join(zero)
            fig.add_annotation(x=name, y=0, yref="paper", yanchor="bottom", showarrow=False,
                               text=text, font=dict(color=style.color(5)))
    return style.apply(fig, f"Sequential round trips {a} ↔ {b} in a budget", height=420)

"""Chapter 5 on the world map: one write spreading through each design (animated), the fractal tree."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from edgekit.edge.lab.compare import TOPOLOGY_LABELS
from edgekit.edge.lab.propagation import Propagation
from edgekit.edge.topology import Topology, site_place
from edgekit.figures import style

from .._checks import brief, check_int

__all__ = ["propagation_map", "frame_times", "tree_map", "ROLE_SYMBOLS"]

# Roles never differ by colour alone: each has its own marker symbol.
ROLE_SYMBOLS = {"site": "circle", "replica": "circle", "peer": "circle", "hub": "square", "root": "star",
                "primary": "star"}
_HAS = style.color(0)
_HOP = style.color(1)
_LINK = "#bbbbbb"
_TRACES_PER_MAP = 5  # links, hops arrived, hops in flight, nodes without, nodes with the write


def frame_times(t_max_ms: float, frames: int) -> list[float]:
    """``frames`` times from 0 to ``t_max_ms``, dense early (quadratic): the nearby hops are fast.

    >>> frame_times(100.0, 3)
    [0.0, 25.0, 100.0]
    """
    check_int(frames, "frames", 2, 10_000)
    if isinstance(t_max_ms, bool) or not isinstance(t_max_ms, (int, float)) or not 0 <= t_max_ms <= 1e12:
        raise ValueError(f"t_max_ms={brief(t_max_ms)}: expected a time in ms from 0 to 1e12")
    return [t_max_ms * (k / (frames - 1)) ** 2 for k in range(frames)]


def _lines(pairs, where) -> tuple[list, list]:
    lat, lon = [], []
    for a, b in pairs:
        (la, lo), (lb, lob) = where[a], where[b]
        lat += [la, lb, None]
        lon += [lo, lob, None]
    return lat, lon


def _state(p: Propagation, t: float, where, first: bool) -> list[go.Scattergeo]:
    """The four moving traces of one map at time ``t``."""
    arrived = [(h.src, h.dst) for h in p.hops if h.arrived_ms <= t]
    flying = [(h.src, h.dst) for h in p.hops if h.sent_ms <= t < h.arrived_ms]
    has = [h for h in p.holders if h.seen_ms is not None and h.seen_ms <= t]
    lacks = [h for h in p.holders if h.seen_ms is None or h.seen_ms > t]
    a_lat, a_lon = _lines(arrived, where)
    f_lat, f_lon = _lines(flying, where)
    return [
        go.Scattergeo(lat=a_lat, lon=a_lon, mode="lines", line=dict(width=2, color=_HOP),
                      name="hop that brought it", legendgroup="hop", showlegend=first, hoverinfo="skip"),
        go.Scattergeo(lat=f_lat, lon=f_lon, mode="lines", line=dict(width=2, color=_HOP, dash="dot"),
                      name="message in flight", legendgroup="fly", showlegend=first, hoverinfo="skip"),
        go.Scattergeo(lat=[h.lat for h in lacks], lon=[h.lon for h in lacks], mode="markers",
                      marker=dict(size=9, color="#555", line=dict(width=1.5),
                                  symbol=[ROLE_SYMBOLS[h.role] + "-open" for h in lacks]),
                      text=[h.node for h in lacks], hovertemplate="%{text}: not yet<extra></extra>",
                      name="does not hold it yet", legendgroup="lacks", showlegend=first),
        go.Scattergeo(lat=[h.lat for h in has], lon=[h.lon for h in has], mode="markers",
                      marker=dict(size=11, color=_HAS, line=dict(width=1, color="#000"),
                                  symbol=[ROLE_SYMBOLS[h.role] for h in has]),
                      text=[f"{h.node} at {h.seen_ms:.0f} ms" for h in has], hovertemplate="%{text}<extra></extra>",
                      name="holds the write", legendgroup="has", showlegend=first),
    ]


def propagation_map(props: Sequence[Propagation], frames: int = 30, t_max_ms: float | None = None) -> go.Figure:
    """Side-by-side maps of one write spreading through each design; play or drag the time slider."""
    if not props:
        raise ValueError("props=[]: expected at least one Propagation (from edgekit.edge.lab.propagation)")
    wheres = [{h.node: (h.lat, h.lon) for h in p.holders} for p in props]
    if t_max_ms is None:
        t_max_ms = max((h.seen_ms or 0.0) for p in props for h in p.holders) * 1.02 or 1.0
    titles = []
    for p in props:
        done = [h.seen_ms for h in p.holders if h.seen_ms is not None]
        titles.append(f"{TOPOLOGY_LABELS.get(p.topology, p.topology)}: {len(done)}/{len(p.holders)} "
                      f"in {max(done):,.0f} ms")
    fig = make_subplots(rows=1, cols=len(props), specs=[[{"type": "geo"}] * len(props)], subplot_titles=titles,
                        horizontal_spacing=0.01)
    for i, (p, where) in enumerate(zip(props, wheres, strict=True)):
        l_lat, l_lon = _lines(p.links, where)
        fig.add_trace(go.Scattergeo(lat=l_lat or [None], lon=l_lon or [None], mode="lines",
                                    line=dict(width=0.7, color=_LINK), name="always-open link",
                                    legendgroup="link", showlegend=i == 0, hoverinfo="skip"), row=1, col=i + 1)
        for tr in _state(p, 0.0, where, i == 0):
            fig.add_trace(tr, row=1, col=i + 1)
    times = frame_times(t_max_ms, frames)
    moving = [i * _TRACES_PER_MAP + k for i in range(len(props)) for k in range(1, _TRACES_PER_MAP)]
    fig.frames = [go.Frame(name=f"{t:.0f}", traces=moving,
                           data=[tr for p, where in zip(props, wheres, strict=True)
                                 for tr in _state(p, t, where, False)]) for t in times]
    step_args = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    style.world_map(fig, f"One write at {props[0].origin}, followed through each design", height=560)
    fig.update_geos(projection_type="natural earth", showframe=False)
    fig.update_layout(
        sliders=[dict(active=0, currentvalue=dict(prefix="time after the write: ", suffix=" ms"), pad=dict(t=30),
                      steps=[dict(label=f"{t:.0f}", method="animate", args=[[f"{t:.0f}"], step_args])
                             for t in times])],
        updatemenus=[dict(type="buttons", showactive=False, x=0.0, y=-0.05, xanchor="right", yanchor="top",
                          buttons=[dict(label="▶ play", method="animate",
                                        args=[None, dict(frame=dict(duration=250, redraw=True), fromcurrent=True,
                                                         transition=dict(duration=0))]),
                                   dict(label="❚❚ pause", method="animate", args=[[None], step_args])])],
        legend=dict(orientation="h", y=-0.42, x=0.5, xanchor="center"), margin=dict(b=150),
    )
    return fig


def tree_map(topology: Topology, title: str | None = None) -> go.Figure:
    """The fractal tree on the map: site → regional hub → root, each level its own line and symbol."""
    if not isinstance(topology, Topology):
        raise TypeError(f"topology={brief(topology)}: expected an edgekit.edge.Topology")
    where = {n: (site_place(n).lat, site_place(n).lon) for n in topology.upstream}
    fig = go.Figure()
    up = topology.upstream
    to_hub = [(n, p) for n, p in up.items() if p is not None and n in topology.sites]
    to_root = [(n, p) for n, p in up.items() if p is not None and n not in topology.sites]
    for i, (pairs, name, width) in enumerate(((to_hub, "site → upstream", 1.2), (to_root, "hub → root", 3.0))):
        lat, lon = _lines(pairs, where)
        fig.add_trace(go.Scattergeo(lat=lat or [None], lon=lon or [None], mode="lines", name=name,
                                    line=dict(width=width, color=style.color(i), dash=style.dash(i))))
    groups = (("site", topology.sites, 8), ("hub", topology.hubs, 14), ("root", (topology.root,), 22))
    for i, (role, nodes, size) in enumerate(groups):
        fig.add_trace(go.Scattergeo(
            lat=[where[n][0] for n in nodes], lon=[where[n][1] for n in nodes], name=role,
            mode="markers+text" if role != "site" else "markers", text=list(nodes),
            textposition="bottom center" if role == "root" else "top center",  # a hub may share the root's city
            marker=dict(symbol=ROLE_SYMBOLS[role], size=size, color=style.color(i + 2), line=dict(width=1, color="#000")),
            hovertemplate="%{text}<extra></extra>"))
    depth = "hub and spoke" if not topology.hubs else f"{len(topology.hubs)} regional hubs"
    style.world_map(fig, title or f"{len(topology.sites)} sites, {depth}, root at {topology.root}", height=460)
    fig.update_layout(legend=dict(orientation="h", y=-0.02, x=0.5, xanchor="center"))
    return fig

"""The live planet on the map: the tree of processes, which are down, and what each holds."""

from __future__ import annotations

import plotly.graph_objects as go

from edgekit.edge.topology import Topology, site_place
from edgekit.figures.edge_map import tree_map

from .._checks import brief

__all__ = ["live_map", "STATE_COLORS"]

STATE_COLORS = {"up": "#009E73", "paused": "#E69F00", "silent": "#E69F00", "down": "#D55E00"}


def _n(v) -> str:
    return "?" if v is None else f"{v:,}"


def live_map(topology: Topology, status: dict, title: str | None = None) -> go.Figure:
    """``tree_map`` plus each node's state (a cross on those not up) and its numbers on hover.

    ``status``: node -> ``{"state": "up"|"paused"|"silent"|"down", "keys", "dirty", "syncs_completed",
    "bytes_in", "bytes_out"}`` (``Planet.status()`` or ``Room.status()``); nodes it lacks are "down".
    """
    if not isinstance(status, dict):
        raise TypeError(f"status={brief(status)}: expected a dict node -> state and numbers")
    fig = tree_map(topology, title)
    nodes = list(topology.upstream)
    where = {n: site_place(n) for n in nodes}
    rows = {n: status.get(n) or {"state": "down"} for n in nodes}
    text = [f"<b>{n}</b>: {r['state']}<br>keys {_n(r.get('keys'))}, dirty {_n(r.get('dirty'))}<br>"
            f"syncs {_n(r.get('syncs_completed'))}<br>bytes in {_n(r.get('bytes_in'))}, out {_n(r.get('bytes_out'))}"
            for n, r in rows.items()]
    fig.add_trace(go.Scattergeo(lat=[where[n].lat for n in nodes], lon=[where[n].lon for n in nodes],
                                mode="markers", name="state", text=text, hovertemplate="%{text}<extra></extra>",
                                marker=dict(size=24, color=[STATE_COLORS.get(rows[n]["state"], "#999999")
                                                            for n in nodes], opacity=0.35),
                                showlegend=False))
    out = [n for n in nodes if rows[n]["state"] != "up"]
    fig.add_trace(go.Scattergeo(lat=[where[n].lat for n in out] or [None], lon=[where[n].lon for n in out] or [None],
                                mode="markers", name="down or paused",
                                marker=dict(symbol="x", size=16, color=STATE_COLORS["down"],
                                            line=dict(width=2, color=STATE_COLORS["down"]))))
    return fig

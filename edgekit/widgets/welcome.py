"""The welcome notebook's set-up check: one dropdown, one figure, one line of numbers."""

from __future__ import annotations

import ipywidgets as w
import plotly.graph_objects as go

from edgekit import geo
from edgekit.figures import style
from edgekit.widgets.base import App

DESTINATIONS = ("SYD", "NRT", "JNB", "GRU", "JFK", "SIN", "FRA")


def light_bounds_figure(origin: str, destination: str) -> go.Figure:
    """Bars of the vacuum and fibre round-trip bounds between two places."""
    rtts = [geo.min_rtt_ms(origin, destination, medium=m) for m in ("vacuum", "fiber")]
    fig = go.Figure(go.Bar(
        x=["vacuum (c)", "fibre (c/1.47)"], y=rtts, text=[f"{r:.1f} ms" for r in rtts],
        textposition="outside", marker_color=[style.color(0), style.color(1)],
        marker_pattern_shape=["", "/"],
    ))
    fig.update_yaxes(title="round trip at best (ms)", rangemode="tozero")
    return style.apply(fig, f"Light-speed round trip {origin} ↔ {destination}", height=380)


class SetupCheck(App):
    """Pick a destination from London; the bars and the numbers update."""

    def __init__(self, origin: str = "LHR") -> None:
        super().__init__()
        self.origin = origin
        self.destination = w.Dropdown(options=DESTINATIONS, value="SYD", description="To")
        self.start([self.destination], self.destination)

    def update(self) -> None:
        dest = self.destination.value
        km = geo.great_circle_km(self.origin, dest)
        fig = light_bounds_figure(self.origin, dest)
        self.show(fig)
        self.output.value = (
            f"{self.origin} to {dest}: {km:,.0f} km along the great circle; "
            f"light in fibre needs at least {fig.data[0].y[1]:.1f} ms for the round trip."
        )

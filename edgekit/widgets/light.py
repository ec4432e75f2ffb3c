"""Chapter 1's widgets: two places and the light between them, a latency map, write costs, budgets.

Each app is an ``App``: change a control, the package recomputes, the figure and
the numbers redraw. Tests drive them by setting ``.value`` on a control.
"""

from __future__ import annotations

import ipywidgets as w

from edgekit import coordination as co
from edgekit import geo
from edgekit.figures import geo as gfig
from edgekit.widgets.base import App, table_html

__all__ = ["PairExplorer", "LatencyMap", "PlacementExplorer", "RoundTripBudget", "place_options"]

DEFAULT_REPLICAS = ("LHR", "IAD", "NRT", "SYD", "GRU")


def place_options(kind: str = "all") -> list[tuple[str, str]]:
    """(label, code) pairs for a dropdown: PoPs first, then cloud regions, each sorted by code."""
    ps = [p for p in geo.places() if kind in ("all", p.kind)]
    ps.sort(key=lambda p: (p.kind != "pop", p.code))
    return [(f"{p.code} · {p.name}", p.code) for p in ps]


class PairExplorer(App):
    """Pick two places: distance, vacuum and fibre bounds, the estimate, and the measurement if any."""

    has_map = True

    def __init__(self, a: str = "LHR", b: str = "SYD") -> None:
        super().__init__()
        opts = place_options()
        self.a = w.Dropdown(options=opts, value=geo.place(a).code, description="From")
        self.b = w.Dropdown(options=opts, value=geo.place(b).code, description="To")
        self.n = w.FloatText(value=geo.FIBER_REFRACTIVE_INDEX, step=0.01, description="Fibre n")
        self.start([self.a, self.b, self.n])

    def update(self) -> None:
        a, b, n = self.a.value, self.b.value, self.n.value
        nums = gfig.pair_numbers(a, b, refractive_index=n)
        self.show(gfig.pair_figure(a, b, refractive_index=n))
        self.numbers = nums
        meas = nums["measured_ms"]
        self.output.value = table_html([
            ("distance (WGS-84 geodesic)", f"{nums['km']:,.0f} km"),
            ("round trip at c (vacuum)", f"{nums['vacuum_ms']:.1f} ms"),
            (f"round trip in fibre (n = {n:g})", f"{nums['fiber_ms']:.1f} ms"),
            ("estimate (median line)", f"{nums['line_ms']:.1f} ms"),
            ("real routes this long (10% to 90% lines)", f"{nums['range_ms'][0]:.0f} to {nums['range_ms'][1]:.0f} ms"),
            ("measured", f"{meas:.1f} ms" if meas is not None else "no measurement in data/rtt.csv"),
            ("inflation (measured / fibre bound)", f"{nums['inflation']:.2f}×" if meas is not None else "–"),
        ])


class LatencyMap(App):
    """A world map of round trips from one place: colour, size and a label in ms."""

    has_map = True

    def __init__(self, origin: str = "LHR", measure: str = "estimate", kind: str = "all") -> None:
        super().__init__()
        self.origin = w.Dropdown(options=place_options(), value=geo.place(origin).code, description="From")
        self.measure = w.ToggleButtons(
            options=[("estimate", "estimate"), ("fibre bound", "fiber"), ("vacuum bound", "vacuum")], value=measure
        )
        self.kind = w.ToggleButtons(options=[("all", "all"), ("edge PoPs", "pop"), ("cloud", "cloud")], value=kind)
        self.start([self.origin, self.measure, self.kind])

    def update(self) -> None:
        o, m, k = self.origin.value, self.measure.value, self.kind.value
        fig = gfig.latency_map(o, m, k)
        self.show(fig)
        f = gfig.rtt_by(m)
        ranked = sorted((f(o, p.code), p.code) for p in geo.places() if k in ("all", p.kind) and p.code != o)
        self.ranked = ranked
        near = ", ".join(f"{c} {v:.0f} ms" for v, c in ranked[:3])
        far = ", ".join(f"{c} {v:.0f} ms" for v, c in ranked[-3:][::-1])
        within = sum(v <= 100 for v, _ in ranked)
        self.output.value = table_html([
            ("nearest", near), ("farthest", far), ("places within a 100 ms round trip", f"{within} of {len(ranked)}"),
        ])


class PlacementExplorer(App):
    """Choose replica sites and a primary; see what a write costs a client at each site, per design.

    Every control change recomputes from a round-trip table built once per replica set, so even
    all 152 places redraw in well under a second (``benchmarks/widget_latency.py`` measures it).
    """

    has_map = True

    def __init__(self, replicas=DEFAULT_REPLICAS, primary: str = "IAD", scheme: str = "sync_primary_ms") -> None:
        super().__init__()
        self._syncing = False
        codes = [c for _, c in place_options()]
        self.replicas = w.SelectMultiple(options=codes, value=tuple(replicas), rows=8, description="Replicas")
        self.primary = w.Dropdown(options=tuple(replicas), value=primary, description="Primary")
        self.scheme = w.Dropdown(options=[(f"map: {lab}", s) for s, lab, _ in gfig.SCHEMES], value=scheme,
                                 description="Map")
        self.start([self.replicas, self.primary, self.scheme])

    def refresh(self, change=None) -> None:
        if not self._syncing:  # changing the primary's options below fires its observer: ignore that echo
            super().refresh(change)

    def _sync_primary(self, rs: tuple[str, ...]) -> None:
        if tuple(self.primary.options) == rs:
            return
        old = self.primary.value
        self._syncing = True
        try:
            self.primary.options = rs
            self.primary.value = old if old in rs else (rs[0] if rs else None)
        finally:
            self._syncing = False

    def update(self) -> None:
        rs = tuple(self.replicas.value)
        self._sync_primary(rs)
        p, s = self.primary.value, self.scheme.value
        costs = co.write_costs(rs, p)  # an empty selection raises a ValueError that the base shows
        self.show(gfig.coordination_figure(costs, rs, p, s))
        self.costs = costs
        grid = co.design_grid(costs)
        best, best_ms = co.primary_ranking(rs, {c: 1 for c in rs})[0]
        worst = max(costs, key=lambda c: c.sync_primary_ms)
        rows = []
        if len(costs) <= 6:
            rows += [(f"client at {c.client}", f"async primary {c.async_primary_ms:.0f} · leaderless majority "
                      f"{c.leaderless_majority_ms:.0f} (via {c.coordinator}) · led majority "
                      f"{c.leader_majority_ms:.0f} · sync primary {c.sync_primary_ms:.0f} ms") for c in costs]
        rows += [
            ("mean, led by the primary: none / majority / all acks",
             f"{grid['leader', 'none']:.0f} / {grid['leader', 'majority']:.0f} / {grid['leader', 'all']:.0f} ms"),
            ("mean, majority acks: leader / nearest replica coordinates",
             f"{grid['leader', 'majority']:.0f} / {grid['nearest', 'majority']:.0f} ms"),
            ("slowest synchronous-primary write", f"{worst.client}: {worst.sync_primary_ms:.0f} ms"),
            ("best primary, one client per site", f"{best} (mean {best_ms:.0f} ms)"),
        ]
        self.output.value = table_html(rows)


class RoundTripBudget(App):
    """How many sequential round trips between two places fit in 10 ms, 100 ms, 1 s, or your budget."""

    def __init__(self, a: str = "LHR", b: str = "SYD", budget_ms: float = 10.0) -> None:
        super().__init__()
        self.a = w.Dropdown(options=place_options(), value=geo.place(a).code, description="From")
        self.b = w.Dropdown(options=place_options(), value=geo.place(b).code, description="To")
        self.budget = w.FloatText(value=budget_ms, description="Your ms")
        self.start([self.a, self.b, self.budget])

    @staticmethod
    def _budgets(custom: float) -> dict[str, float]:
        if isinstance(custom, bool) or not isinstance(custom, (int, float)) or not custom > 0:
            raise ValueError(f"budget={custom!r}: expected a budget > 0 ms")
        return {**co.BUDGETS_MS, f"your {custom:g} ms": float(custom)}

    def update(self) -> None:
        a, b = self.a.value, self.b.value
        budgets = self._budgets(self.budget.value)
        self.show(gfig.budget_figure(a, b, budgets))
        est = geo.estimate_rtt_ms(a, b)
        self.counts = {name: co.round_trips_within(v, est) for name, v in budgets.items()}
        lo, hi = geo.rtt_range_ms(a, b)
        reach = geo.max_distance_km(co.COLD_START_MS, medium="vacuum")
        rows = [(f"in {name}", f"{n:,} round trips (estimate {est:.0f} ms each)") for name, n in self.counts.items()]
        if geo.measured_rtt_ms(a, b) is None:
            rows.append(("real routes of this length (10% to 90% lines)", f"{lo:.0f} to {hi:.0f} ms"))
        rows.append(("light's reach in one 35 µs cold start, there and back",
                     f"{reach:.2f} km: compute is µs, a round trip is ms"))
        self.output.value = table_html(rows)

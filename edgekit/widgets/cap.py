"""Chapter 3's widgets: cut the world and watch CP and AP stores answer; PBS curves for N/R/W.

Tests drive them without a browser: set a control's ``.value``, then read
``app.output.value``, ``app.figure.data`` and the last results
(``app.comparison``, ``app.curve``).
"""

from __future__ import annotations

import html
import math

import ipywidgets as w

from edgekit.consistency import (
    LATENCY_MODELS,
    PRESETS,
    WORLD,
    cap_compare,
    pbs_consistency,
    t_visibility,
)
from edgekit.consistency.pbs import leg_samples
from edgekit.figures import cap as cfig
from edgekit.widgets.base import App, Memo

__all__ = ["CapApp", "PbsApp", "CUSTOM"]

CUSTOM = "custom: cut off the PoPs chosen below"
CP_STORES = [("CP: majority quorum, leaderless (ABD)", "quorum"), ("CP: synchronous primary", "primary")]


def _pct(x: float) -> str:
    return "–" if math.isnan(x) else f"{100 * x:.0f}%"


def _grid(rows: list[tuple], header: tuple | None = None) -> str:
    """An HTML table: the first column names a quantity, the others give its values in bold."""
    def row(cells, tag):
        first, *rest = (html.escape(str(c)) for c in cells)
        values = "".join(f"<{tag} style='padding:2px 10px'>{v if tag == 'th' else f'<b>{v}</b>'}</{tag}>"
                         for v in rest)
        return f"<tr><{tag} style='padding:2px 10px 2px 0;text-align:left'>{first}</{tag}>{values}</tr>"

    head = row(header, "th") if header else ""
    return f"<table style='font-size:15px'>{head}{''.join(row(r, 'td') for r in rows)}</table>"


class CapApp(App):
    """Pick a cut (a preset or your own group of PoPs) and a CP store; the AP store runs beside it."""

    has_map = True

    def __init__(self, cut: str = "transatlantic cut", group=("LHR", "FRA"), cp: str = "quorum",
                 sites=WORLD, seed: int = 0) -> None:
        super().__init__()
        self.sites = tuple(sites)
        self.preset = w.Dropdown(options=[*PRESETS, CUSTOM], value=cut, description="Partition")
        self.group = w.SelectMultiple(options=self.sites, value=tuple(group), rows=len(self.sites),
                                      description="Cut off")
        self.cp = w.ToggleButtons(options=CP_STORES, value=cp)
        self.seed = w.BoundedIntText(value=seed, min=0, max=10**6, description="Seed")
        self._cache = Memo(32)
        self.start([self.preset, self.cp, self.seed, self.group],
                   w.HBox([self.preset, self.seed]), self.cp, w.HBox([self.group, self.output]))

    def _compare(self):
        preset = self.preset.value
        cut = tuple(sorted(self.group.value)) if preset == CUSTOM else preset
        key = (cut, self.cp.value, self.seed.value)

        def compute():  # every run is seeded: the same controls give the same result
            cmp = cap_compare(cut, self.sites, cp=self.cp.value, seed=self.seed.value)
            return cmp, cfig.cap_figure(cmp)

        return self._cache.get(key, compute)

    def update(self) -> None:
        self.group.disabled = self.preset.value != CUSTOM
        cmp, fig = self._compare()
        self.comparison = cmp
        self.show(fig)
        cps, aps = cmp.stats()

        def overall(stats) -> float:
            n = sum(s.ops for s in stats.values())
            return sum(s.ok for s in stats.values()) / n if n else math.nan

        lost = [s for s in self.sites if cps[s].ops and cps[s].availability < 1]
        reads = sum(s.reads for s in aps.values())
        stale = sum(s.stale_reads for s in aps.values())
        cp_reads, cp_stale = sum(s.reads for s in cps.values()), sum(s.stale_reads for s in cps.values())
        behind = max((s.max_time_behind_ms for s in aps.values()), default=0.0)
        lo, hi = cmp.window
        when = f"the cut ({lo:.0f}–{hi:.0f} ms)" if hi < math.inf else "the whole run"
        self.numbers = dict(cp_availability=overall(cps), ap_availability=overall(aps), cp_lost=lost,
                            ap_stale_share=stale / reads if reads else math.nan, ap_max_behind_ms=behind)
        self.output.value = _grid([
            ("operations that succeeded", _pct(self.numbers["cp_availability"]), _pct(self.numbers["ap_availability"])),
            ("PoPs refused some operations", ", ".join(lost) or "none", "none"),
            ("reads that missed a completed write", f"{cp_stale} of {cp_reads}",
             f"{stale} of {reads} ({_pct(self.numbers['ap_stale_share'])})"),
            ("most out of date a read was", "–", f"{behind:.0f} ms behind"),
            ("replicas equal after the heal", "–", "yes" if cmp.ap.converged() else "no"),
        ], header=(f"during {when}", f"CP: {cmp.cp.store.design}", f"AP: {cmp.ap.store.design}"))


class PbsApp(App):
    """N, R, W and a latency model: the PBS curve (with its Monte Carlo band), the four latency
    distributions it comes from, and when it reaches 99.9%."""

    TRIALS = 4_000  # Monte Carlo standard error under 0.8 points: plenty for a picture, fast to redraw

    def __init__(self, n: int = 3, r: int = 1, w_: int = 1, latency: str = "lnkd-disk", t_max_ms: float = 50.0) -> None:
        super().__init__()
        self.n = w.BoundedIntText(value=n, min=1, max=9, description="N")
        self.r = w.BoundedIntText(value=r, min=1, max=9, description="R")
        self.w = w.BoundedIntText(value=w_, min=1, max=9, description="W")
        self.latency = w.ToggleButtons(options=sorted(LATENCY_MODELS), value=latency)
        self.t_max_ms = t_max_ms
        self._cache = Memo(32)
        self.start([self.n, self.r, self.w, self.latency], w.HBox([self.n, self.r, self.w]), self.latency)

    def _curve(self):
        key = (self.n.value, self.r.value, self.w.value, self.latency.value)
        return key, self._cache.get(key, lambda: self._compute(key))

    def _compute(self, key):
        ts = [self.t_max_ms * i / 100 for i in range(101)]
        ps = pbs_consistency(*key[:3], ts, latency=key[3], trials=self.TRIALS, seed=0)
        tv = t_visibility(*key[:3], 0.999, latency=key[3], trials=self.TRIALS, seed=0)
        n, r, w_, lat = key
        legs = leg_samples(lat, 2_000)
        fig = cfig.pbs_legs_figure(f"N={n} R={r} W={w_}, {lat}", ts, ps, self.TRIALS, legs)
        return ts, ps, tv, fig, {leg: xs[len(xs) // 2] for leg, xs in legs.items()}

    def update(self) -> None:
        (n, r, w_, _), (ts, ps, tv, fig, medians) = self._curve()
        self.curve = (ts, ps)
        self.t_999 = tv
        self.show(fig)
        self.output.value = _grid([
            ("consistent at t = 0", f"{100 * ps[0]:.1f}%"),
            ("99.9% consistent after", f"{tv:.1f} ms"),
            ("quorums overlap (R + W > N)?", "yes: always consistent" if r + w_ > n else "no: partial quorums"),
            ("median leg: W / A / R / S", " / ".join(f"{medians[leg]:.2f}" for leg in "wars") + " ms"),
            ("Monte Carlo trials", f"{self.TRIALS:,} (95% band: ± {196 * (0.25 / self.TRIALS) ** 0.5:.1f} points "
                                   "at most)"),
        ])

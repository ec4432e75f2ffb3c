"""Chapter 3 widgets, driven without a browser: set a control, read the numbers and the figure."""

import math

import pytest

from edgekit.consistency import WORLD, cap_compare, pacelc_sweep, pbs_consistency
from edgekit.figures import cap as cfig
from edgekit.widgets.cap import CUSTOM, CapApp, PbsApp


@pytest.fixture(scope="module")
def app():
    return CapApp()


def _map_availability(app, col):
    return dict(zip(WORLD, app.figure.data[col].marker.color, strict=True))


def test_transatlantic_cut_cp_loses_europe_ap_keeps_everyone(app):
    app.preset.value = "transatlantic cut"
    assert app.last_error is None
    assert app.numbers["cp_lost"] == ["LHR", "FRA"]
    assert app.numbers["ap_availability"] == 1.0
    cp_map, ap_map = _map_availability(app, 0), _map_availability(app, 1)
    assert cp_map["LHR"] == cp_map["FRA"] == 0 and cp_map["IAD"] == 1
    assert set(ap_map.values()) == {1}
    assert "LHR, FRA" in app.output.value and "yes" in app.output.value  # AP converged after the heal
    assert "<b>0 of " in app.output.value  # the CP store read nothing stale
    assert "square" in app.figure.data[0].marker.symbol  # one side of the cut is drawn with squares


def test_presets_and_custom_group_change_the_picture(app):
    app.preset.value = "Asia-Pacific cut off"
    assert app.numbers["cp_lost"] == ["NRT", "SYD"]
    app.preset.value = "no partition"
    assert app.numbers["cp_lost"] == [] and app.numbers["cp_availability"] == 1.0
    assert "over the run" in app.figure.layout.annotations[0].text
    app.preset.value = CUSTOM
    assert not app.group.disabled
    app.group.value = ("IAD", "ORD", "SJC", "GRU", "LHR")  # a majority cut off: the rest lose service
    assert set(app.numbers["cp_lost"]) == {"FRA", "NRT", "SYD"}
    bars = app.figure.data[2]  # CP availability bars
    assert dict(zip(bars.x, bars.y, strict=True))["FRA"] == 0


def test_bad_group_is_a_message_not_a_traceback(app):
    app.preset.value = CUSTOM
    app.group.value = ()
    assert "both sides" in app.last_error and "Cannot show this" in app.output.value
    app.group.value = ("LHR",)
    assert app.last_error is None


def test_single_primary_choice(app):
    app.preset.value = "transatlantic cut"
    app.cp.value = "primary"
    assert app.comparison.cp.store.name == "primary"
    assert "primary" in app.figure.layout.annotations[0].text
    # Synchronous replication to every backup: no write commits anywhere while Europe is cut off.
    assert app.numbers["cp_availability"] < 0.8 and "IAD" in app.numbers["cp_lost"]
    app.cp.value = "quorum"


def test_same_controls_same_numbers(app):
    app.preset.value = "Europe cut off"
    first = dict(app.numbers)
    app.seed.value = 1
    app.seed.value = 0
    assert app.numbers == first


def test_pbs_app_curve_and_numbers():
    app = PbsApp()
    ts, ps = app.curve
    assert ps == sorted(ps) and abs(ps[0] - 0.439) < 0.03  # lnkd-disk, N=3, R=W=1
    curve = next(t for t in app.figure.data if t.name.startswith("PBS"))
    assert list(curve.y) == ps
    # The four WARS legs behind the curve are drawn too: on disks the write leg is the slow one.
    legs = {t.name[0]: t for t in app.figure.data if t.name[:2] in ("W:", "A:", "R:", "S:")}
    assert sorted(legs) == ["A", "R", "S", "W"] and legs["W"].x[len(legs["W"].x) // 2] > legs["A"].x[50]
    assert "median leg: W / A / R / S" in app.output.value and "95% band" in app.output.value
    app.latency.value = "lnkd-ssd"
    assert next(t for t in app.figure.data if t.name.startswith("PBS")).y[0] > 0.95
    app.r.value = 2
    app.w.value = 2
    assert set(next(t for t in app.figure.data if t.name.startswith("PBS")).y) == {1.0}
    assert "always consistent" in app.output.value
    app.r.value = 4
    assert "r=4" in app.last_error and "Cannot show this" in app.output.value
    assert next(t for t in app.figure.data if t.name.startswith("PBS")).y[0] == 1.0  # the last good picture stays


def test_pbs_app_single_replica_shows_its_curve():
    """N = R = W = 1 is valid (one replica, always consistent): the widget draws it. Before the
    fix pbs_consistency(1, 1, 1) raised a TypeError and the app showed an error instead."""
    app = PbsApp(n=1, r=1, w_=1)
    assert app.last_error is None, app.last_error
    ts, ps = app.curve
    assert len(ps) == len(ts) == 101 and set(ps) == {1.0}
    curve = next(t for t in app.figure.data if t.name.startswith("PBS:"))
    assert list(curve.y) == list(ps) and "N=1 R=1 W=1" in curve.name
    assert "always consistent" in app.output.value
    app.n.value, app.r.value, app.w.value = 3, 1, 1
    app.n.value = 1  # back to one replica through the controls
    curve = next(t for t in app.figure.data if t.name.startswith("PBS:"))
    assert app.last_error is None and set(curve.y) == {1.0}


def test_figures_build():
    cmp = cap_compare("Europe cut off")
    fig = cfig.cap_figure(cmp)
    assert len(fig.data) == 6 and "Europe" in fig.layout.title.text
    pts = pacelc_sweep([(3, 1, 1), (3, 2, 2)], sites=("LHR", "FRA", "IAD"),
                       holders=("LHR", "FRA", "IAD"))
    fig = cfig.pacelc_figure(pts)
    assert len(fig.data) == 4 and fig.data[0].text == ("3/1/1",)
    ts = [0, 1, 2]
    fig = cfig.pbs_figure({"a": (ts, pbs_consistency(3, 1, 1, ts, trials=500))}, {"sim": [(5.0, 0.5, 10)]})
    assert [t.name for t in fig.data] == ["PBS: a", "simulated: sim"]
    assert math.isclose(fig.data[1].y[0], 0.5)

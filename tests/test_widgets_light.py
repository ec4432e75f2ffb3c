"""Chapter 1 widgets, driven without a browser: set a control, read the numbers and the figure."""

import pytest

from edgekit import coordination as co
from edgekit import geo
from edgekit.widgets.light import (
    LatencyMap,
    PairExplorer,
    PlacementExplorer,
    RoundTripBudget,
    place_options,
)


def test_place_options_cover_every_place_pops_first():
    opts = place_options()
    assert len(opts) == len(geo.places())
    kinds = [geo.place(code).kind for _, code in opts]
    assert kinds == sorted(kinds, key=lambda k: k != "pop")


def test_pair_explorer_shows_bounds_and_measurement():
    app = PairExplorer("LHR", "SYD")
    assert app.last_error is None
    assert "no measurement" in app.output.value
    bars = app.figure.data[1]
    assert bars.y[1] == pytest.approx(geo.min_rtt_ms("LHR", "SYD"))

    app.a.value, app.b.value = "azure:eastus", "azure:westus"
    assert app.last_error is None
    assert "64.0 ms" in app.output.value  # the measured P50
    fiber = geo.min_rtt_ms("azure:eastus", "azure:westus")
    assert f"{64 / fiber:.2f}×" in app.output.value
    assert app.figure.data[1].y[1] == pytest.approx(fiber)
    assert app.figure.data[1].y[4] == 64  # measured; [3] is the 10-90% band of real routes
    assert list(app.figure.data[0].text) == ["azure:eastus", "azure:westus"]


def test_pair_explorer_refractive_index_below_one_is_a_message():
    app = PairExplorer("LHR", "JFK")
    before = app.figure.data[1].y[1]
    app.n.value = 1.6
    assert app.figure.data[1].y[1] == pytest.approx(before * 1.6 / 1.47)
    app.n.value = 0.8
    assert "refractive_index=0.8" in app.last_error
    assert "Cannot show this" in app.output.value
    app.n.value = 1.47  # recovers
    assert app.last_error is None and app.figure.data[1].y[1] == pytest.approx(before)


def test_latency_map_recolours_for_a_new_origin_and_measure():
    app = LatencyMap("LHR")
    colours = list(app.figure.data[0].marker.color)
    assert len(colours) == len(geo.places()) - 1
    app.origin.value = "SYD"
    assert list(app.figure.data[0].marker.color) != colours
    assert app.figure.data[1].text == ("SYD",)
    assert "nearest" in app.output.value and "MEL" in app.output.value.split("farthest")[0]
    est = max(app.figure.data[0].marker.color)
    app.measure.value = "vacuum"
    assert max(app.figure.data[0].marker.color) < est
    app.kind.value = "cloud"
    assert len(app.figure.data[0].marker.color) == sum(p.kind == "cloud" for p in geo.places())
    assert app.last_error is None


def test_placement_explorer_costs_follow_the_controls():
    app = PlacementExplorer(("LHR", "IAD", "NRT", "SYD", "GRU"), "IAD")
    expected = co.write_costs(("LHR", "IAD", "NRT", "SYD", "GRU"), "IAD")
    assert app.costs == expected
    assert list(app.figure.data[0].marker.color) == pytest.approx([c.primary_ms for c in expected])
    assert "best primary" in app.output.value

    app.scheme.value = "leaderless_majority_ms"
    assert list(app.figure.data[0].marker.color) == pytest.approx([c.quorum_ms for c in expected])
    app.scheme.value = "async_primary_ms"
    assert list(app.figure.data[0].marker.color) == pytest.approx([c.async_primary_ms for c in expected])
    grid = co.design_grid(expected)
    assert f"{grid['leader', 'majority']:.0f} / {grid['nearest', 'majority']:.0f} ms" in app.output.value

    app.primary.value = "SYD"
    assert app.costs == co.write_costs(("LHR", "IAD", "NRT", "SYD", "GRU"), "SYD")

    # Dropping the primary from the replica set moves the primary to a remaining site.
    app.replicas.value = ("LHR", "FRA", "AMS")
    assert app.primary.options == ("LHR", "FRA", "AMS") and app.primary.value == "LHR"
    assert [c.client for c in app.costs] == ["LHR", "FRA", "AMS"]
    assert len(app.figure.data[0].lat) == 3
    assert app.last_error is None


def test_placement_explorer_takes_every_place_and_draws_sorted_costs():
    from edgekit.widgets.light import place_options

    app = PlacementExplorer()
    every = tuple(c for _, c in place_options())
    app.replicas.value = every
    assert app.last_error is None and len(app.costs) == len(every) == 152
    lines = [t for t in app.figure.data if t.type == "scatter"]
    assert len(lines) == 5 and all(list(t.y) == sorted(t.y) for t in lines)  # one sorted curve per design
    assert "client at" not in app.output.value  # too many to list: the summary rows only


def test_placement_explorer_empty_selection_is_a_message_and_recovers():
    app = PlacementExplorer()
    app.replicas.value = ()
    assert "replicas=[]: expected at least one replica site code" in app.last_error
    assert "Cannot show this" in app.output.value
    app.replicas.value = ("JNB", "CPT")
    assert app.last_error is None and app.primary.value == "JNB"


def test_round_trip_budget_counts_and_bad_budgets():
    app = RoundTripBudget("LHR", "SYD", budget_ms=10)
    est = geo.estimate_rtt_ms("LHR", "SYD")
    assert app.counts["1 s"] == co.round_trips_within(1000, est)
    assert app.counts["10 ms API call"] == 0 and "35 µs" not in str(list(app.counts))
    assert "5.25 km" in app.output.value

    app.b.value = "CDG"
    assert app.counts["1 s"] == co.round_trips_within(1000, geo.estimate_rtt_ms("LHR", "CDG"))
    est_bar = app.figure.data[0]  # estimate trace
    assert est_bar.y[2] == app.counts["1 s"]

    app.budget.value = 500
    assert app.counts["your 500 ms"] == co.round_trips_within(500, geo.estimate_rtt_ms("LHR", "CDG"))
    assert list(app.figure.data[0].x)[-1] == "your 500 ms"

    app.budget.value = -3
    assert "budget=-3" in app.last_error and "Cannot show this" in app.output.value
    app.budget.value = 20
    app.b.value = "LHR"
    assert "pick a place other than" in app.last_error

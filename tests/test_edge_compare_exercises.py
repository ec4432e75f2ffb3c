"""Chapter 5 exercises: typical wrong answers get helpful words; the figures build from the records."""

import plotly.graph_objects as go
import pytest

from edgekit.edge.hashing import placement
from edgekit.edge.lab import complications as cx
from edgekit.edge.lab.compare import Setup, compare
from edgekit.edge.lab.propagation import follow_write
from edgekit.edge.lab.stepper import site_inside, sync_walkthrough
from edgekit.edge.topology import Topology
from edgekit.exercises import NOT_ANSWERED, ch5, check
from edgekit.figures import edge as fe
from edgekit.figures import edge_map as fm

SMALL = Setup(sites=("LHR", "FRA", "IAD", "SYD"), rates=60.0, keys=10, ops=400, isolated="SYD")


def test_placement_wrong_answers():
    best = placement("user:7", 5, 3)
    assert check("ch5.placement", best).ok
    assert "wrong order" in check("ch5.placement", tuple(reversed(best))).message
    assert "lowest" in check("ch5.placement", placement("user:7", 5, 5)[-3:]).message
    assert "n = 3" in check("ch5.placement", best[:2]).message
    assert "expected a tuple" in check("ch5.placement", "r0").message


def test_serve_wrong_answers():
    def overwrite(store, entries):  # the classic mistake: keep the site's value instead of merging
        for k, v in entries.items():
            if v is not None:
                store[k] = v
        return {k: store.get(k) for k in entries}

    def forgets_misses(store, entries):
        out = {}
        for k, v in entries.items():
            if v is not None:
                store[k] = v if store.get(k) is None else store[k] | v
            if store.get(k) is not None:
                out[k] = store[k]
        return out

    def does_not_keep(store, entries):
        return {k: v if store.get(k) is None or v is None else store[k] | v for k, v in entries.items()}

    def unfinished(store, entries):
        return NOT_ANSWERED

    assert "merge it" in check("ch5.serve", overwrite).message
    assert "every requested key gets an answer" in check("ch5.serve", forgets_misses).message
    assert "keep every merge" in check("ch5.serve", does_not_keep).message
    fb = check("ch5.serve", unfinished)
    assert not fb.ok and not fb.answered
    assert "expected a function" in check("ch5.serve", 42).message


def test_epoch_root_wrong_answers():
    best = ch5._best()
    assert check("ch5.epoch_root", {"epoch_ms": best["epoch_ms"], "root": best["root"]}).ok
    too_slow = check("ch5.epoch_root", {"epoch_ms": 8_000, "root": best["root"]})
    assert not too_slow.ok and "over the 450 ms target" in too_slow.message
    wasteful = check("ch5.epoch_root", {"epoch_ms": 250, "root": best["root"]})
    assert not wasteful.ok and "more than needed" in wasteful.message
    assert "unknown place" in check("ch5.epoch_root", {"epoch_ms": 1000, "root": "XXX"}).message
    assert "expected a dict" in check("ch5.epoch_root", (1000, "LHR")).message
    assert "between 1 and 60,000" in check("ch5.epoch_root", {"epoch_ms": -5, "root": "LHR"}).message


# -- figures build from the records -----------------------------------------------------------


@pytest.fixture(scope="module")
def records():
    return compare(setup=SMALL)


def test_comparison_figures(records):
    fig = fe.comparison_figure(records)
    assert isinstance(fig, go.Figure) and "none" in fig.layout.title.text
    assert list(fig.data[0].x) == [r.label for r in records]
    pops = fe.pop_latency_figure(records, "read")
    assert [tr.name for tr in pops.data] == [r.label for r in records]
    with pytest.raises(ValueError, match="kind='both'"):
        fe.pop_latency_figure(records, "both")
    with pytest.raises(ValueError, match="RunRecords"):
        fe.comparison_figure([])


def test_propagation_map_has_frames_and_a_slider():
    props = [follow_write(t, SMALL, origin="SYD", at_ms=300.0) for t in ("primary", "flat")]
    fig = fm.propagation_map(props, frames=6)
    assert len(fig.frames) == 6 and len(fig.layout.sliders[0].steps) == 6
    last = fig.frames[-1].data
    holders = last[3]  # the first map's "holds the write" markers at the end
    assert len(holders.lat) == props[0].reached
    assert fm.frame_times(10.0, 2) == [0.0, 10.0]
    with pytest.raises(ValueError, match="props"):
        fm.propagation_map([])


def test_tree_map_draws_each_level():
    topo = Topology.tree(list(SMALL.sites))
    fig = fm.tree_map(topo)
    names = [tr.name for tr in fig.data]
    assert names == ["site → upstream", "hub → root", "site", "hub", "root"]
    assert len(fig.data[2].lat) == len(SMALL.sites)
    with pytest.raises(TypeError, match="Topology"):
        fm.tree_map("tree")


def test_protocol_and_site_figures():
    steps = sync_walkthrough()
    fig = fe.sync_step_figure(steps, 1)
    assert "epoch 1 of 5" in fig.layout.title.text
    with pytest.raises(ValueError, match="number=9"):
        fe.sync_step_figure(steps, 9)
    inside = site_inside(slow=(0, 1))
    assert "stale" in fe.site_inside_figure(inside).layout.title.text


def test_complication_figures():
    small = Setup(**{**SMALL.__dict__, "ops": 250})
    assert len(fe.read_miss_figure(cx.read_miss_modes(small)).data) == 2
    points = cx.epoch_sweep((250, 2000), small)
    assert points[0].bytes_per_s > points[1].bytes_per_s
    assert len(fe.epoch_figure(points).data) == 4
    assert len(fe.hot_key_figure(cx.hot_keys((0.0, 1.5), small)).data) == 3
    storm = cx.storm(small)
    assert len(storm.times_ms) == len(storm.bytes_in) and storm.fault_ms
    assert isinstance(fe.storm_figure(storm), go.Figure)
    costs = cx.value_costs(("lww", "mv"), small)
    assert costs[0].value_bytes["mean"] < costs[1].value_bytes["mean"]
    assert len(fe.value_cost_figure(costs).data) == 3
    with pytest.raises(ValueError, match="types"):
        cx.value_costs(("blob",), small)

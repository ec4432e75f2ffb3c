"""Chapter 5 exercises: typical wrong answers get helpful words; the figures build from the records."""

import plotly.graph_objects as go
import pytest

from edgekit.edge.lab import complications as cx
from edgekit.edge.lab.compare import Setup, compare
from edgekit.edge.lab.propagation import follow_write
from edgekit.edge.lab.stepper import site_inside, sync_walkthrough
from edgekit.edge.topology import Topology
from edgekit.exercises import NOT_ANSWERED, ch5, check
from edgekit.figures import edge as fe
from edgekit.figures import edge_map as fm

SMALL = Setup(sites=("LHR", "FRA", "IAD", "SYD"), rates=60.0, keys=10, ops=400, isolated="SYD")


def test_isolated_is_decided_by_the_simulator_and_names_each_misconception():
    assert ch5.isolated_truth() == {"a", "g"}  # the primary's write, and an MV write without the key
    assert check("ch5.isolated", {"a", "g"}).ok and check("ch5.isolated", ["A", "g "]).ok
    assert "not a local write" in check("ch5.isolated", {"g"}).message
    assert "causal context" in check("ch5.isolated", {"a"}).message
    assert "not an error" in check("ch5.isolated", {"a", "f", "g"}).message  # blocking is slow, not down
    assert "a miss is an answer" in check("ch5.isolated", {"a", "e", "g"}).message
    assert "not local reads" in check("ch5.isolated", {"a", "b", "g"}).message
    assert "expected a set of letters" in check("ch5.isolated", "a").message
    assert "not an option" in check("ch5.isolated", {"z"}).message


def test_lose_a_write_is_judged_by_the_lost_write_check():
    from edgekit.sim import Crash, Cut, DiskLoss, Heal, Restart

    assert check("ch5.lose_a_write", ch5.lose_a_write_reference()).ok
    # Replicas down while the primary acknowledges, then its disk: another schedule that works.
    both_down = [Crash(900, "IAD"), Crash(900, "SYD"), DiskLoss(2_000, "LHR"), Restart(3_000, "IAD"),
                 Restart(3_000, "SYD")]
    assert check("ch5.lose_a_write", both_down).ok
    assert "only delay" in check("ch5.lose_a_write", [Crash(1_000, "LHR"), Restart(2_000, "LHR")]).message
    assert "only delay" in check("ch5.lose_a_write", []).message
    assert "refilled from the primary's log" in check("ch5.lose_a_write", [DiskLoss(1_000, "IAD")]).message
    late = check("ch5.lose_a_write", [DiskLoss(1_000, "LHR")])
    assert not late.ok and "already reached a replica" in late.message and "50 ms" in late.message
    healed_first = [Cut(1_000, "LHR", "*"), Heal(1_600, "LHR", "*"), DiskLoss(4_000, "LHR")]
    assert "already reached a replica" in check("ch5.lose_a_write", healed_first).message
    assert "not a node here" in check("ch5.lose_a_write", [DiskLoss(1_000, "CDG")]).message
    assert "between 0 and 6000 ms" in check("ch5.lose_a_write", [Cut(9_000, "LHR", "*")]).message
    assert "expected a list of fault events" in check("ch5.lose_a_write", "LHR").message
    assert "not one of Cut" in check("ch5.lose_a_write", ["cut LHR"]).message


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


# -- figures build from the records -----------------------------------------------------------


@pytest.fixture(scope="module")
def records():
    return compare(setup=SMALL)


def test_comparison_figures(records):
    fig = fe.comparison_figure(records)
    assert isinstance(fig, go.Figure) and "none" in fig.layout.title.text
    assert [x.replace("<br>", " ") for x in fig.data[0].x] == [r.label for r in records]
    assert records[0].label == "asynchronous primary" and records[0].design == "asynchronous primary"
    assert {r.design for r in records[1:]} == {"local write"}
    # Both latency panels: one log axis from 0.1 ms, a tick per decade (0.4 and 0.5 ms look as close as they are).
    for axis in (fig.layout.yaxis, fig.layout.yaxis2):
        assert axis.type == "log" and axis.dtick == 1 and axis.range[0] == -1 and axis.range[1] >= 3
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
    assert "epoch 1 of 6" in fig.layout.title.text
    with pytest.raises(ValueError, match="number=9"):
        fe.sync_step_figure(steps, 9)
    inside = site_inside(slow=(0, 1))
    assert "stale" in fe.site_inside_figure(inside).layout.title.text


def test_complication_figures():
    small = Setup(**{**SMALL.__dict__, "ops": 250})
    assert len(fe.read_miss_figure(cx.read_miss_modes(small)).data) == 2
    points = cx.epoch_sweep((250, 2000), small)
    assert points[0].bytes_per_s > points[1].bytes_per_s
    epochs = fe.epoch_figure(points)
    assert len(epochs.data) == 4
    # Linear axes with one tick per epoch run: no "3 4 5 ... 1000 2" minor labels of a short log axis.
    assert list(epochs.layout.xaxis.tickvals) == [250.0, 2000.0] and epochs.layout.xaxis.type != "log"
    assert epochs.layout.yaxis.type != "log"
    assert len(fe.hot_key_figure(cx.hot_keys((0.0, 1.5), small)).data) == 3
    storm = cx.storm(small)
    assert len(storm.times_ms) == len(storm.bytes_in) and storm.fault_ms
    assert isinstance(fe.storm_figure(storm), go.Figure)
    costs = cx.value_costs(("lww", "mv"), small)
    assert costs[0].value_bytes["mean"] < costs[1].value_bytes["mean"]
    assert len(fe.value_cost_figure(costs).data) == 3
    with pytest.raises(ValueError, match="types"):
        cx.value_costs(("blob",), small)

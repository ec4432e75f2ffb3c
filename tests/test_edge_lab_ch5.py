"""Chapter 5's experiments: a missed or duplicated sync, a PoP's LRU, the API's causal context, who answers
in a cut-off PoP, how an asynchronous primary loses a write, and which guarantees hold where."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgekit.checkers import Operation
from edgekit.edge.lab import failover as fo
from edgekit.edge.lab import guarantees as gu
from edgekit.edge.lab.api import context_story
from edgekit.edge.lab.capacity import lru_story
from edgekit.edge.lab.isolation import CASES, isolated_op
from edgekit.edge.lab.primary import PrimaryPoP
from edgekit.edge.lab.stepper import DEFAULT_SCRIPT, sync_walkthrough
from edgekit.sim import Crash, Cut, DiskLoss, Heal, Restart

# -- a missed sync only delays; a duplicate changes nothing -----------------------------------------

SCRIPT = DEFAULT_SCRIPT  # its last epoch is quiet: a retry has somewhere to happen
ROOT = "root:FRA"
CALM = sync_walkthrough(SCRIPT)
MVCALM = sync_walkthrough(SCRIPT, value_type="mv")
FAULT_KEYS = st.tuples(st.integers(1, len(SCRIPT) - 1), st.sampled_from(["SYD", "LHR"]),
                       st.sampled_from(["request", "response"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(FAULT_KEYS, st.sampled_from(["drop", "duplicate"]), max_size=4),
       st.sampled_from(["lww", "mv"]))
def test_any_dropped_or_duplicated_sync_message_leaves_the_root_where_it_would_be(faults, vt):
    steps = sync_walkthrough(SCRIPT, value_type=vt, faults=faults)
    calm = CALM if vt == "lww" else MVCALM
    if all(how == "duplicate" for how in faults.values()):
        assert [s.states for s in steps] == [s.states for s in calm]  # harmless, epoch by epoch
    # Drops only delay: at most one epoch per drop of the same key, and the script ends with a quiet one.
    if len({n for n, *_ in faults}) == len(faults) and max((n for n, *_ in faults), default=0) < len(SCRIPT) - 1:
        assert steps[-1].states[ROOT] == calm[-1].states[ROOT]
    for (n, site, leg), how in faults.items():
        step = steps[n - 1]
        assert (site, leg, how) in step.faults
        mine = [m for m in step.messages if site in (m.src, m.dst) and m.kind == ("SyncRequest" if leg == "request"
                                                                                   else "SyncResponse")]
        # (an MV write to a key the site lacks fetches it first: a one-key request of the front end, unharmed)
        if how == "duplicate" and mine:
            assert any(m.copies == 2 for m in mine)
        if how == "drop" and mine:
            assert any(m.copies == 0 and m.arrived_ms is None for m in mine)


def test_a_dropped_message_is_marked_lost_and_its_keys_ride_again():
    steps = sync_walkthrough(faults={(3, "SYD", "response"): "drop"})
    response = [m for m in steps[2].messages if m.kind == "SyncResponse" and m.dst == "SYD"]
    assert response and response[0].copies == 0 and response[0].arrived_ms is None
    assert len(steps[3].messages) == 2 and "cart" in steps[3].messages[0].entries  # the quiet epoch is not
    dup = sync_walkthrough(faults={(1, "SYD", "request"): "duplicate"})
    assert dup[0].messages[0].copies == 2
    assert sum(m.kind == "SyncResponse" and m.dst == "SYD" for m in dup[0].messages) == 2  # answered twice


@pytest.mark.parametrize("faults, err, match", [
    ({(9, "SYD", "request"): "drop"}, ValueError, r"epoch in 1\.\.6"),
    ({(1, "CDG", "request"): "drop"}, ValueError, "a site of"),
    ({(1, "SYD", "request"): "lose"}, ValueError, "expected one of \\('drop', 'duplicate'\\)"),
    ([(1, "SYD", "request")], TypeError, "expected a dict"),
])
def test_walkthrough_faults_are_checked(faults, err, match):
    with pytest.raises(err, match=match):
        sync_walkthrough(faults=faults)


# -- finite capacity: LRU, dirty keys pinned ----------------------------------------------------------


def test_the_lru_story():
    s = lru_story()
    assert s[2].evicted == ("a",) and s[2].dirty == ("d",)  # the clean LRU key goes, not the new write
    assert s[3].got[0][2] is None and "a" in s[3].held  # a miss; the sync brings it back from the root
    assert sorted(s[4].held) == list("efgh") and s[4].over_capacity  # every key pinned: over, not lost
    assert s[5].synced is False and s[5].dirty == s[4].dirty  # a sync lost in the cut only delays
    assert s[6].synced is True and s[6].dirty == ()
    assert not s[7].over_capacity and len(s[7].held) == 3


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.lists(st.tuples(st.sampled_from(["read", "write"]), st.sampled_from("abcdef")),
                                   max_size=4),
                          st.booleans(), st.sampled_from([None, True, False])), min_size=1, max_size=8),
       st.integers(1, 3))
def test_a_dirty_key_is_never_evicted(raw, capacity):
    story = tuple((f"step {i}", tuple(ops), sync, cut) for i, (ops, sync, cut) in enumerate(raw))
    steps = lru_story(capacity, story)
    for prev, cur in zip(steps, steps[1:], strict=False):
        if cur.synced is not True:  # nothing acknowledged them: still held
            assert set(prev.dirty) <= set(cur.held), (prev, cur)
    for step in steps:
        assert set(step.dirty) <= set(step.held)


def test_lru_story_checks_its_input():
    with pytest.raises(ValueError, match="capacity=0"):
        lru_story(0)
    with pytest.raises(ValueError, match="story step 1"):
        lru_story(story=(("x", (("delete", "a"),), False, None),))
    with pytest.raises(TypeError, match="story="):
        lru_story(story="abc")


# -- API design: what a write must carry --------------------------------------------------------------


def test_a_write_with_the_clients_context_keeps_what_the_client_never_saw():
    with_ctx, without = context_story(True), context_story(False)
    assert with_ctx[2].after == ("bread", "eggs") and without[2].after == ("bread",)  # Ben's eggs
    assert with_ctx[3].sees == () and with_ctx[3].context == {"vv": {}, "cloud": []}  # a miss: empty context
    assert with_ctx[-1].after == ("bread", "eggs", "tea") and without[-1].after == ("bread", "tea")
    assert with_ctx[0].context_bytes > with_ctx[3].context_bytes > 0
    with pytest.raises(TypeError, match="client_context"):
        context_story("yes")


# -- who answers in a cut-off PoP -----------------------------------------------------------------------


def test_in_a_cut_off_pop_only_what_needs_the_far_side_fails():
    got = {case: isolated_op(case) for case in CASES}
    failing = {c for c, r in got.items() if not r.ok}
    assert failing == {"primary: write", "edge: MV write to a key Sydney lacks"}
    assert got["edge: read miss, answered as missing"].value is None
    blocking = got["edge: read miss, blocking fetch"]
    assert blocking.ok and blocking.value is None and blocking.latency_ms >= 1_000  # waits out the timeout
    assert got["edge: read of a key Sydney holds"].latency_ms < 1
    with pytest.raises(ValueError, match="case='nope'"):
        isolated_op("nope")


# -- an asynchronous primary loses what it acknowledged before replicating ------------------------------


def test_the_failover_world():
    calm = fo.failover_run()
    assert calm.lost == 0 and calm.acknowledged == len(fo.WRITE_TIMES_MS) and calm.restores == 0
    cut = fo.failover_run([Cut(1_000, "LHR", "*"), DiskLoss(2_000, "LHR"), Heal(3_000, "LHR", "*")])
    assert cut.lost == 4 and cut.lost_at_ms == (1_000.0, 1_250.0, 1_500.0, 1_750.0) and cut.restores == 1
    assert cut.settled and "4 acknowledged write(s) lost" in cut.verdict
    again = fo.failover_run(list(cut.faults))
    assert again == cut  # deterministic: same schedule, same run


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["cut", "crash", "replica"]), st.sampled_from(fo.FAILOVER_SITES),
                          st.floats(0, 4_000), st.floats(10, 2_000)), max_size=3))
def test_without_a_lost_disk_no_acknowledged_write_is_lost(faults):
    events = []
    for kind, node, at, length in faults:
        if kind == "cut":
            events += [Cut(at, node, "*"), Heal(at + length, node, "*")]
        elif kind == "crash":
            events += [Crash(at, node), Restart(at + length, node)]
        else:
            events += [DiskLoss(at, node)] if node != fo.PRIMARY else []
    run = fo.failover_run(events)
    assert run.settled and run.lost == 0, run.verdict


def test_the_lost_write_check_sees_a_restore_that_forgets_the_replicas(monkeypatch):
    """Mutation: a primary that restores from nothing loses every write, and the check says so."""
    assert fo.failover_run([DiskLoss(2_000, "LHR")]).lost == 0
    real = PrimaryPoP._restore

    def forgetful(self, ctx):
        self.restoring = {r: type(s)(s.term, ()) for r, s in self.restoring.items()}
        real(self, ctx)

    monkeypatch.setattr(PrimaryPoP, "_restore", forgetful)
    assert fo.failover_run([DiskLoss(2_000, "LHR")]).lost > 0


# -- guarantees: the consistency map, and sessions within and across PoPs -------------------------------


def test_chapter_5_rows_of_the_consistency_map():
    rows = {r["design"]: r for r in gu.edge_map_rows()}
    assert rows["asynchronous primary, local reads"] == dict(
        design="asynchronous primary, local reads", linearizable=False, london_writes_in_cut=False,
        washington_writes_in_cut=True)
    assert rows["asynchronous primary, reads at the primary"]["linearizable"] is True
    assert rows["hub and spoke"] == dict(design="hub and spoke", linearizable=False, london_writes_in_cut=True,
                                         washington_writes_in_cut=True)
    with pytest.raises(ValueError, match="expected one of"):
        gu.edge_map_rows(designs=("raft",))


def test_sessions_hold_within_a_pop_and_break_across_pops_at_the_edge():
    rows = {r["design"]: r for r in gu.session_table()}
    for r in rows.values():
        assert r["read-your-writes within"] == 0 and r["monotonic-reads within"] == 0
    edge = rows["hub and spoke"]
    assert edge["read-your-writes across"] > 0 and edge["monotonic-reads across"] > 0
    assert rows["asynchronous primary, reads at the primary"]["read-your-writes across"] == 0


def test_the_session_count_finds_a_pop_that_forgets_its_own_write():
    w = Operation("LHR", 0, 1, ("put", ("k", "1")))
    stale = Operation("LHR", 2, 3, ("get", "k"), "")
    moved = Operation("FRA", 2, 3, ("get", "k"), "")
    assert gu.sessions([w, stale], pairs=())["within"]["read-your-writes"] == 1
    assert gu.sessions([w, moved], pairs=[("FRA", "LHR")]) == {
        "within": {"read-your-writes": 0, "monotonic-reads": 0},
        "across": {"read-your-writes": 1, "monotonic-reads": 0}}
    assert gu.neighbours(["LHR", "FRA", "SYD"]) == {"LHR": "FRA", "FRA": "LHR", "SYD": "FRA"}
    with pytest.raises(ValueError, match="at least two sites"):
        gu.neighbours(["LHR"])


# -- a request's time, tier by tier; the figures of tiers -------------------------------------------------


def test_the_ladder_puts_each_tier_decades_apart():
    from edgekit import coordination as co
    from edgekit import geo
    from edgekit.edge.lab.ladder import request_ladder

    r = {x.label: x for x in request_ladder("SYD", root="LHR", origin="azure:eastus")}
    assert r["runtime cold start"].ms == co.COLD_START_MS
    assert r["client to its own PoP"].ms == geo.calibration().constant_ms  # routers and hosts, no distance
    assert r["PoP to the root"].ms == geo.estimate_rtt_ms("SYD", "LHR")
    assert (r["PoP to the root"].low, r["PoP to the root"].high) == geo.rtt_range_ms("SYD", "LHR")
    tiers = ["runtime cold start", "state inside the PoP", "client to its own PoP", "PoP to the root"]
    assert all(r[a].high < r[b].low for a, b in zip(tiers, tiers[1:], strict=False))
    last = r["miss at PoP and root: to the origin and back"]
    assert last.ms == r["PoP to the root"].ms + r["root to the origin"].ms


def test_tier_figures():
    from edgekit.edge.lab.ladder import request_ladder
    from edgekit.figures import edge_tiers as ft

    fig = ft.ladder_figure(request_ladder())
    assert fig.layout.xaxis.type == "log" and fig.layout.xaxis.dtick == 1 and len(fig.data[0].y) == 6
    lru = ft.lru_figure(lru_story())
    assert [t.name.split(" ")[0] for t in lru.data] == ["held,", "held,", "evicted"]
    assert "over!" in str(lru.layout.annotations) and list(lru.layout.xaxis.categoryarray)[0].startswith("1.")
    for build in (ft.ladder_figure, ft.lru_figure):
        with pytest.raises(ValueError, match="expected the result"):
            build([])


@pytest.mark.parametrize("call, err, match", [
    (lambda: __import__("edgekit.edge.lab.ladder", fromlist=["x"]).request_ladder(pop="XXX"), ValueError, "pop:"),
    (lambda: __import__("edgekit.edge.lab.ladder", fromlist=["x"]).request_ladder(origin=7), TypeError, "origin:"),
    (lambda: fo.failover_run([DiskLoss(-1, "LHR")]), ValueError, "at_ms=-1"),
    (lambda: fo.failover_run([Crash(10, "LHR")] * 21), ValueError, "at most 20"),
    (lambda: fo.failover_run(None), TypeError, "faults=None"),
    (lambda: isolated_op(3), ValueError, "case=3"),
    (lambda: gu.session_table(setup="big"), TypeError, "setup='big'"),
    (lambda: gu.session_table(designs=("raft",)), ValueError, r"designs\[0\]='raft'"),
    (lambda: gu.edge_map_rows(cut="nowhere"), ValueError, "nowhere"),
    (lambda: lru_story(capacity=2.5), ValueError, "capacity=2.5"),
    (lambda: sync_walkthrough(faults={(True, "SYD", "request"): "drop"}), ValueError, "epoch in"),
])
def test_chapter_5_experiments_name_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_the_comparison_table_has_a_row_per_design_read_from_its_record():
    from edgekit.edge.lab.compare import Setup, run, summary_rows

    setup = Setup(sites=("LHR", "IAD", "SYD"), rates=60.0, keys=6, ops=120)
    recs = [run(t, "none", setup, 1) for t in ("primary", "flat")]
    rows = summary_rows(recs)
    assert [r["design"] for r in rows] == [r.label for r in recs]
    for row, rec in zip(rows, recs, strict=True):
        assert row["write p50 ms"] == rec.write_all["p50"] and row["lost writes"] == rec.lost_writes
        assert row["failed ops"] == rec.failed_reads + rec.failed_writes
        assert row["stale reads %"] == 100 * rec.stale_fraction
    for bad in ([], [object()], recs[0]):
        with pytest.raises(TypeError, match="records=.*expected RunRecords"):
            summary_rows(bad)

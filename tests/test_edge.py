"""edgekit.edge, piece by piece: hashing, the LRU store, interest bookkeeping, one sync step.

The protocol tests drive a Site and an Upstream by hand (sans-IO, FakeContext):
messages are delivered, lost or duplicated exactly where a test says.
"""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgekit.crdt import LWWRegister
from edgekit.edge import (
    EdgeConfig,
    Interest,
    Meter,
    Site,
    Store,
    SyncRequest,
    SyncResponse,
    Topology,
    Upstream,
    rendezvous,
    wire_bytes,
)
from edgekit.edge.lab import Workload, site_ids
from edgekit.edge.testing import FakeContext
from edgekit.edge.values import VALUE_TYPES

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = [f"k{i}" for i in range(6)]

# -- rendezvous hashing ------------------------------------------------------------------------


@given(st.text(min_size=1, max_size=12), st.integers(2, 8), st.data())
@SETTINGS
def test_rendezvous_moves_only_the_removed_replicas_keys(key, m, data):
    names = [f"r{i}" for i in range(m)]
    n = data.draw(st.integers(1, m - 1))
    before = rendezvous(key, names, n)
    gone = data.draw(st.sampled_from(names))
    after = rendezvous(key, [r for r in names if r != gone], n)
    if gone not in before:
        assert after == before  # no ownership table, and no reshuffle either
    else:
        assert set(before) - {gone} <= set(after)


def test_rendezvous_is_the_same_in_every_process():
    # Fixed expectations: Python's hash() would change them from run to run.
    assert rendezvous("cart:42", ["r0", "r1", "r2", "r3"], 2) == ("r2", "r1")
    with pytest.raises(ValueError, match="n=0"):
        rendezvous("k", ["r0"], 0)


# -- the LRU store ------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.sampled_from(KEYS), st.booleans()), max_size=40), st.integers(1, 4))
@SETTINGS
def test_store_never_evicts_a_pinned_key(ops, capacity):
    store, pinned, model = Store(capacity), {}, {}
    for key, pin in ops:
        if pin:
            pinned[key] = None
        store.put(key, len(model), pinned)
        model[key] = len(model)
        assert all(k in store for k in pinned if k in model)
        # Over capacity only for pinned keys, plus a back-off after a scan found all pinned.
        assert len(store) <= 2 * max(capacity, len(pinned) + 1)
    for k, v in store.data.items():
        assert model[k] == v


def test_store_is_back_within_capacity_one_put_after_its_pins_clear():
    s = Store(2)
    pinned = {f"k{i}" for i in range(100)}
    for i in range(100):
        s.put(f"k{i}", i, pinned)
    assert len(s) == 100 and s.overflows >= 1  # every key pinned: over capacity, nothing lost
    s.put("free", 0)  # the sync completed: nothing is pinned any more
    assert len(s) == 2 and "free" in s


def test_store_evicts_least_recently_used():
    s = Store(2)
    s.put("a", 1)
    s.put("b", 2)
    s.get("a")
    s.put("c", 3)
    assert list(s.data) == ["a", "c"] and s.evictions == 1
    with pytest.raises(ValueError, match="capacity=0"):
        Store(0)


# -- interest bookkeeping -----------------------------------------------------------------------


def test_a_lost_response_keeps_the_interest():
    i = Interest()
    i.wrote("a")
    i.touch("b")
    sid, keys = i.begin()
    assert keys == ["a", "b"] and not i.touched
    sid2, keys2 = i.begin()  # no response yet: the next request carries them again
    assert keys2 == ["a", "b"]
    i.settle(sid2, keys2)
    assert not i.unacked and not i.dirty and not len(i)


def test_a_slow_response_still_settles_what_it_covers():
    # Round trip longer than the epoch: the answer to request 1 comes after request 2 left.
    i = Interest()
    i.wrote("a")
    sid1, keys1 = i.begin()
    i.wrote("a")  # a newer write, carried only by request 2
    sid2, keys2 = i.begin()
    i.settle(sid1, keys1)
    assert not i.unacked and list(i.dirty) == ["a"]  # delivered, but the newer write is not
    i.settle(sid2, keys2)
    assert not i.dirty


# -- one sync step, by hand ---------------------------------------------------------------------


def _pair(value_type="lww"):
    cfg = EdgeConfig(replicas=3, n=2, value_type=value_type)
    vt = VALUE_TYPES[value_type]
    site = Site("LHR", "hub:FRA", cfg)
    hub = Upstream("hub:FRA", "root:IAD", 1000.0, join=vt.join, bottom=vt.cls())
    return site, hub, FakeContext("LHR", now=10.0), FakeContext("hub:FRA", now=10.0)


def _sync(site, hub, sctx, hctx, *, deliver_response=True):
    sctx.sent.clear()
    hctx.sent.clear()
    site.sync(sctx)
    if not sctx.sent:
        return None, None
    (_, req), = sctx.sent
    hub.on_message(hctx, "LHR", req)
    (_, resp), = hctx.sent
    if deliver_response:
        site.on_message(sctx, "hub:FRA", resp)
    return req, resp


def _writes(site, hub, sctx, hctx, ops):
    """Apply (where, key, is_write) steps: writes at the site or hub, reads at the site."""
    n = 0
    for where, key, is_write in ops:
        n += 1
        if where == "site":
            site.write(sctx, key, n) if is_write else site.read(sctx, key)
        else:
            sctx.now += 1
            hub.merge_entries(hctx, {key: LWWRegister().assign("other", n, sctx.now)})
        sctx.now += 1


STEPS = st.lists(st.tuples(st.sampled_from(["site", "hub"]), st.sampled_from(KEYS), st.booleans()),
                 min_size=1, max_size=15)


@given(STEPS)
@SETTINGS
def test_after_a_completed_sync_touched_keys_are_equal_on_both_sides(steps):
    site, hub, sctx, hctx = _pair()
    _writes(site, hub, sctx, hctx, steps)
    touched = [k for w, k, _ in steps if w == "site"]
    req, resp = _sync(site, hub, sctx, hctx)
    for k in touched:
        assert site.state_of(k) == hub.state_of(k)
    assert not site.interest.dirty  # every write is safe upstream
    # Keys the hub had not got from above are "not here yet": the site asks again after the
    # hub's own sync with the root, and then everything is settled.
    assert set(site.interest.touched) <= set(touched)
    root = Upstream("root:IAD", None, 1000.0, join=VALUE_TYPES["lww"].join, bottom=LWWRegister())
    rctx = FakeContext("root:IAD")
    hctx.sent.clear()
    hub.sync(hctx)
    if hctx.sent:
        root.on_message(rctx, "hub:FRA", hctx.sent[0][1])
        hub.on_message(hctx, "root:IAD", rctx.sent[0][1])
    _sync(site, hub, sctx, hctx)
    assert not len(site.interest) and not site.interest.dirty
    for k in touched:
        assert site.state_of(k) == hub.state_of(k) == (root.state_of(k) or LWWRegister())


@given(STEPS)
@SETTINGS
def test_duplicated_syncs_change_nothing(steps):
    site, hub, sctx, hctx = _pair()
    _writes(site, hub, sctx, hctx, steps)
    req, resp = _sync(site, hub, sctx, hctx)
    if req is None:
        return
    before_hub = dict(hub.store.data)
    before_site = [dict(s.data) for s in site.stores]
    hctx.sent.clear()
    hub.on_message(hctx, "LHR", req)  # the request again (a duplicate or a retry)
    (_, again), = hctx.sent
    site.on_message(sctx, "hub:FRA", resp)  # and the response again
    site.on_message(sctx, "hub:FRA", again)
    assert dict(hub.store.data) == before_hub
    assert [dict(s.data) for s in site.stores] == before_site
    assert again.entries == resp.entries


@given(STEPS, STEPS)
@SETTINGS
def test_a_skipped_epoch_only_delays(first, second):
    site, hub, sctx, hctx = _pair()
    _writes(site, hub, sctx, hctx, first)
    _sync(site, hub, sctx, hctx, deliver_response=False)  # the response is lost
    _writes(site, hub, sctx, hctx, second)
    _sync(site, hub, sctx, hctx)  # the next epoch carries everything
    for k in {k for w, k, _ in first + second if w == "site"}:
        assert site.state_of(k) == hub.state_of(k)
    assert not site.interest.dirty and not site.interest.unacked


def test_a_write_during_a_sync_stays_dirty_until_the_next():
    site, hub, sctx, hctx = _pair()
    site.write(sctx, "k", 1)
    site.sync(sctx)
    (_, req), = sctx.sent
    site.write(sctx, "k", 2)  # after the request left
    hub.on_message(hctx, "LHR", req)
    site.on_message(sctx, "hub:FRA", hctx.sent[0][1])
    assert "k" in site.interest.dirty and site.state_of("k").value == 2
    assert hub.state_of("k").value == 1
    _sync(site, hub, sctx, hctx)
    assert hub.state_of("k").value == 2 and not site.interest.dirty


def test_missing_marker_and_bottom():
    site, hub, sctx, hctx = _pair()
    assert site.read(sctx, "new").state is None  # a read miss joins the interest set
    req, resp = _sync(site, hub, sctx, hctx)
    assert req.entries == {"new": None} and resp.entries == {"new": None}  # the hub lacks it too
    assert "new" in site.interest.touched  # "not here yet": asked again next epoch
    root = Upstream("root:IAD", None, 1000.0, join=VALUE_TYPES["lww"].join, bottom=LWWRegister())
    rctx = FakeContext("root:IAD")
    root.on_message(rctx, "hub:FRA", SyncRequest(1, {"new": None}))
    assert rctx.sent[0][1].entries == {"new": LWWRegister()}  # the root's word: never written


def test_a_hub_passes_through_what_it_could_not_keep():
    # A one-key hub below two keys' worth of interest: what it fetches for the site is evicted
    # before the site asks again. The second time it asks above at once and answers what came down.
    vt = VALUE_TYPES["lww"]
    site = Site("LHR", "hub:FRA", EdgeConfig(replicas=1, n=1))
    hub = Upstream("hub:FRA", "root:IAD", 1000.0, capacity=1, join=vt.join, bottom=vt.cls())
    sctx, hctx = FakeContext("LHR", now=10.0), FakeContext("hub:FRA", now=10.0)
    root = {k: LWWRegister().assign("IAD", v, 1.0) for k, v in (("a", 1), ("b", 2))}
    for k in root:
        site.read(sctx, k)
    req, resp = _sync(site, hub, sctx, hctx)
    assert resp.entries == {"a": None, "b": None} and set(hub.owed) == {"a", "b"}
    hctx.sent.clear()
    hub.sync(hctx)
    (_, up), = hctx.sent
    hub.on_message(hctx, "root:IAD", SyncResponse(up.sync_id, {k: root[k] for k in up.entries}))
    gone, = (k for k in root if k not in hub.held_keys())  # came down and was evicted at once
    sctx.sent.clear()
    hctx.sent.clear()
    site.sync(sctx)
    hub.on_message(hctx, "LHR", sctx.sent[0][1])
    (dst, fetch), = hctx.sent  # no answer yet: the request waits for the upstream
    assert dst == "root:IAD" and fetch.blocking and hub.passed_through == 1 and hub.busy()
    hctx.sent.clear()
    hub.on_message(hctx, "root:IAD", SyncResponse(fetch.sync_id, {k: root[k] for k in fetch.entries}))
    (_, answer), = hctx.sent
    site.on_message(sctx, "hub:FRA", answer)
    assert {k: site.state_of(k) for k in root} == root
    assert not len(site.interest) and not hub.owed
    assert gone not in hub.interest.touched  # fetched just now: not again at the hub's next epoch


def test_a_late_response_does_not_bring_back_an_evicted_key():
    i = Interest()
    i.touch("a")
    sid1, keys1 = i.begin()
    sid2, keys2 = i.begin()
    assert i.settle(sid2, keys2) == [] and i.settle(sid1, keys1) == ["a"]  # settled already: late
    site = Site("LHR", "hub:FRA", EdgeConfig(replicas=1, n=1, capacity=1))
    ctx = FakeContext("LHR", now=10.0)
    old, new = LWWRegister().assign("x", 1, 1.0), LWWRegister().assign("x", 2, 2.0)
    site.read(ctx, "a")
    site.sync(ctx)
    site.sync(ctx)
    (_, r1), (_, r2) = ctx.sent
    site.on_message(ctx, "hub:FRA", SyncResponse(r2.sync_id, {"a": new}))
    site.on_message(ctx, "hub:FRA", SyncResponse(r1.sync_id, {"a": old}))  # the slow one: joined
    assert site.state_of("a") == new
    site.write(ctx, "b", 1)  # capacity 1: "a" is clean, so it goes
    assert site.held_keys() == ["b"]
    site.on_message(ctx, "hub:FRA", SyncResponse(r1.sync_id, {"a": old}))  # a duplicate of it
    assert site.held_keys() == ["b"] and not len(site.interest.unacked)  # not back as a stale copy


def test_read_repair_fixes_a_replica_that_was_down():
    site, hub, sctx, hctx = _pair()
    where = site._table.get("k") or __import__("edgekit.edge.site", fromlist=["x"]).placement("k", 3, 2)
    site.set_replica(where[0], up=False)
    site.write(sctx, "k", 7)
    site.set_replica(where[0], up=True)
    assert site.stores[where[0]].peek("k") is None
    site.read(sctx, "k")
    assert site.repairs == 1 and site.stores[where[0]].peek("k").value == 7


def test_a_slow_replica_is_not_merged_or_repaired():
    site, hub, sctx, hctx = _pair()
    site.write(sctx, "k", 1)
    where = site._table["k"]
    site.set_replica(where[0], slow_ms=500.0)  # answers after the 75 ms gather timer
    site.set_replica(where[1], up=False)
    site.write(sctx, "k", 2)  # reaches the slow one, late
    site.set_replica(where[1], up=True)
    out = site.read(sctx, "k")
    assert out.latency_ms < 1.0 and out.value == 1  # first reply: the stale, fast replica
    assert site.stores[where[1]].peek("k").value == 1 and site.repairs == 0
    with pytest.raises(ValueError, match="index=9"):
        site.set_replica(9)


def test_actor_leases_never_reuse_a_dot_after_eviction():
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, value_type="gcounter")
    site = Site("LHR", "hub:FRA", cfg)
    ctx = FakeContext("LHR")
    site.write(ctx, "a", 1)
    first = site.state_of("a")
    site.interest.dirty.clear()  # pretend a sync acknowledged it
    site.write(ctx, "b", 2)  # evicts "a"
    site.interest.dirty.clear()
    assert site.state_of("a") is None
    site.write(ctx, "a", 3)  # starts from nothing: it must act as a new actor
    assert (first | site.state_of("a")).value == 2


# -- messages and their size ----------------------------------------------------------------------


@given(st.dictionaries(st.text(max_size=6), st.one_of(st.none(), st.integers(-5, 10**6)), max_size=6),
       st.integers(1, 10**6), st.booleans())
@SETTINGS
def test_meter_counts_exactly_the_json_bytes(entries, sid, blocking):
    values = {k: None if v is None else LWWRegister().assign("LHR", v, float(v)) for k, v in entries.items()}
    m = Meter()
    for msg in (SyncRequest(sid, values, blocking), SyncResponse(sid, values)):
        assert m.size(msg) == wire_bytes(msg) == len(json.dumps(msg.to_json()))


# -- configuration and topology errors --------------------------------------------------------------


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "n=0"),
    ({"epoch_ms": 0}, "epoch_ms=0"),
    ({"epoch_ms": -5}, "epoch_ms=-5"),
    ({"replicas": 2, "n": 3}, "n=3"),
    ({"capacity": 0}, "capacity=0"),
    ({"read_miss": "wait"}, "read_miss='wait'"),
    ({"value_type": "lwww"}, "value_type='lwww'"),
    ({"clock": "atomic"}, "clock='atomic'"),
])
def test_bad_configuration_is_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EdgeConfig(**kwargs)


def test_bad_topologies_are_named():
    with pytest.raises(ValueError, match="its own descendant"):
        Topology.from_parents({"LHR": "hub:FRA", "hub:FRA": "hub:AMS", "hub:AMS": "hub:FRA"})
    with pytest.raises(ValueError, match="its own descendant"):
        Topology({"LHR": "LHR"})
    with pytest.raises(ValueError, match="code='XYZ'"):
        Topology.from_parents({"XYZ": "root:IAD"})
    with pytest.raises(ValueError, match="not a node of this topology"):
        Topology({"LHR": "hub:FRA", "root:IAD": None})
    with pytest.raises(ValueError, match="2 roots"):
        Topology({"LHR": None, "SYD": None})
    with pytest.raises(ValueError, match="capacity=10"):
        Upstream("root:IAD", None, 1000.0, capacity=10)


def test_topologies_from_geography():
    sites = ["LHR", "CDG", "FRA", "SYD", "MEL", "NRT", "IAD", "LAX"]
    tree = Topology.tree(sites)
    assert tree.depth == 2 and set(tree.sites) == set(sites)
    assert {tree.upstream["LHR"], tree.upstream["SYD"]} <= set(tree.hubs)
    assert tree.upstream["LHR"] == tree.upstream["CDG"] != tree.upstream["SYD"]
    flat = Topology.flat(sites)
    assert flat.depth == 1 and flat.hubs == () and flat.root.startswith("root:")
    busy = Topology.flat(sites, weights={s: (100.0 if s in ("SYD", "MEL") else 1.0) for s in sites})
    assert busy.root in ("root:SYD", "root:MEL")  # the root moves toward the requests


# -- the workload -----------------------------------------------------------------------------------


def test_workload_is_seeded_zipf_and_follows_rates():
    w = Workload(("LHR", "SYD"), keys=50, ops=4_000, rates={"LHR": 300.0, "SYD": 100.0}, seed=4)
    ops = list(w)
    assert ops == list(w) and ops != list(Workload(**{**w.__dict__, "seed": 5}))
    assert all(a[0] < b[0] for a, b in zip(ops, ops[1:], strict=False))
    lhr = sum(1 for _, s, _, _ in ops if s == 0) / len(ops)
    assert 0.7 < lhr < 0.8
    counts = [0] * 50
    for _, _, k, _ in ops:
        counts[k] += 1
    assert counts[0] == max(counts) and counts[0] > 5 * counts[40]
    writes = sum(1 for op in ops if op[3]) / len(ops)
    assert 0.15 < writes < 0.25
    with pytest.raises(ValueError, match="write_fraction=2"):
        Workload(("LHR",), write_fraction=2)
    with pytest.raises(ValueError, match="no rate for sites"):
        Workload(("LHR", "SYD"), rates={"LHR": 1.0})


def test_site_ids_are_distinct_real_pops_and_say_when_data_runs_out():
    from edgekit import geo

    pops = [p.code for p in geo.places() if p.kind == "pop"]
    assert site_ids(100) == tuple(pops[:100]) and len(set(site_ids(100))) == 100
    assert site_ids(len(pops)) == tuple(pops)
    with pytest.raises(ValueError, match=f"count={len(pops) + 1}: .*only {len(pops)} places"):
        site_ids(len(pops) + 1)
    more = site_ids(len(pops) + 2, second_sites=True)
    assert more[len(pops):] == (f"{pops[0]}#2", f"{pops[1]}#2")
    with pytest.raises(ValueError, match="count=0"):
        site_ids(0)


@pytest.mark.parametrize("seed", range(6))
def test_random_faults_on_one_continent_cut_no_region_and_run(seed):
    """Every node in Europe: a region cut would have nobody on the other side."""
    from edgekit.edge.lab import random_faults, run_edge
    from edgekit.sim import Cut, FaultModel

    w = Workload(["LHR", "CDG", "FRA", "AMS"], keys=4, ops=60, rates=40.0, seed=seed)
    topo = Topology.tree(w.sites)
    events = random_faults(random.Random(seed), topo, w.duration_ms, count=6)
    assert not any(isinstance(e, Cut) and e.side_a == ("Europe",) for e in events)
    run = run_edge(w, topology=topo, faults=FaultModel(timeline=events), seed=seed)
    assert run.lost.lost == 0 and run.client_ops > 0


def test_random_faults_are_seeded_and_heal():
    tree = Topology.tree(["LHR", "CDG", "SYD", "NRT"])
    from edgekit.edge.lab import random_faults

    a = random_faults(random.Random(3), tree, 5_000.0, count=4)
    assert a == random_faults(random.Random(3), tree, 5_000.0, count=4)
    assert all(e.at_ms <= 5_000.0 for e in a) and len(a) == 8

"""edgekit.edge, piece by piece: hashing, the store, interest bookkeeping, sizes, configuration.

The protocol driven by hand is in test_edge_protocol.py; the whole system in test_edge_system.py.
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
    SyncRequest,
    SyncResponse,
    Topology,
    placement,
    rendezvous,
    wire_bytes,
)
from edgekit.edge.hashing import CACHE_KEYS, placement_table
from edgekit.edge.lab import (
    Workload,
    random_faults,
    region_cut,
    run_edge,
    site_ids,
    site_isolated,
    upstream_down,
)
from edgekit.edge.store import MemoryStore
from edgekit.sim import Cut, DiskLoss, FaultModel

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
    with pytest.raises(TypeError, match="replicas='r0r1'"):
        rendezvous("k", "r0r1", 1)


def test_the_placement_cache_is_bounded():
    table = placement_table(3, 2)
    for i in range(CACHE_KEYS + 10):
        placement(f"key{i}", 3, 2)
    assert len(table) <= CACHE_KEYS and table is placement_table(3, 2)
    assert placement("key5", 3, 2) == tuple(int(r[1:]) for r in rendezvous("key5", ["r0", "r1", "r2"], 2))
    with pytest.raises(ValueError, match="replicas=0"):
        placement("k", 0, 1)


# -- the LRU store ------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.sampled_from(KEYS), st.booleans()), max_size=40), st.integers(1, 4))
@SETTINGS
def test_store_never_evicts_a_dirty_key(ops, capacity):
    store, model = MemoryStore(capacity), {}
    for key, dirty in ops:
        if dirty:
            store.dirty[key] = store.next_seq()
        store.put(key, len(model))
        model[key] = len(model)
        assert all(k in store for k in store.dirty)
        # Over capacity only for pinned keys, plus a back-off after a scan found all pinned.
        assert len(store) <= 2 * max(capacity, len(store.dirty) + 1)
    for k in store.keys():
        assert model[k] == store.peek(k)


def test_store_is_back_within_capacity_one_put_after_its_pins_clear():
    s = MemoryStore(2)
    for i in range(100):
        s.dirty[f"k{i}"] = s.next_seq()
        s.put(f"k{i}", i)
    assert len(s) == 100 and s.overflows >= 1  # every key pinned: over capacity, nothing lost
    s.dirty.clear()  # the sync completed: nothing is pinned any more
    s.put("free", 0)
    assert len(s) == 2 and "free" in s


def test_store_evicts_least_recently_used_and_a_lost_disk_forgets_everything():
    s = MemoryStore(2)
    s.put("a", 1)
    s.put("b", 2)
    s.get("a")
    s.put("c", 3)
    assert list(s.keys()) == ["a", "c"] and s.evictions == 1
    s.dirty["a"] = s.next_seq()
    s.wipe()
    assert len(s) == 0 and not s.dirty and s.wseq == 0
    with pytest.raises(ValueError, match="capacity=0"):
        MemoryStore(0)


# -- interest bookkeeping -----------------------------------------------------------------------


def test_a_lost_response_keeps_the_interest():
    i = Interest(MemoryStore())
    i.wrote("a")
    i.touch("b")
    sid, keys = i.begin()
    assert keys == ["a", "b"] and not i.touched
    sid2, keys2 = i.begin()  # no response yet: the next request carries them again
    assert keys2 == ["a", "b"]
    i.settle(sid2, dict.fromkeys(keys2, 1))
    assert not i.unacked and not i.dirty and not len(i)


def test_a_slow_response_still_settles_what_it_covers():
    # Round trip longer than the epoch: the answer to request 1 comes after request 2 left.
    i = Interest(MemoryStore())
    i.wrote("a")
    sid1, keys1 = i.begin()
    i.wrote("a")  # a newer write, carried only by request 2
    sid2, keys2 = i.begin()
    i.settle(sid1, dict.fromkeys(keys1, 1))
    assert not i.unacked and list(i.dirty) == ["a"]  # delivered, but the newer write is not
    i.settle(sid2, dict.fromkeys(keys2, 1))
    assert not i.dirty


def test_not_here_yet_settles_nothing_and_a_restart_rides_the_dirty_keys_again():
    store = MemoryStore()
    i = Interest(store)
    i.wrote("a")
    sid, keys = i.begin()
    i.settle(sid, {"a": None})  # the upstream could not vouch for it
    assert "a" in i.dirty and "a" in i.touched
    i.begin()
    i.forget()  # a crash: the volatile part is gone, the marks (on disk) are not
    assert not i.unacked and list(i.touched) == ["a"] and i.dirty is store.dirty


def test_a_late_response_does_not_bring_back_an_evicted_key():
    i = Interest(MemoryStore())
    i.touch("a")
    sid1, keys1 = i.begin()
    sid2, keys2 = i.begin()
    assert i.settle(sid2, {"a": 2}) == [] and i.settle(sid1, {"a": 1}) == ["a"]  # settled already: late


# -- messages and their size ----------------------------------------------------------------------


@given(st.dictionaries(st.text(min_size=1, max_size=6), st.one_of(st.none(), st.integers(-5, 10**6)), max_size=6),
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
    ({"write_quorum": 3}, "write_quorum=3"),
    ({"write_quorum": 0}, "write_quorum=0"),
    ({"epoch_ms": 1e-6}, "epoch_ms=1e-06: expected at least 1 ms"),
    ({"hub_epoch_ms": 0.5}, "hub_epoch_ms=0.5"),
    ({"gather_ms": float("nan")}, "gather_ms=nan"),
    ({"gather_ms": 80.0, "miss_timeout_ms": 50.0}, "miss_timeout_ms=50.0"),
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
    with pytest.raises(ValueError, match="without '/'"):
        Topology({"LHR/r1": None})


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
    w = Workload(["LHR", "CDG", "FRA", "AMS"], keys=4, ops=60, rates=40.0, seed=seed)
    topo = Topology.tree(w.sites)
    events = random_faults(random.Random(seed), topo, w.duration_ms, count=6)
    assert not any(isinstance(e, Cut) and e.side_a == ("Europe",) for e in events)
    run = run_edge(w, topology=topo, faults=FaultModel(timeline=events), seed=seed)
    assert run.lost.lost == 0 and run.client_ops > 0


def test_random_faults_are_seeded_heal_and_draw_replica_faults():
    tree = Topology.tree(["LHR", "CDG", "SYD", "NRT"])
    a = random_faults(random.Random(3), tree, 5_000.0, count=4)
    assert a == random_faults(random.Random(3), tree, 5_000.0, count=4)
    assert all(e.at_ms <= 5_000.0 for e in a) and len(a) == 8
    cfg = EdgeConfig(write_quorum=2)
    many = random_faults(random.Random(4), tree, 5_000.0, count=200, config=cfg)
    kinds = {type(e).__name__ for e in many}
    assert kinds == {"Cut", "Heal", "Crash", "Restart", "Slow", "DiskLoss"}
    lost = [e.node for e in many if isinstance(e, DiskLoss)]
    assert len({n.split("/")[0] for n in lost}) == len(lost) <= len(tree.sites)  # one per site
    assert all(n.split("/")[0] in tree.sites for n in lost)
    assert not any(isinstance(e, DiskLoss) for e in random_faults(random.Random(4), tree, 5_000.0, count=200,
                                                                   config=EdgeConfig()))  # w = 1: no promise


@pytest.mark.parametrize("call, match", [
    (lambda: site_isolated("LHR", 1_000.0, 500.0), "heal_ms=500.0: expected a time >= at_ms=1000.0"),
    (lambda: upstream_down("hub:FRA", 10.0, 5.0), "restart_ms=5.0"),
    (lambda: region_cut("Europe", 10.0, float("nan")), "heal_ms=nan"),
    (lambda: region_cut("Europe", -1.0, 5.0), "at_ms=-1.0"),
    (lambda: site_isolated("", 0.0, 5.0), "site=''"),
    (lambda: site_isolated(None, 0.0, 5.0), "site=None"),
    (lambda: random_faults(random.Random(1), Topology.flat(["LHR"]), 100.0, count=-1), "count=-1"),
    (lambda: random_faults(1, Topology.flat(["LHR"]), 100.0), "rng=1"),
    (lambda: random_faults(random.Random(1), Topology.flat(["LHR"]), 100.0, kinds=("disk",)), "need config"),
])
def test_fault_helpers_reject_nonsense(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


@pytest.mark.parametrize("kwargs, match", [
    ({"keys": 10**9}, "keys=1000000000: expected an integer in 1..1,000,000"),
    ({"ops": 0}, "ops=0"),
    ({"rates": float("inf")}, "rates=inf"),
    ({"rates": float("nan")}, "rates=nan"),
    ({"rates": "fast"}, "rates: 'fast'"),
    ({"zipf_s": float("nan")}, "zipf_s=nan"),
    ({"seed": 1.5}, "seed=1.5"),
    ({"sites": ("LHR", "LHR")}, "distinct site ids"),
])
def test_workload_rejects_nonsense(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        Workload(**{"sites": ("LHR", "SYD"), **kwargs})

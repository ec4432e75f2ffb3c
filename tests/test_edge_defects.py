"""Regression tests for the four defects of issue 11, written against the API before the fix.

Each test is marked ``xfail(strict=True)``: it fails on the code as it is, and the mark turns
into an error the moment it passes, so the fix must convert it.
"""

from __future__ import annotations

import pytest

from edgekit.edge import EdgeConfig, EdgeSystem, Topology
from edgekit.edge.site import Site, placement
from edgekit.edge.testing import FakeContext
from edgekit.sim import FaultModel, LinkFaults

pytestmark = pytest.mark.xfail(strict=True, reason="issue 11: fails on the code before the fix")


def _quiet(system, ms=3_000.0):
    """Let the protocol's own epochs run (no settle(), no repair pass)."""
    system.sim.run(until=system.sim.now + ms)


def test_1_a_replica_down_at_sync_time_does_not_launder_a_write():
    cfg = EdgeConfig(replicas=2, n=1, capacity=1, epoch_ms=100.0)
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=1)
    site, ctx = system.sites["LHR"], system.contexts["LHR"]
    system.sim.run(until=10.0)
    out = site.write(ctx, "k0", 1)
    assert out.ok
    holder = placement("k0", 2, 1)[0]
    site.set_replica(holder, up=False)  # down before the next epoch: the request carries k0 missing
    system.sim.run(until=400.0)
    site.set_replica(holder, up=True)
    others = [k for k in (f"x{i}" for i in range(50)) if placement(k, 2, 1)[0] == holder][:3]
    for i, k in enumerate(others):  # LRU pressure on the replica that holds k0
        site.write(ctx, k, 10 + i)
        system.sim.run(until=system.sim.now + 10.0)
    _quiet(system)
    root = system.root.state_of("k0")
    assert root is not None and out.state <= root


def _evicting_site(value_type):
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=100.0, value_type=value_type)
    system = EdgeSystem(Topology.flat(["LHR"], root="FRA"), cfg, seed=2)
    return system, system.sites["LHR"], system.contexts["LHR"]


def _write(system, site, ctx, key, i):
    out = site.write(ctx, key, i)
    _quiet(system, 500.0)  # synced: clean, so evictable
    return out


def test_2_an_mv_write_replaces_the_sibling_its_site_wrote_before():
    system, site, ctx = _evicting_site("mv")
    _write(system, site, ctx, "k0", 1)
    _write(system, site, ctx, "k1", 2)  # evicts k0
    _write(system, site, ctx, "k0", 3)  # the same site writes k0 again: it had seen 1
    _quiet(system)
    assert system.root.state_of("k0").value == frozenset({3})


def test_2_removing_an_element_the_site_added_removes_it():
    system, site, ctx = _evicting_site("orset")
    _write(system, site, ctx, "k0", 1)  # adds 1
    _write(system, site, ctx, "k1", 4)  # evicts k0
    _write(system, site, ctx, "k0", 17)  # 17 % 3 == 2: removes 17 % 8 == 1
    _quiet(system)
    assert 1 not in system.root.state_of("k0").value


def test_2_a_counter_read_right_after_a_write_shows_every_increment_of_the_site():
    system, site, ctx = _evicting_site("gcounter")
    for i in (1, 2):
        _write(system, site, ctx, "k0", i)
    _write(system, site, ctx, "k1", 3)  # evicts k0
    site.write(ctx, "k0", 4)
    assert site.read(ctx, "k0").value == 3


def test_3_a_blocking_read_answers_what_its_sync_brought():
    # LHR's link to the root reorders: with this seed the read's one-key sync is answered after
    # the next epoch's, which settles k0; LHR's writes then evict it before the read's answer.
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=100.0, read_miss="block")
    fm = FaultModel(links={("LHR", "root:SIN"): LinkFaults(reorder=1.0, reorder_ms=400.0)})
    system = EdgeSystem(Topology.flat(["LHR", "SYD"], root="SIN"), cfg, seed=8, faults=fm)
    syd, lhr = system.sites["SYD"], system.sites["LHR"]
    sctx, lctx = system.contexts["SYD"], system.contexts["LHR"]
    system.sim.run(until=10.0)
    syd.write(sctx, "k0", 7)
    _quiet(system)
    answers = []
    lhr.obs = type("Obs", (), {"watched": {}, "seen": lambda *a: None, "write": lambda *a: None,
                             "read": lambda self, t, site, key, out: answers.append(out.value)})()
    lhr.read(lctx, "k0")  # a miss: blocks on a one-key sync with the root
    for i in range(120):
        system.sim.run(until=system.sim.now + 5.0)
        lhr.write(lctx, f"w{i}", 100 + i)
    _quiet(system)
    assert answers == [7]


def test_4_the_gather_timer_starts_at_the_first_reply_and_the_client_gets_the_merge():
    cfg = EdgeConfig(replicas=2, n=2, gather_ms=75.0)
    site, ctx = Site("LHR", None, cfg), FakeContext("LHR", now=1_000.0)
    site.write(ctx, "k", 1)
    site.set_replica(0, up=False)
    ctx.now += 1_000.0
    site.write(ctx, "k", 2)  # replica 1 only
    site.set_replica(0, up=True, slow_ms=50.0)  # stale, answers first (at ~50 ms)
    site.set_replica(1, up=True, slow_ms=100.0)  # fresh, answers within 75 ms of the first reply
    ctx.now += 1_000.0
    out = site.read(ctx, "k")
    assert out.value == 2

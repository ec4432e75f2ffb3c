"""Evidence that can fail: break a mechanism that protects acknowledged writes, and the checks see it.

Each test runs one scenario twice: as the code is (no write lost) and with one mechanism
switched off by a monkeypatch (the checker reports lost writes). A check that passed in
both cases would prove nothing; these show that the lost-write check
(``edgekit.edge.lab.checks.check_writes``, run after the protocol's own quiet epochs) can fail.
"""

from __future__ import annotations

import pytest

from edgekit.edge import EdgeConfig, EdgeSystem, Topology
from edgekit.edge.lab import site_isolated
from edgekit.edge.store import MemoryStore
from edgekit.edge.sync import Interest
from edgekit.sim import FaultModel


def _isolated_writer(value_type="lww"):
    """A one-key store at a site cut off while it writes many keys: only pins keep them."""
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=100.0, value_type=value_type)
    faults = FaultModel(timeline=site_isolated("LHR", 50.0, 3_000.0))
    system = EdgeSystem(Topology.flat(["LHR", "SYD"], root="SIN"), cfg, seed=4, faults=faults)
    system.sim.run(until=100.0)
    for i in range(12):
        system.call("LHR", "write", f"k{i}")
    system.settle()
    return system.lost_writes()


def _write_during_a_sync():
    """A write lands while a sync of the same key is in flight; the old answer must not clean it."""
    cfg = EdgeConfig(replicas=1, n=1, capacity=1, epoch_ms=1_000.0)
    system = EdgeSystem(Topology.flat(["LHR"], root="SYD"), cfg, seed=5)  # a round trip of about 250 ms
    sim, replica = system.sim, system.replicas["LHR/r0"]
    system.call("LHR", "write", "k0")
    while not replica.interest.unacked:  # the next epoch's request carries k0
        sim.run(until=sim.now + 1.0)
    system.call("LHR", "write", "k0")  # newer than what is in flight
    sim.run(until=sim.now + 400.0)  # the answer to the older request arrives; the next epoch is far
    system.call("LHR", "write", "k1")  # LRU pressure: k0 must still be pinned
    system.settle()
    return system.lost_writes()


def test_no_write_is_lost_as_the_code_is():
    assert _isolated_writer().ok and _isolated_writer("gcounter").ok
    assert _write_during_a_sync().ok


def test_without_pinning_unsynced_writes_the_check_finds_lost_writes(monkeypatch):
    monkeypatch.setattr(MemoryStore, "shrink", lambda self, pinned: self._evict(()))  # pins ignored
    verdict = _isolated_writer()
    assert verdict.lost > 0 and ("lost", verdict.lost) in verdict.kinds
    assert "is not in the final state" in verdict.problems[0]


def test_clearing_dirty_marks_on_any_response_loses_writes(monkeypatch):
    real = Interest.settle

    def settle(self, sid, entries):
        late = real(self, sid, entries)
        for k in entries:
            self.dirty.pop(k, None)  # the mutation: any answer counts as safe
        return late

    monkeypatch.setattr(Interest, "settle", settle)
    verdict = _write_during_a_sync()
    assert verdict.lost > 0


@pytest.mark.parametrize("mutation", ["none_settles", "quorum_ignored"])
def test_the_other_guards_of_a_clean_key_are_needed_too(monkeypatch, mutation):
    """A 'not here yet' answer must not clean a key (issue 11, defect 1), and an upstream must not
    answer a key fewer than write_quorum of its replicas merged."""
    from edgekit.edge.upstream import Upstream

    if mutation == "none_settles":
        real = Interest.settle

        def settle(self, sid, entries):
            return real(self, sid, {k: (1 if v is None else v) for k, v in entries.items()})

        monkeypatch.setattr(Interest, "settle", settle)
    else:
        monkeypatch.setattr(Upstream, "close", _close_without_quorum(Upstream.close))
    cfg = EdgeConfig(replicas=2, n=2, write_quorum=2, capacity=1, epoch_ms=100.0)
    system = _hub_cut_off(cfg)
    assert system.lost_writes().lost > 0


def test_the_same_scenario_loses_nothing_as_the_code_is():
    system = _hub_cut_off(EdgeConfig(replicas=2, n=2, write_quorum=2, capacity=1, epoch_ms=100.0))
    assert system.lost_writes().ok


def _hub_cut_off(cfg):
    """The hub's replicas are cut off for 5 s while the site writes a new key every 150 ms: its
    syncs are answered "ask again", and only pins keep its writes until the hub is back."""
    cut = (*site_isolated("hub:FRA/r0", 0.0, 5_000.0), *site_isolated("hub:FRA/r1", 0.0, 5_000.0))
    topo = Topology.from_parents({"LHR": "hub:FRA", "hub:FRA": "root:IAD", "root:IAD": None})
    system = EdgeSystem(topo, cfg, seed=6, faults=FaultModel(timeline=cut))
    system.sim.run(until=10.0)
    for i in range(30):
        system.call("LHR", "write", f"k{i}")
        system.sim.run(until=system.sim.now + 150.0)
    system.settle()
    return system


def _close_without_quorum(real):
    def close(self, ctx, r):
        for i in range(len(self.replica_ids)):  # as if every replica had merged every entry in time
            answered = r.got.get(i, {})
            r.got[i] = {k: sent if answered.get(k) is None and self.upstream is not None else answered.get(k)
                        for k, sent in r.entries.items()}
        return real(self, ctx, r)

    return close

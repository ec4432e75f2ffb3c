"""Overlapping quorums (R + W > N) that are still not linearizable, and the runs that are."""

import pytest

from edgekit.consistency import Workload
from edgekit.consistency.caveats import new_old_inversion, skewed_coordinator


def test_a_slow_coordinator_clock_breaks_a_strict_quorum_and_a_true_clock_does_not():
    skewed = skewed_coordinator(-300.0)
    assert skewed.store.r + skewed.store.w > skewed.store.n
    verdict = skewed.check()
    assert verdict.ok is False
    assert "client SYD: write" in verdict.explain()  # the write stamped with the slow clock is named
    assert skewed_coordinator(0.0).check().ok  # same seed and workload, every clock true


@pytest.mark.parametrize("read_repair", [True, False])
def test_dynamo_returns_new_then_old_while_a_write_is_in_flight(read_repair):
    res = new_old_inversion(read_repair=read_repair)
    w, first, second = res.ops
    assert w.op == "write" and first.read == w.value and second.read is None
    assert first.ret < second.call < second.ret < w.ret  # both reads overlap the write, one after the other
    assert res.check().ok is False


def test_abd_writes_back_before_answering_and_stays_linearizable():
    res = new_old_inversion(store="quorum")
    assert res.check().ok and all(o.ok for o in res.ops)


def test_a_script_drives_clients_and_bad_entries_are_named():
    res = new_old_inversion()
    assert [(o.site, o.op, round(o.call)) for o in res.ops] == [("IAD", "write", 0), ("ORD", "read", 20),
                                                                ("FRA", "read", 150)]
    with pytest.raises(ValueError, match=r"script entry \('LHR', -1, 'read'\): expected \(site, at_ms >= 0"):
        Workload(script=[("LHR", -1, "read")])
    with pytest.raises(ValueError, match=r"script entry"):
        Workload(script=[("LHR", 5, "delete")])


def test_every_store_is_named_in_the_kits_one_vocabulary():
    from edgekit.consistency import Available, Dynamo, Primary, Quorum
    from edgekit.coordination import DESIGNS

    specs = [Primary(acks=a) for a in ("all", "majority", "none")] + [Quorum(), Dynamo(), Available()]
    names = [s.design for s in specs]
    assert names[:3] == ["synchronous primary", "majority quorum (led by the primary)", "asynchronous primary"]
    assert all(any(n.startswith(d) for d in DESIGNS) for n in names)


def test_an_asynchronous_primary_answers_before_its_backups_have_the_write():
    from edgekit.consistency import Primary, run_store
    from edgekit.consistency.scenarios import CAP_WORKLOAD, cap_faults

    sites = ["IAD", "ORD", "LHR", "FRA"]
    fm = cap_faults("transatlantic cut", sites)
    sync, async_ = (run_store(Primary(acks=a), sites, fm, CAP_WORKLOAD, seed=0) for a in ("all", "none"))
    cut = (500.0, 2_500.0)
    # Under the cut, the synchronous primary cannot commit a write; the asynchronous one commits at once.
    assert sync.stats(*cut)["IAD"].availability < 1 == async_.stats(*cut)["IAD"].availability
    writes = [o for o in async_.ops if o.site == "IAD" and o.op == "write" and o.ok]
    assert writes and max(o.latency_ms for o in writes) < 5


def test_the_consistency_map_separates_linearizability_from_availability():
    from edgekit.consistency.caveats import consistency_map

    rows = {r["design"]: r for r in consistency_map()}
    assert rows["synchronous primary (IAD)"]["linearizable"] and not rows["synchronous primary (IAD)"][
        "washington_writes_in_cut"]  # a backup is cut off: even the primary's own site cannot commit
    assert rows["majority quorum led by IAD"]["washington_writes_in_cut"]  # a majority is enough
    assert not rows["asynchronous primary (IAD)"]["london_writes_in_cut"]  # async is not local
    assert rows["local write (AP)"]["london_writes_in_cut"] and not rows["local write (AP)"]["linearizable"]
    # Whoever can write in a cut on both sides is not linearizable: CAP, read off the map.
    assert all(not r["linearizable"] for r in rows.values()
               if r["london_writes_in_cut"] and r["washington_writes_in_cut"])

"""What a learner can get wrong, every public function of edgekit.edge says so (issue 12).

Each probe is a call a learner (or a notebook widget) could make; each must raise a
ValueError or TypeError whose message names the parameter and the bad value, never a
KeyError, an AttributeError, a hang or silently wrong numbers.
"""

from __future__ import annotations

import pytest

from edgekit.edge import EdgeConfig, EdgeSystem, Topology, decode
from edgekit.edge.lab import Workload, distribution, percentile, run_edge, site_ids
from edgekit.edge.lab.checks import check_writes
from edgekit.edge.lab.compare import Setup, run
from edgekit.edge.lab.complications import epoch_sweep
from edgekit.edge.lab.replicas import replica_faults, writer_ids
from edgekit.edge.lab.stepper import site_inside, sync_walkthrough

W = Workload(("LHR", "SYD"), keys=5, ops=20)
TOPO = Topology.flat(["LHR", "SYD"], root="FRA")


def _system():
    return EdgeSystem(TOPO, EdgeConfig(epoch_ms=100.0))


PROBES = [
    # run_edge and its records
    (lambda: run_edge(W, probe_every=0), ValueError, "probe_every=0"),
    (lambda: run_edge(W, staleness_every=-1), ValueError, "staleness_every=-1"),
    (lambda: run_edge(W, config={}), TypeError, "config={}: expected an edgekit.edge.EdgeConfig"),
    (lambda: run_edge(W, faults=[]), TypeError, "faults=\\[\\]"),
    (lambda: run_edge("LHR"), TypeError, "workload='LHR'"),
    (lambda: run_edge(W, topology="ring"), ValueError, "topology='ring'"),
    (lambda: distribution([1.0, float("nan"), 3.0]), ValueError, "NaN"),
    (lambda: distribution([1.0, "2"]), TypeError, "'2' is not a number"),
    (lambda: distribution(5), TypeError, "xs=5"),
    (lambda: percentile([1.0], 101), ValueError, "q=101"),
    (lambda: percentile([float("nan")], 50), ValueError, "NaN"),
    # configuration, degenerate included
    (lambda: EdgeConfig(epoch_ms=1e-6), ValueError, "epoch_ms=1e-06"),
    (lambda: EdgeConfig(write_quorum=True), ValueError, "write_quorum=True"),
    (lambda: Workload(("LHR",), keys=10**9), ValueError, "keys=1000000000"),
    (lambda: Workload(("LHR",), rates=1e12), ValueError, "rates=1000000000000.0"),
    # the system
    (lambda: EdgeSystem("flat"), TypeError, "topology='flat'"),
    (lambda: EdgeSystem(TOPO, {}), TypeError, "config={}"),
    (lambda: EdgeSystem(TOPO, max_events=0), ValueError, "max_events=0"),
    (lambda: _system().invoke("CDG", "read", "k"), ValueError, "site='CDG'"),
    (lambda: _system().invoke("LHR", "delete", "k"), ValueError, "kind='delete'"),
    (lambda: _system().invoke("LHR", "read", ""), ValueError, "key=''"),
    (lambda: _system().invoke("LHR", "read", 7), ValueError, "key=7"),
    (lambda: _system().state("hub:XYZ", "k"), ValueError, "node_id='hub:XYZ'"),
    (lambda: _system().drive(Workload(("NRT",), ops=3)), ValueError, "not sites of this topology"),
    (lambda: _system().call("LHR", "read", "k", max_ms=-1), ValueError, "max_ms=-1"),
    (lambda: _system().quiet(max_epochs=0), ValueError, "max_epochs=0"),
    # messages and checks
    (lambda: decode({"type": "Get", "rid": 1, "key": "k"}, "lww"), ValueError, "missing field 'touch'"),
    (lambda: decode("{}", "lww"), ValueError, "json type='str'"),
    (lambda: check_writes([], {}, "lwww"), ValueError, "value_type='lwww'"),
    (lambda: check_writes([], 5, "lww"), TypeError, "final=5"),
    # the lab's experiments
    (lambda: site_inside(slow_ms=-5), ValueError, "slow_ms=-5"),
    (lambda: sync_walkthrough("read"), TypeError, "script='read'"),
    (lambda: sync_walkthrough(value_type="lwww"), ValueError, "value_type='lwww'"),
    (lambda: epoch_sweep((0,)), ValueError, r"epochs\[0\]=0"),
    (lambda: run("flat", setup=Setup(ops=10), seed="1"), TypeError, "seed='1'"),
    (lambda: replica_faults(ops=0), ValueError, "ops=0"),
    (lambda: writer_ids(lease_keys=(0,)), ValueError, r"lease_keys\[0\]=0"),
    (lambda: writer_ids(rounds=0), ValueError, "rounds=0"),
    (lambda: site_ids(3, kind="moon"), ValueError, "kind='moon'"),
]


@pytest.mark.parametrize("call, error, match", PROBES, ids=[m for _, _, m in PROBES])
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_budget_stops_a_system_that_runs_away():
    system = EdgeSystem(TOPO, EdgeConfig(epoch_ms=1.0, hub_epoch_ms=1.0), max_events=500)
    with pytest.raises(RuntimeError, match="max_events=500"):
        system.drive(Workload(("LHR", "SYD"), keys=3, ops=2_000, rates=10_000.0))

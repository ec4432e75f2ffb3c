"""sim, edge and edge.lab: one valid call of every public name, for the bad-input probe."""

import random
from functools import partial

from edgekit import sim
from edgekit.edge import (
    EdgeConfig,
    EdgeSystem,
    FakeContext,
    HandNet,
    MemoryStore,
    Meter,
    Topology,
    choose_center,
    cluster_of,
    make_cluster,
    placement,
    rendezvous,
    site_place,
    value_bytes,
)
from edgekit.edge import messages as em
from edgekit.edge.codec import as_value_type
from edgekit.edge.context import HandNet as _HandNet  # noqa: F401 - the same class, named where it lives
from edgekit.edge.hashing import placement_table, score
from edgekit.edge.lab import (
    api,
    capacity,
    checks,
    compare,
    complications,
    failover,
    faults,
    gossip,
    guarantees,
    harness,
    isolation,
    ladder,
    metrics,
    observe,
    primary,
    propagation,
    replicas,
    run,
    stepper,
)
from edgekit.edge.lab import workload as wl
from edgekit.edge.store import check_capacity
from edgekit.edge.sync import Interest
from edgekit.edge.values import join, leq
from edgekit.sim import history, jitter, latency, lww, ntp, workloads

SETUP = compare.Setup(sites=("LHR", "FRA", "IAD", "SYD"), rates=60.0, keys=6, ops=60, isolated="SYD",
                      region="Europe")
WORK = wl.Workload(sites=("LHR", "IAD"), keys=4, ops=20, rates=50.0)


class _Echo(sim.Node):
    def on_message(self, ctx, src, msg):
        pass

    def on_slow(self, extra_ms):
        pass


def _network():
    net = sim.Network(sim.Simulator(seed=1))
    net.add_node("a", _Echo(), "LHR")
    net.add_node("b", _Echo(), "JFK")
    return net


def _system():
    return EdgeSystem(Topology.flat(("LHR", "SYD")), EdgeConfig(replicas=2, n=1, capacity=10))


def probes():
    ex = workloads.exchange_run(seed=1)
    net, cz = _network(), sim.Causality(ex.history)
    system, g = _system(), run.run_edge(WORK, topology="flat", seed=1)
    hand = HandNet()
    out = [
        # sim
        ("Simulator", sim.Simulator, (1,), {}),
        ("Simulator.call_later", sim.Simulator().call_later, (1.0, print), {}),
        ("Simulator.call_at", sim.Simulator().call_at, (1.0, print), {}),
        ("Simulator.run", sim.Simulator().run, (10.0,), {"max_events": 100}),
        ("Network", sim.Network, (sim.Simulator(),), {"record": "all"}),
        ("Network.add_node", _network().add_node, ("c", _Echo(), "SYD"), {}),
        ("Network.select", net.select, ("Europe",), {}),
        ("Network.cut", _network().cut, (("a",), ("b",)), {"directed": True}),
        ("Network.heal", _network().heal, (("a",), ("b",)), {}),
        ("Network.crash", _network().crash, ("a",), {}),
        ("Network.slow", _network().slow, ("a", 5.0), {}),
        ("Network.set_links", _network().set_links, (sim.LinkFaults(0.1),), {}),
        ("Network.pin_links", _network().pin_links, ([("a", "b")], sim.LinkFaults(0.1)), {}),
        ("Network.blocked", net.blocked, ("a", "b"), {}),
        ("LatencyModel", sim.LatencyModel, ("lognormal", 2.0, 0.5, 0.25, 0.1), {}),
        ("Point", sim.Point, (51.0, 0.0, "X"), {}),
        ("LinkFaults", sim.LinkFaults, (0.1, 0.1, 0.1, 50.0), {}),
        ("FaultModel", sim.FaultModel, (sim.LinkFaults(),), {"timeline": sim.transatlantic_cut()}),
        ("Cut", sim.Cut, (1.0, ("a",), ("b",), True), {}),
        ("Heal", sim.Heal, (2.0, ("a",), ("b",)), {}),
        ("Crash", sim.Crash, (1.0, "a"), {}),
        ("Restart", sim.Restart, (1.0, "a"), {}),
        ("DiskLoss", sim.DiskLoss, (1.0, "a"), {}),
        ("Slow", sim.Slow, (1.0, "a", 5.0), {}),
        ("transatlantic_cut", sim.transatlantic_cut, (100.0, 900.0), {}),
        ("isolate", sim.isolate, ("LHR", 100.0, 900.0), {}),
        ("regional_cut", sim.regional_cut, ("Europe", "Asia", 100.0, 900.0, True), {}),
        ("crash_and_restart", sim.crash_and_restart, ("a", 100.0, 900.0), {}),
        ("to_jsonl", sim.to_jsonl, (net.history[:3],), {}),
        ("from_jsonl", sim.from_jsonl, ('{"data": null, "kind": "send", "msg_id": 1, "node": "a", "peer": "b", "time": 1.0}',), {}),
        ("jsonable", history.jsonable, ((1, "a"),), {}),
        ("Causality", sim.Causality, (ex.history,), {"exclude": ("timer",)}),
        ("Causality.from_network", sim.Causality.from_network, (net,), {}),
        ("Causality.relation", cz.relation, (0, 1), {}),
        ("Causality.path", cz.path, (0, 1), {}),
        ("quantile_table", jitter.quantile_table, ("lognormal", 2.0, 0.5), {}),
        ("cdf", jitter.cdf, ("lognormal", 2.0, 0.5, 1.0), {}),
        ("resolve_place", latency.resolve_place, ("LHR",), {}),
        ("lww_run", lww.lww_run, (250.0, "wall", "LHR", "SYD", 20.0, 0), {}),
        ("loss_threshold_ms", lww.loss_threshold_ms, ("LHR", "SYD", 20.0), {}),
        ("LWWReplica", lww.LWWReplica, ("wall", ["b"]), {}),
        ("NtpClient", ntp.NtpClient, ("srv", 4, 100.0), {}),
        ("ntp_survey", ntp.ntp_survey, ("LHR", ["FRA", "SYD"], 2, 3.0, 0.2, 0), {}),
        ("Chatter", workloads.Chatter, (["b"], 100.0, 0.7, 0.3, 5), {}),
        ("chatter_run", workloads.chatter_run, (1, ["LHR", "SYD"], 500.0), {}),
        ("Scripted", workloads.Scripted, ({"start": [(1.0, "send", "b")]},), {}),
        ("exchange_run", workloads.exchange_run, (1, {"LHR": (5.0, 20.0)}, "none", "all"), {}),
        # edge: the system and its parts
        ("EdgeConfig", EdgeConfig, (3, 2, 1, 100, None, 500.0), {"value_type": "gcounter"}),
        ("Topology.from_parents", Topology.from_parents, ({"LHR": "root:FRA", "root:FRA": None},), {}),
        ("Topology.flat", Topology.flat, (("LHR", "SYD"),), {"weights": {"LHR": 2.0, "SYD": 1.0}}),
        ("Topology.tree", Topology.tree, (("LHR", "SYD", "IAD"),), {"weights": {"LHR": 2.0, "SYD": 1.0, "IAD": 1.0}}),
        ("Topology.children", system.topology.children, (system.topology.root,), {}),
        ("Topology.path", system.topology.path, ("LHR",), {}),
        ("EdgeSystem", EdgeSystem, (Topology.flat(("LHR", "SYD")), EdgeConfig(replicas=1, n=1)),
         {"seed": 1, "max_events": 10_000}),
        ("EdgeSystem.node", system.node, ("LHR",), {}),
        ("EdgeSystem.state", system.state, ("LHR", "k"), {}),
        ("EdgeSystem.held_keys", system.held_keys, ("LHR",), {}),
        ("EdgeSystem.call", _system().call, ("LHR", "write", "k", "v"), {"max_ms": 5_000.0}),
        ("EdgeSystem.invoke", _system().invoke, ("LHR", "read", "k"), {}),
        ("EdgeSystem.drive", _system().drive, (wl.Workload(sites=("LHR", "SYD"), keys=3, ops=5),), {}),
        ("make_cluster", make_cluster, ("LHR", "root:FRA", "site", EdgeConfig()), {}),
        ("cluster_of", cluster_of, ("LHR/r1",), {}),
        ("site_place", site_place, ("hub:FRA",), {}),
        ("choose_center", choose_center, ({"LHR": 1.0, "SYD": 2.0}, ["FRA", "SIN"]), {}),
        ("placement", placement, ("k", 5, 2), {}),
        ("placement_table", placement_table, (5, 2), {}),
        ("rendezvous", rendezvous, ("k", ["r0", "r1", "r2"], 2), {}),
        ("score", score, ("k", "r0"), {}),
        ("FakeContext", FakeContext, ("LHR", 1.0, 1, 2.0), {}),
        ("FakeContext.set_timer", FakeContext("LHR").set_timer, (5.0, "tag"), {}),
        ("HandNet", HandNet, (1.0, 1), {}),
        ("HandNet.add", hand.add, ("x", _Echo()), {}),
        ("HandNet.deliver", HandNet().deliver, (), {"rounds": 3}),
        ("HandNet.advance", HandNet().advance, (5.0,), {}),
        ("MemoryStore", MemoryStore, (10,), {}),
        ("Interest", Interest, (MemoryStore(2),), {}),
        ("Meter", Meter, (True,), {}),
        ("check_capacity", check_capacity, (10,), {}),
        ("as_value_type", as_value_type, ("orset",), {}),
        ("join", join, (None, None), {}),
        ("leq", leq, (None, None), {}),
        ("value_bytes", value_bytes, (None,), {}),
        ("messages.wire_bytes", em.wire_bytes, (em.Get(1, "k", True),), {}),
        ("decode", em.decode, ({"type": "Get", "rid": 1, "key": "k", "touch": True}, "lww"), {}),
        ("Outcome.from_json", em.Outcome.from_json, ({"ok": True, "latency_ms": 1.0, "state": None, "written": None, "maybe": False}, "lww"), {}),
        # edge.lab: experiments on the system
        ("lab.Workload", wl.Workload, (("LHR", "IAD"), 4, 20, 50.0, 0.3, 1.0, 1), {}),
        ("site_ids", wl.site_ids, (3, "pop", False), {}),
        ("make_topology", run.make_topology, ("tree", WORK), {}),
        ("run_edge", run.run_edge, (WORK, None, "flat"), {"seed": 1, "probe_every": 5}),
        ("EdgeRun.latency_by_site", g.latency_by_site, ("write",), {}),
        ("random_faults", faults.random_faults, (random.Random(1), Topology.flat(("LHR", "SYD")), 1000.0, 2),
         {}),
        ("region_cut", faults.region_cut, ("Europe", 100.0, 500.0), {}),
        ("site_isolated", faults.site_isolated, ("LHR", 100.0, 500.0), {}),
        ("upstream_down", faults.upstream_down, ("root:FRA", 100.0, 500.0), {}),
        ("replica_down", faults.replica_down, ("LHR/r1", 100.0, 500.0), {}),
        ("replica_cut", faults.replica_cut, ("LHR/r1", 100.0, 500.0), {}),
        ("replica_slow", faults.replica_slow, ("LHR/r1", 100.0, 500.0, 20.0), {}),
        ("disk_lost", faults.disk_lost, ("LHR/r1", 100.0), {}),
        ("distribution", metrics.distribution, ([1.0, 2.0],), {}),
        ("percentile", metrics.percentile, ([1.0, 2.0], 50), {}),
        ("check_lost_writes", metrics.check_lost_writes,
         ({}, {}, lambda k: None, lambda k: []), {}),
        ("context_story", api.context_story, (False,), {}),
        ("lru_story", capacity.lru_story, (2,), {}),
        ("check_writes", checks.check_writes, ([], lambda k: None, "lww"), {}),
        ("check_sessions", checks.check_sessions, ([], "lww"), {}),
        ("check_copies", checks.check_copies, ([("LHR", "k", None)], lambda k: None), {}),
        ("check_touched", checks.check_touched, ([("LHR", "k")], []), {}),
        ("Setup", compare.Setup, (("LHR", "IAD"),), {"ops": 50, "keys": 5, "isolated": "LHR"}),
        ("Setup.workload", SETUP.workload, (1,), {}),
        ("build", compare.build, ("flat", SETUP, 1), {}),
        ("compare.run", compare.run, ("flat", "none", SETUP, 1), {}),
        ("compare", compare.compare, (("flat",), "none", SETUP, 1), {}),
        ("fault_timeline", compare.fault_timeline, ("tree", "site_isolated", SETUP), {}),
        ("authority", compare.authority, (_system(),), {}),
        ("workshop_ready", compare.workshop_ready, ("none", 0), {}),
        ("summary_rows", compare.summary_rows, ((compare.run("flat", "none", SETUP, 1),),), {}),
        ("read_miss_modes", complications.read_miss_modes, (SETUP, 1), {}),
        ("epoch_sweep", complications.epoch_sweep, ((500,), SETUP, 1), {}),
        ("hot_keys", complications.hot_keys, ((1.0,), SETUP, 1), {}),
        ("storm", complications.storm, (SETUP, "region_cut", 1, 250.0), {}),
        ("value_costs", complications.value_costs, (("lww",), SETUP, 1), {}),
        ("failover_run", failover.failover_run, ((), 1), {}),
        ("check_schedule", failover.check_schedule, ((),), {}),
        ("GossipConfig", gossip.GossipConfig, (2, 500.0, 0.5, "lww"), {}),
        ("GossipSystem", gossip.GossipSystem, (("LHR", "SYD"), gossip.GossipConfig()), {}),
        ("operations", guarantees.operations, ([],), {}),
        ("neighbours", guarantees.neighbours, (("LHR", "FRA", "SYD"),), {}),
        ("sessions", guarantees.sessions, ([],), {"pairs": [("LHR", "SYD")]}),
        ("edge_map_rows", guarantees.edge_map_rows, ("Europe cut off", ("hub and spoke",), 40), {}),
        ("session_table", guarantees.session_table, (SETUP, 1, ("hub and spoke",)), {}),
        ("Bench", harness.Bench, (("LHR", "SYD"),), {"value_type": "lww", "seed": 1}),
        ("WireMeter", harness.WireMeter, (True,), {}),
        ("check_positive", partial(harness.check_positive, "v"), (1.0,), {}),  # name: set by the kit itself
        ("progress_iter", harness.progress_iter, ([1], "runs"), {}),
        ("isolated_op", isolation.isolated_op, ("primary: write",), {}),
        ("request_ladder", ladder.request_ladder, ("SYD", "LHR", "azure:eastus"), {}),
        ("Observer", observe.Observer, (("LHR",),), {"probe_every": 5, "staleness_every": 1}),
        ("PrimaryConfig", primary.PrimaryConfig, ("local", 1000.0, 1000.0, 250.0, 16), {}),
        ("PrimarySystem", primary.PrimarySystem, (("LHR", "SYD"), "LHR", primary.PrimaryConfig()), {}),
        ("central_site", primary.central_site, (("LHR", "SYD", "FRA"),), {"weights": {"LHR": 2.0}}),
        ("follow_write", propagation.follow_write, ("flat", SETUP, "LHR", "k0", 100.0, 1), {}),
        ("states_in", propagation.states_in, (em.Fill({}), "k"), {}),
        ("replica_faults", replicas.replica_faults, (60, 1, "lww"), {}),
        ("writer_ids", replicas.writer_ids, (2, 4, 1, 40, (2,), 1), {}),
        ("sync_walkthrough", stepper.sync_walkthrough, (((("LHR", "write", "cart"),),),), {}),
        ("site_inside", stepper.site_inside, ("cart:42", 4, 2, 0, (), 100.0, 1), {}),
    ]
    return out


NOT_PROBED = {
    # records the kit hands back (run results, rows, steps, verdicts): made by the kit, not from input
    "EdgeRun", "LostWrites", "OpRecord", "Visibility", "Probe", "ApiStep", "LruStep", "RunRecord",
    "ReadMissRecord", "EpochPoint", "HotKeyPoint", "Storm", "ValueCost", "FailoverRun", "IsolatedOp",
    "Rung", "Hop", "Holder", "Propagation", "ReplicaFaultRun", "GrowthPoint", "Step", "ReplicaView",
    "InsideRead", "ClientOp", "Message", "Record", "Event", "NetStats", "LWWOutcome", "Write", "SyncResult",
    "EventBudgetExceeded", "Timer", "Outcome",
    # protocol messages: nodes make them; off the wire they come through ``decode`` (probed)
    "Get", "Got", "Put", "Stored", "Repair", "Fill", "Merge", "Merged", "SyncRequest", "SyncResponse",
    "Digest", "DigestReply", "Deltas", "Forward", "Applied", "Append", "Progress", "Recover", "Snapshot",
    # nodes built by the systems that own them (EdgeSystem, GossipSystem, PrimarySystem, Bench: probed),
    # with the context and the config those checked
    "Replica", "Site", "Upstream", "SyncNode", "FrontEnd", "Round", "GossipPeer", "PrimaryPoP", "BenchNode",
    "NtpServer", "SimContext", "ValueType",
    # base classes, protocols and mixins: no input of their own (their users are probed)
    "Node", "Context", "Store", "Clients", "FaultControl",
    # the simulator's wire: the per-message path behind SimContext.send and Network (probed through
    # them); a check here would run once per message in the kit's hottest loop
    "send", "send_uncached", "send_slow", "make_checked", "link_entry", "decide_faults", "some_fault",
    # the event log's decoder reads the kit's own log (Network.history, probed through Network)
    "decode",
    # codec helpers for the kit's own message classes, reached through ``decode`` (probed) with the
    # message and field as ``where``
    "decode_state", "state_json", "check_bool", "check_str",
    # ``compare`` (probed) of all four designs on the full default Setup: the same checks, minutes longer
    "workshop_compare",
    # a context manager that only moves the objects alive now out of the cyclic collector
    "long_lived",
    # hot path: validated where the input enters (decode / the client's API). A store's get and put
    # run per operation with keys that ``EdgeSystem.invoke`` and ``decode`` checked; ``status_of``
    # reads each Outcome the kit itself built
    "status_of",
}

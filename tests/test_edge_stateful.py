"""A Hypothesis state machine that drives the whole edge system through clients and faults.

Each example draws a topology (flat, a continental tree, or a deeper tree), a value
type, stores of 1 to a few keys, clusters (replicas, n, write quorum), lossy and
reordering links, skewed clocks, and read-miss and clock modes. The rules invoke client
reads and writes, let time pass, and inject faults of every kind: a PoP cut off, a
front end or a replica crashed, cut off or slow, and a site replica's disk lost (only
when every write is on two disks, at most once per site). The checks run at the end,
after every fault has healed and the protocol's own epochs have gone quiet, with no
repair pass, from the client history and the final states alone
(``edgekit.edge.lab.checks``):

- no acknowledged write lost; nothing in the root that no write made (for an MV register
  this is "exactly the concurrent writes": the root equals the join of what was
  written); counters exact; LWW keeping the largest (timestamp, replica); no dot reused;
- after one read round per level of the tree, every site copy equals the root's;
- no site holds a key its clients never asked for;
- read-your-writes at every site, when every write is on every replica of its key
  (``write_quorum == n``) and no disk was lost.

``EDGE_STATEFUL_EXAMPLES=2000 pytest tests/test_edge_stateful.py`` runs it long.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from edgekit.clocks import PhysicalClock
from edgekit.edge import EdgeConfig, EdgeSystem, Topology
from edgekit.edge.lab.checks import check_copies, check_sessions, check_touched, check_writes
from edgekit.sim import FaultModel, LinkFaults

SITES = ("LHR", "FRA", "SYD", "NRT", "IAD", "GRU")
KEYS = ("k0", "k1", "k2", "k3", "k4")
TYPES = ("lww", "mv", "gcounter", "pncounter", "orset")
EXAMPLES = int(os.environ.get("EDGE_STATEFUL_EXAMPLES", "25"))


def _topology(shape: str, sites: tuple) -> Topology:
    if shape == "flat":
        return Topology.flat(sites)
    if shape == "tree":
        return Topology.tree(sites)
    # Deeper: every site under one hub, that hub under another, then the root.
    parents = {s: "hub:AMS" for s in sites}
    parents.update({"hub:AMS": "hub:SIN", "hub:SIN": "root:ORD", "root:ORD": None})
    return Topology.from_parents(parents)


class EdgeMachine(RuleBasedStateMachine):
    @initialize(seed=st.integers(0, 2**20), shape=st.sampled_from(["flat", "tree", "deep"]),
                value_type=st.sampled_from(TYPES), capacity=st.integers(1, 4),
                hub_capacity=st.sampled_from([None, 1, 3]),
                cluster=st.sampled_from([(1, 1, 1), (2, 1, 1), (2, 2, 1), (2, 2, 2), (3, 2, 1), (3, 2, 2),
                                         (3, 3, 2)]),
                epoch_ms=st.sampled_from([40.0, 150.0, 400.0]), loss=st.sampled_from([0.0, 0.1, 0.3]),
                skew=st.booleans(), block=st.booleans(), hlc=st.booleans())
    def setup(self, seed, shape, value_type, capacity, hub_capacity, cluster, epoch_ms, loss, skew, block, hlc):
        replicas, n, w = cluster
        self.config = EdgeConfig(replicas=replicas, n=n, write_quorum=w, capacity=capacity,
                                 hub_capacity=hub_capacity, epoch_ms=epoch_ms, value_type=value_type,
                                 read_miss="block" if block else "missing", clock="hlc" if hlc else "physical",
                                 gather_ms=50.0, miss_timeout_ms=600.0)
        sites = SITES[seed % 3: seed % 3 + 4]
        clocks = {s: PhysicalClock(offset_ms=(i - 2) * 700.0, drift_ppm=(i - 1) * 200.0)
                  for i, s in enumerate(sites)} if skew else {}
        faults = FaultModel(LinkFaults(loss=loss, duplicate=loss, reorder=loss, reorder_ms=300.0), clocks=clocks)
        self.topology = _topology(shape, sites)
        self.system = EdgeSystem(self.topology, self.config, seed=seed, faults=faults, record_reads=True)
        self.sites = sites
        self.lost_disk: set = set()

    # -- clients and time ---------------------------------------------------------------------

    @rule(ops=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(KEYS), st.booleans(), st.floats(0.0, 60.0)),
                       min_size=1, max_size=8))
    def clients(self, ops):
        """A burst of client operations, each some ms after the last."""
        system = self.system
        for site, key, write, gap in ops:
            system.sim.run(until=system.sim.now + gap)
            system.invoke(self.sites[site], "write" if write else "read", key)

    @rule(ms=st.floats(1.0, 800.0))
    def time_passes(self, ms):
        self.system.sim.run(until=self.system.sim.now + ms)

    # -- faults -------------------------------------------------------------------------------

    def _replica(self, data, sites_only=False):
        clusters = list(self.sites) if sites_only else list(self.system.clusters)
        cluster = data.draw(st.sampled_from(clusters))
        return data.draw(st.sampled_from(self.system.clusters[cluster]))

    @rule(data=st.data(), up=st.booleans())
    def crash_or_restart_a_node(self, data, up):
        node = data.draw(st.sampled_from(list(self.system.contexts)))
        (self.system.net.restart if up else self.system.net.crash)(node)

    @rule(data=st.data(), heal=st.booleans())
    def cut_or_heal(self, data, heal):
        where = data.draw(st.sampled_from([*self.sites, *self.system.replicas]))
        net = self.system.net
        net.heal(where, "*") if heal else net.cut(where, "*")

    @rule(data=st.data(), extra_ms=st.sampled_from([0.0, 30.0, 120.0, 500.0]))
    def slow_replica(self, data, extra_ms):
        self.system.net.slow(self._replica(data), extra_ms)

    @rule(data=st.data())
    def lose_a_disk(self, data):
        replica = self._replica(data, sites_only=True)
        site = replica.split("/")[0]
        if self.config.write_quorum >= 2 and site not in self.lost_disk:  # one per site: not both copies
            self.lost_disk.add(site)
            self.system.net.lose_disk(replica)

    @rule()
    def heal_everything(self):
        self.system.heal()

    # -- the checks ---------------------------------------------------------------------------

    def teardown(self):
        if not hasattr(self, "system"):
            return
        system = self.system
        system.settle()  # every fault heals, the protocol's epochs go quiet: no repair pass
        root = self.topology.root

        def final(key):
            return system.state(root, key)

        verdict = check_writes(system.history, final, self.config.value_type)
        assert verdict.ok, verdict
        for _ in range(self.topology.depth):
            system.read_round()
        assert check_copies(system.site_copies(), final, self.config.value_type) == []
        held = ((r.split("/")[0], k) for r, k, _ in system.site_copies())
        assert check_touched(held, system.history) == []
        if self.config.write_quorum == self.config.n and not self.lost_disk:
            assert check_sessions(system.history, self.config.value_type) == []


EdgeMachine.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=40, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
test_edge_system_keeps_every_acknowledged_write = EdgeMachine.TestCase

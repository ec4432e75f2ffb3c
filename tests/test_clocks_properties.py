"""Clock properties on random simulated executions, against happens-before computed from the history."""

from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.clocks import PhysicalClock, happens_before
from edgekit.sim import FaultModel, LatencyModel, LinkFaults
from edgekit.sim.causality import Causality
from edgekit.sim.workloads import chatter_run

PLACES = [(51.5, -0.1), (40.7, -74.0), (1.35, 103.8), (-33.9, 151.2), (35.7, 139.7)]

executions = st.builds(
    dict,
    seed=st.integers(0, 10**6),
    n=st.integers(2, 5),
    offsets=st.lists(st.floats(-300, 300), min_size=5, max_size=5),
    drifts=st.lists(st.floats(-200, 200), min_size=5, max_size=5),
    loss=st.sampled_from([0.0, 0.1]),
    dup=st.sampled_from([0.0, 0.1]),
    reorder=st.sampled_from([0.0, 0.3]),
    jitter=st.sampled_from(["none", "uniform", "exponential", "lognormal"]),
)


def run(ex):
    clocks = {f"n{i}": PhysicalClock(ex["offsets"][i], ex["drifts"][i]) for i in range(ex["n"])}
    faults = FaultModel(LinkFaults(loss=ex["loss"], duplicate=ex["dup"], reorder=ex["reorder"]), clocks=clocks)
    latency = LatencyModel(jitter=ex["jitter"], jitter_ms=5.0, rtt=lambda a, b: 60.0 + abs(a.lon - b.lon) / 2)
    net = chatter_run(ex["seed"], PLACES[: ex["n"]], until_ms=1_000, faults=faults, latency=latency, period_ms=60)
    return net, Causality.from_network(net), clocks


def causal_pairs(cz):
    """Every (i, j) with event i happened before event j, by the oracle (graph reachability)."""
    n = len(cz.events)
    return [(i, j) for j in range(n) for i in range(j) if cz.happens_before(i, j)]


@given(executions)
@settings(max_examples=20, deadline=None)
def test_lamport_clock_condition(ex):
    _, cz, _ = run(ex)
    ev = cz.events
    assert all(ev[i].lamport < ev[j].lamport for i, j in causal_pairs(cz))


@given(executions)
@settings(max_examples=20, deadline=None)
def test_vector_clocks_characterise_happens_before_exactly(ex):
    _, cz, _ = run(ex)
    ev = cz.events
    assert any(cz.concurrent(i, j) for j in range(len(ev)) for i in range(j)) or len(ev) < 3
    for j in range(len(ev)):
        for i in range(len(ev)):
            assert cz.happens_before(i, j) == happens_before(ev[i].vector, ev[j].vector), (i, j)


@given(executions)
@settings(max_examples=20, deadline=None)
def test_hlc_stays_within_the_clock_offset_and_never_goes_back(ex):
    _, cz, clocks = run(ex)
    last = {}
    for e in cz.events:
        readings = [c.read(e.time) for c in clocks.values()]
        eps = max(readings) - min(readings)  # the largest offset between two clocks right now
        assert e.hlc.l >= e.wall  # never behind the local physical clock
        assert e.hlc.l - e.wall <= eps + 1e-9  # ... and ahead by at most the clock offset
        if e.node in last:
            assert e.hlc > last[e.node]  # strictly monotone at each node
        last[e.node] = e.hlc


@given(executions)
@settings(max_examples=15, deadline=None)
def test_hlc_respects_causality_and_causal_paths_are_chains(ex):
    _, cz, _ = run(ex)
    ev = cz.events
    pairs = causal_pairs(cz)
    assert all(ev[i].hlc < ev[j].hlc for i, j in pairs)
    for i, j in pairs[:50]:
        p = cz.path(i, j)
        assert p[0] == i and p[-1] == j
        assert all(a in cz.preds[b] for a, b in zip(p[:-1], p[1:], strict=True))


def test_wall_clocks_can_invert_causality_when_skewed():
    """The motivating failure: with skew, a later event can carry an earlier wall-clock time."""
    ex = dict(seed=4, n=3, offsets=[250.0, -250.0, 0, 0, 0], drifts=[0] * 5, loss=0.0, dup=0.0, reorder=0.0,
              jitter="none")
    _, cz, _ = run(ex)
    inverted = [(i, j) for i, j in cz.messages() if cz.events[j].wall < cz.events[i].wall]
    assert inverted

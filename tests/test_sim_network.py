"""The network layer: latency, fault semantics, crash/restart, determinism, bad input."""

import math
import subprocess
import sys
from pathlib import Path

import pytest

from edgekit.sim import (
    Crash,
    Cut,
    FaultModel,
    Heal,
    LatencyModel,
    LinkFaults,
    Network,
    Node,
    Restart,
    Simulator,
    crash_and_restart,
    isolate,
    to_jsonl,
    transatlantic_cut,
)
from edgekit.sim.workloads import chatter_run

ROOT = Path(__file__).resolve().parents[1]
LON, NYC, SIN = (51.5, -0.13), (40.71, -74.0), (1.35, 103.8)
FLAT = LatencyModel(rtt=lambda a, b: 80.0)  # 40 ms one way: easy arithmetic


class Sink(Node):
    def __init__(self):
        self.got = []
        self.starts = 0
        self.crashes = 0

    def on_start(self, ctx):
        self.starts += 1

    def on_message(self, ctx, src, msg):
        self.got.append((ctx.now, src, msg))

    def on_crash(self):
        self.crashes += 1


class Blaster(Node):
    """Sends ``n`` numbered messages to ``dst``, one every ``every_ms``."""

    def __init__(self, dst, n, every_ms=1.0):
        self.dst, self.n, self.every_ms, self.i = dst, n, every_ms, 0

    def on_start(self, ctx):
        ctx.set_timer(0, "go")

    def on_timer(self, ctx, tag):
        ctx.send(self.dst, self.i)
        self.i += 1
        if self.i < self.n:
            ctx.set_timer(self.every_ms, "go")


def two_nodes(faults=None, n=10, every_ms=1.0, latency=FLAT, seed=1, record="all"):
    sim = Simulator(seed=seed)
    net = Network(sim, latency=latency, faults=faults, record=record)
    sink = Sink()
    net.add_node("a", Blaster("b", n, every_ms), place=LON)
    net.add_node("b", sink, place=NYC)
    net.start()
    return sim, net, sink


def test_latency_is_half_the_rtt_and_links_are_fifo():
    sim, net, sink = two_nodes(n=5)
    sim.run()
    assert [t for t, _, _ in sink.got] == [40.0, 41.0, 42.0, 43.0, 44.0]
    assert [m for _, _, m in sink.got] == [0, 1, 2, 3, 4]


def test_geo_latency_for_real_pops():
    from edgekit import geo

    sim = Simulator(seed=0)
    net = Network(sim)
    sink = Sink()
    net.add_node("lhr", Blaster("jfk", 1), place="LHR")
    net.add_node("jfk", sink, place="JFK")
    net.add_node("jfk-client", Sink(), place="JFK")
    net.start()
    sim.run()
    assert sink.got[0][0] == pytest.approx(geo.estimate_rtt_ms("LHR", "JFK") / 2)
    assert net.latency.base_one_way_ms(net.context("jfk").place, net.context("jfk-client").place) < 1.0


@pytest.mark.parametrize("jitter", ["uniform", "exponential", "lognormal"])
def test_jitter_adds_delay_with_the_configured_mean(jitter):
    sim, net, sink = two_nodes(latency=LatencyModel(jitter=jitter, jitter_ms=5.0, rtt=lambda a, b: 80.0), n=4000)
    sim.run()
    sent_at = {m: m * 1.0 for m in range(4000)}
    extra = [t - sent_at[m] - 40.0 for t, _, m in sink.got]
    assert min(extra) >= 0
    # Mean 5 ms; the standard error over 4000 samples is < 0.2 ms even for the lognormal tail.
    assert sum(extra) / len(extra) == pytest.approx(5.0, abs=0.6)


def binomial_ok(count, n, p, sigmas=5):
    """count is within ``sigmas`` standard deviations of n*p (a binomial tolerance)."""
    return abs(count - n * p) <= sigmas * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("loss,dup", [(0.1, 0.0), (0.0, 0.05), (0.2, 0.1)])
def test_loss_and_duplication_rates_match_within_binomial_bounds(loss, dup):
    n = 10_000
    sim, net, sink = two_nodes(FaultModel(LinkFaults(loss=loss, duplicate=dup)), n=n)
    sim.run()
    s = net.stats
    assert s.sent == n
    assert binomial_ok(s.drops.get("loss", 0), n, loss)
    assert binomial_ok(s.duplicated, n - s.dropped, dup)
    assert len(sink.got) == s.delivered == n - s.dropped + s.duplicated


def test_reordering_lets_later_messages_overtake():
    sim, net, sink = two_nodes(FaultModel(LinkFaults(reorder=0.2, reorder_ms=50)), n=1000)
    sim.run()
    order = [m for _, _, m in sink.got]
    assert sorted(order) == list(range(1000)) and order != sorted(order)
    assert binomial_ok(net.stats.reordered, 1000, 0.2)


@pytest.mark.parametrize("record", ["all", "ops", False])
def test_directed_cut_delivers_nothing_that_way_while_it_lasts(record):
    class Both(Node):
        def __init__(self, peer):
            self.peer, self.got = peer, []

        def on_start(self, ctx):
            ctx.set_timer(0, None)

        def on_timer(self, ctx, tag):
            ctx.send(self.peer, ctx.now)
            if ctx.now < 3_000:
                ctx.set_timer(10, None)

        def on_message(self, ctx, src, msg):
            self.got.append((ctx.now, msg))

    faults = FaultModel(timeline=(Cut(1_000, "a", "b", directed=True), Heal(2_000)))
    sim = Simulator(seed=2)
    net = Network(sim, FLAT, faults, record=record)
    a, b = Both("b"), Both("a")
    net.add_node("a", a, place=LON)
    net.add_node("b", b, place=NYC)
    net.start()
    sim.run()
    assert not [t for t, _ in b.got if 1_000 <= t <= 2_000]  # a -> b: nothing while cut
    assert [t for t, _ in a.got if 1_000 <= t <= 2_000]  # b -> a still flows
    assert any(t > 2_000 for t, _ in b.got)  # healed
    # Messages in flight when the cut started died with the link.
    assert all(not (960 <= sent < 1_000) for _, sent in b.got)
    kinds = [r.kind for r in net.history if r.kind in ("cut", "heal")]
    assert kinds == (["cut", "heal"] if record else [])
    s = net.stats
    assert s.delivered == len(a.got) + len(b.got) and s.sent == s.delivered + s.dropped


def test_transatlantic_cut_preset_over_continents():
    faults = FaultModel(timeline=transatlantic_cut(1_000, 3_000))
    net = chatter_run(seed=5, places=["LHR", "FRA", "JFK", "GRU", "SIN"], faults=faults, until_ms=4_000)
    eu_am = {("n0", "n2"), ("n0", "n3"), ("n1", "n2"), ("n1", "n3")}
    eu_am |= {(b, a) for a, b in eu_am}
    bad = [r for r in net.history if r.kind == "deliver" and (r.peer, r.node) in eu_am and 1_000 <= r.time <= 3_000]
    assert not bad
    assert net.stats.drops.get("partition", 0) > 0
    cut = next(r for r in net.history if r.kind == "cut")
    assert cut.data == {"a": ["n0", "n1"], "b": ["n2", "n3"], "directed": False}


def test_isolate_cuts_a_site_from_everyone():
    net = chatter_run(seed=6, places=["LHR", "FRA", "JFK"], faults=FaultModel(timeline=isolate("FRA", 0)),
                      until_ms=3_000)
    assert not [r for r in net.history if r.kind == "deliver" and "n1" in (r.node, r.peer)]
    assert [r for r in net.history if r.kind == "deliver"]


@pytest.mark.parametrize("record", ["all", "ops", False])
def test_crashed_node_receives_nothing_and_its_timers_die_until_restart(record):
    class Ticker(Sink):
        def __init__(self):
            super().__init__()
            self.ticks = []

        def on_start(self, ctx):
            super().on_start(ctx)
            ctx.set_timer(5, "t")

        def on_timer(self, ctx, tag):
            self.ticks.append(ctx.now)
            ctx.set_timer(5, "t")

    faults = FaultModel(timeline=crash_and_restart("b", 100, 200))
    sim = Simulator(seed=3)
    net = Network(sim, FLAT, faults, record=record)
    t = Ticker()
    net.add_node("a", Blaster("b", 300), place=LON)
    net.add_node("b", t, place=NYC)
    net.start()
    sim.run(until=400)
    assert not [x for x, _, _ in t.got if 100 <= x < 200]
    assert not [x for x in t.ticks if 100 <= x < 205]
    assert t.starts == 2 and t.crashes == 1
    assert any(x >= 200 for x, _, _ in t.got) and any(x >= 205 for x in t.ticks)
    assert net.stats.drops["crashed"] == 100  # messages arriving at 100 ... 199
    assert net.stats.delivered == len(t.got) == 300 - 100


def test_record_levels():
    _, net_all, _ = two_nodes(n=3)
    net_all.sim.run()
    _, net_none, _ = two_nodes(n=3, record=False)
    net_none.sim.run()
    assert net_none.history == [] and net_none.stats == net_all.stats
    sim, net_ops, _ = two_nodes(FaultModel(timeline=(Crash(1, "b"), Restart(2, "b"))), n=3, record="ops")
    sim.run()
    assert [r.kind for r in net_ops.history] == ["crash", "restart"]


def test_fault_model_prints_and_changes_between_runs():
    fm = FaultModel(LinkFaults(loss=0.01), links={("LHR", "JFK"): LinkFaults(loss=0.5)})
    fm2 = fm.then(*transatlantic_cut(2_000, 9_000))
    assert fm.timeline == () and len(fm2.timeline) == 2
    text = str(fm2)
    assert "loss=0.5" in text and "cut Africa+Europe <-> North America+South America" in text


def test_link_override_applies_both_ways():
    fm = FaultModel(links={("a", "b"): LinkFaults(loss=1.0)})
    sim, net, sink = two_nodes(fm, n=20)
    sim.run()
    assert sink.got == [] and net.stats.drops == {"loss": 20}


SCENARIO = """
from edgekit.sim import FaultModel, LinkFaults, LatencyModel, to_jsonl, transatlantic_cut, crash_and_restart
from edgekit.sim.workloads import chatter_run
fm = FaultModel(LinkFaults(loss=0.05, duplicate=0.05, reorder=0.1),
                timeline=transatlantic_cut(1_000, 2_500) + crash_and_restart("n4", 500, 1_500))
net = chatter_run(seed=11, places=["LHR", "FRA", "JFK", "GRU", "NRT", "SYD"], faults=fm,
                  latency=LatencyModel(jitter="lognormal", jitter_ms=3.0), until_ms=4_000, period_ms=20)
print(to_jsonl(net.history), end="")
"""


def test_same_seed_same_history_byte_for_byte_across_processes():
    outs = []
    for hashseed in ("1", "2"):  # different str hashing: set iteration order must not leak in
        env = {"PYTHONHASHSEED": hashseed, "PATH": "/usr/bin:/bin"}
        r = subprocess.run([sys.executable, "-c", SCENARIO], capture_output=True, text=True, cwd=ROOT,
                           env=env, check=True)
        outs.append(r.stdout)
    assert outs[0] == outs[1]
    kinds = {line.split('"kind":"')[1].split('"')[0] for line in outs[0].splitlines()}
    assert {"send", "deliver", "drop", "duplicate", "timer", "crash", "restart", "cut", "heal", "local"} <= kinds


def test_different_seeds_differ():
    a = chatter_run(seed=1, places=[LON, NYC, SIN], rtt=lambda a, b: 80.0, until_ms=1_000)
    b = chatter_run(seed=2, places=[LON, NYC, SIN], rtt=lambda a, b: 80.0, until_ms=1_000)
    assert to_jsonl(a.history) != to_jsonl(b.history)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize("kw", [{"loss": 1.5}, {"duplicate": -0.1}, {"reorder": 2}])
def test_probability_outside_unit_interval(kw):
    with pytest.raises(ValueError, match=rf"{next(iter(kw))}=.*expected a probability in \[0, 1\]"):
        LinkFaults(**kw)


def test_negative_delay():
    with pytest.raises(ValueError, match="delay_ms=-1"):
        Simulator().call_later(-1, print)
    sim, net, _ = two_nodes(n=1)
    with pytest.raises(ValueError, match="delay_ms=-5"):
        net.context("a").set_timer(-5, "x")
    with pytest.raises(ValueError, match="jitter_ms=-2"):
        LatencyModel(jitter="uniform", jitter_ms=-2)
    with pytest.raises(ValueError, match="at_ms=-3"):
        Cut(-3, "a", "b")


def test_unknown_node():
    sim, net, _ = two_nodes(n=1)
    with pytest.raises(ValueError, match="dst='zz': not a node in this network"):
        net.context("a").send("zz", 1)
    with pytest.raises(ValueError, match="node_id='zz'"):
        net.crash("zz")
    sim2 = Simulator()
    net2 = Network(sim2, FLAT, FaultModel(timeline=(Crash(10, "ghost"),)))
    net2.add_node("a", Sink(), place=LON)
    with pytest.raises(ValueError, match="ghost"):
        net2.start()


def test_partition_naming_a_site_not_in_the_run():
    sim = Simulator()
    net = Network(sim, FLAT, FaultModel(timeline=(Cut(10, "LHR", "SYD"),)))
    net.add_node("a", Sink(), place="LHR")
    net.add_node("b", Sink(), place="JFK")
    with pytest.raises(ValueError, match="selector='SYD': names no node, place or continent in this run"):
        net.start()


def test_bad_place_and_jitter_names():
    net = Network(Simulator(), FLAT)
    with pytest.raises(ValueError, match="place=\\(95, 0\\)"):
        net.add_node("a", Sink(), place=(95, 0))
    with pytest.raises(ValueError, match="jitter='gauss'"):
        LatencyModel(jitter="gauss")
    with pytest.raises(ValueError, match="record='some'"):
        Network(Simulator(), FLAT, record="some")
    with pytest.raises(TypeError, match="expected an edgekit.sim.node.Node"):
        net.add_node("x", object(), place=LON)


def test_blocked_follows_overlapping_cuts_and_heals():
    sim = Simulator(seed=0)
    net = Network(sim, FLAT)
    for n, place in zip("abcd", [LON, NYC, SIN, (0, 0)], strict=True):
        net.add_node(n, Sink(), place=place)
    net.start()

    def cut_pairs():
        return {(x, y) for x in "abcd" for y in "abcd" if net.blocked(x, y)}

    net.cut("a", ("b", "c"), directed=True)
    assert cut_pairs() == {("a", "b"), ("a", "c")}
    net.cut("c", "d")
    assert cut_pairs() == {("a", "b"), ("a", "c"), ("c", "d"), ("d", "c")}
    net.heal("d", "c")  # either order names the same cut
    assert cut_pairs() == {("a", "b"), ("a", "c")}
    net.add_node("e", Sink(), place=NYC)  # joins nobody's side: its selectors match no cut
    assert not net.blocked("a", "e")
    net.heal()
    assert cut_pairs() == set()


def test_in_flight_messages_obey_a_crash_whatever_the_record_level():
    """Messages already flying when a node crashes are dropped on arrival at every record level."""
    outs = []
    for record in ("all", "ops", False):
        sim, net, sink = two_nodes(FaultModel(timeline=crash_and_restart("b", 30, 45)), n=20, record=record)
        sim.run(until=50)  # sent at 0..19 ms, arriving 40..59: those arriving in 40..44 hit the crash
        outs.append(([m for _, _, m in sink.got], net.stats))
    assert outs[0] == outs[1] == outs[2]
    assert outs[0][0] == list(range(5, 11)) and outs[0][1].drops == {"crashed": 5}
    assert outs[0][1].delivered == 6  # arrivals at 45 ... 50 ms (until is inclusive); 9 still in flight

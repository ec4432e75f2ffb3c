"""Simulator throughput, side by side: edgekit.sim against SimPy, and the network layer against the bare loop.

    .venv/bin/python benchmarks/sim_throughput.py [--repeats 7] [--events 200000]

1. Raw scheduling: the same workload (P processes, each waiting a seeded
   random delay, E events in all) as ``Simulator.call_later`` callbacks and as
   idiomatic SimPy processes (``yield env.timeout(d)``). Goal: edgekit >= 1.5x.
2. The network layer: nodes bouncing messages with the full fault model on
   (loss, duplication, reordering, lognormal jitter, skewed clocks, a cut and
   heal on the timeline) and every record kept, in delivered messages per
   second, against the bare loop's events per second on the same pattern
   (one callback scheduling the next after the same delays: 50 ms plus the
   same lognormal jitter). Goal: >= 0.5x.
3. Peak memory (tracemalloc) of one million pending events, both simulators.

Runs are interleaved: each ratio is the median of the ratios within back-to-back pairs (the
order alternating), each rate the median of ``--repeats`` runs. Rates use CPU time
(``time.process_time``) so that other work on a shared machine counts less; on a shared VM
the machine's speed still drifts, which the pairing is for.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc

import simpy

from edgekit.clocks import PhysicalClock
from edgekit.sim import Cut, FaultModel, Heal, LatencyModel, LinkFaults, Network, Simulator
from edgekit.sim.node import Node

PROCESSES = 1_000
NODES = 10
CHAINS = 20  # messages each node starts towards each peer: 1,800 in flight, as many chains in the bare loop


def delays(n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [rng.expovariate(1 / 10.0) for _ in range(n)]


def edgekit_timeouts(ds: list[float]) -> float:
    sim = Simulator(seed=1)
    it = iter(ds)
    call_later = sim.call_later

    def step():
        d = next(it, None)
        if d is not None:
            call_later(d, step)

    for _ in range(PROCESSES):
        call_later(0, step)
    t = time.process_time()
    n = sim.run()
    return n / (time.process_time() - t)


def simpy_timeouts(ds: list[float]) -> float:
    env = simpy.Environment()
    it = iter(ds)
    count = [0]

    def proc():
        yield env.timeout(0)
        count[0] += 1
        for d in it:
            yield env.timeout(d)
            count[0] += 1

    for _ in range(PROCESSES):
        env.process(proc())
    t = time.process_time()
    env.run()
    return count[0] / (time.process_time() - t)


LATENCY = LatencyModel(jitter="lognormal", jitter_ms=2.0, rtt=lambda a, b: 100.0)


def bare_bounce(n: int) -> float:
    """The network pattern without a network: each event schedules the next after the same
    delays the network's messages take (50 ms plus the same lognormal jitter, drawn before the
    clock starts), so the heap sees the same schedule and the ratio is the network layer's cost."""
    sim = Simulator(seed=1)
    sample = LATENCY.sampler(random.Random(1))
    ds = [50.0 + sample() for _ in range(n + NODES * (NODES - 1) * CHAINS)]
    it = iter(ds)
    left = [n]
    call_later = sim.call_later

    def bounce(src, dst, k):
        left[0] -= 1
        if left[0] > 0:
            call_later(next(it), bounce, dst, src, k + 1)

    for i in range(NODES * (NODES - 1) * CHAINS):
        call_later(0, bounce, i, i + 1, 0)
    t = time.process_time()
    ran = sim.run()
    return ran / (time.process_time() - t)


class Bouncer(Node):
    """Starts ``CHAINS`` messages to each peer; answers every message it gets while the budget lasts.

    Loss ends a chain and duplication forks one, so many chains keep the load steady."""

    def __init__(self, peers: list[str], budget: list[int]) -> None:
        self.peers, self.budget = peers, budget

    def on_start(self, ctx) -> None:
        for p in self.peers:
            if p != ctx.node_id:
                for _ in range(CHAINS):
                    ctx.send(p, 0)

    def on_message(self, ctx, src, msg) -> None:
        self.budget[0] -= 1
        if self.budget[0] > 0:
            ctx.send(src, msg + 1)


FULL_FAULTS = FaultModel(
    LinkFaults(loss=0.01, duplicate=0.01, reorder=0.02, reorder_ms=20),
    clocks={"n1": PhysicalClock(150, 40), "n2": PhysicalClock(-80, -25)},
    timeline=(Cut(1_000, "n0", ("n1", "n2"), directed=True), Heal(3_000)),
)


def network_bounce(n: int, faults: FaultModel = FULL_FAULTS, record="all") -> tuple[float, Network]:
    sim = Simulator(seed=1)
    net = Network(sim, latency=LATENCY, faults=faults, record=record)
    names = [f"n{i}" for i in range(NODES)]
    budget = [n]
    for i, name in enumerate(names):
        net.add_node(name, Bouncer(names, budget), place=(10.0 * i - 45, 30.0 * i - 150))
    net.start()
    t = time.process_time()
    sim.run()
    return net.stats.delivered / (time.process_time() - t), net


def peak_memory(schedule) -> int:
    """Peak bytes traced while ``schedule(rng)`` puts a million events on a fresh heap."""
    gc.collect()
    rng = random.Random(1)
    tracemalloc.start()
    keep = schedule(rng)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del keep
    return peak


def million_edgekit(rng):
    sim = Simulator(seed=1)
    for _ in range(1_000_000):
        sim.call_later(rng.expovariate(0.1), print)
    return sim


def million_simpy(rng):
    env = simpy.Environment()
    for _ in range(1_000_000):
        env.timeout(rng.expovariate(0.1))
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--events", type=int, default=200_000)
    args = ap.parse_args()
    ds = delays(args.events)
    rates = {"edgekit": [], "simpy": [], "bare": [], "net": [], "net_norec": [], "net_plain": []}
    ratios = {"sched": [], "net": [], "net_norec": [], "net_plain": []}
    last_net = None
    for i in range(args.repeats):
        gc.collect()
        # Each ratio is taken within one back-to-back pair, whose order alternates between repeats:
        # a shared machine's speed drifts, and a drift then moves both halves of a pair alike.
        pair = [edgekit_timeouts, simpy_timeouts] if i % 2 == 0 else [simpy_timeouts, edgekit_timeouts]
        got = {f.__name__: f(ds) for f in pair}
        rates["edgekit"].append(got["edgekit_timeouts"])
        rates["simpy"].append(got["simpy_timeouts"])
        ratios["sched"].append(got["edgekit_timeouts"] / got["simpy_timeouts"])
        for key, run in (("net", lambda: network_bounce(args.events)),
                         ("net_norec", lambda: network_bounce(args.events, record=False)),
                         ("net_plain", lambda: network_bounce(args.events, FaultModel(), record=False))):
            if i % 2 == 0:
                bare = bare_bounce(args.events)
                r, net = run()
            else:
                r, net = run()
                bare = bare_bounce(args.events)
            rates["bare"].append(bare)
            rates[key].append(r)
            ratios[key].append(r / bare)
            if key == "net":
                last_net = net
    med = {k: statistics.median(v) for k, v in rates.items()}
    rat = {k: statistics.median(v) for k, v in ratios.items()}
    rng = {k: f"{min(v):.2f}-{max(v):.2f}" for k, v in ratios.items()}
    print(f"workload: {args.events:,} events, {PROCESSES:,} processes; medians of {args.repeats} runs "
          f"(a ratio is the median of the ratios within back-to-back pairs; range in brackets)")
    print(f"1. raw scheduling   edgekit.sim {med['edgekit']:>12,.0f} events/s")
    print(f"                    SimPy 4     {med['simpy']:>12,.0f} events/s")
    print(f"                    ratio edgekit/SimPy = {rat['sched']:.2f}x [{rng['sched']}]  (goal >= 1.5x)")
    print(f"2. bare event loop  {med['bare']:>12,.0f} events/s")
    print(f"   network layer    {med['net']:>12,.0f} delivered messages/s (full faults, record='all')")
    print(f"                    ratio network/bare = {rat['net']:.2f}x [{rng['net']}]  (goal >= 0.5x)")
    print(f"   last run: {last_net.stats}, {len(last_net.history):,} records")
    print(f"   for reference: full faults, record=False {med['net_norec']:>10,.0f}/s "
          f"({rat['net_norec']:.2f}x); no faults, record=False {med['net_plain']:>10,.0f}/s "
          f"({rat['net_plain']:.2f}x)")
    ek = peak_memory(million_edgekit)
    sp = peak_memory(million_simpy)
    print(f"3. 1,000,000 pending events: edgekit.sim {ek / 1e6:,.0f} MB ({ek / 1e6:.0f} B/event), "
          f"SimPy {sp / 1e6:,.0f} MB ({sp / 1e6:.0f} B/event)")


if __name__ == "__main__":
    main()

"""Simulator throughput, side by side: edgekit.sim against SimPy, and the network layer against the bare loop.

    .venv/bin/python benchmarks/sim_throughput.py [--repeats 11] [--events 1000000]

1. Raw scheduling: P processes, each waiting a seeded random delay again and
   again, E events in all. The headline peer is SimPy written the way edgekit
   is used, with callbacks: ``env.timeout(d).callbacks.append(step)`` against
   ``sim.call_later(d, step)``, the same ``step`` body. SimPy's usual style,
   generator processes (``yield env.timeout(d)``), is a second row.
   Goal: edgekit >= 1.5x SimPy with callbacks.
2. The network layer: nodes bouncing messages with the full fault model on
   (loss, duplication, reordering, lognormal jitter, skewed clocks, a cut and
   heal on the timeline) and every record kept, in delivered messages per
   second, against the bare loop's events per second on the same pattern
   (one callback scheduling the next after the same delays: 50 ms plus the
   same lognormal jitter). Goal: >= 0.6x in every run.
3. Peak memory (tracemalloc) of one million pending events, both simulators.

Like for like: every measurement runs in a fresh process of its own, with the
same garbage-collector setting (``GC_THRESHOLD``, which is what
``Simulator.run`` sets for itself; nothing is frozen by the harness), timing
only the run with CPU time (``time.process_time``, which includes the page
faults a growing history costs). Each headline ratio is taken within one block
of four back-to-back processes, A B B A (B A A B every other run), from the
mean rate of each side's two: a shared machine's speed drifts, and a drift
during the block then moves both sides alike. The figures are medians over
``--repeats`` runs with the range of single runs (blocks); the reference rows
(SimPy with processes, the network without recording or without faults) run
once each after their block and are divided by its mean.

Why the ratio scatters: at 200,000 events one run was about 0.2 s of CPU per
side, so a few hundredths of a second taken by other work moved a single pair's
ratio by a tenth, with no protection against drift. A million events (about
1.5 s per network run) and A B B A blocks were meant to narrow it, for the same
work (every fault kind on, every record kept, the bare loop unchanged); on this
machine they did not: the stored run (results/sim_throughput.json) ranges as
widely as the single pairs did, and even the plain loops' rates move by a third
from block to block. And load lowers the ratio itself: the recorded network is
bound by memory (fresh pages, cold cache lines) and loses more to other
processes' use of the caches than the bare loop does. The reference rows run
once per block, not in blocks of their own, so their ranges are rougher still.

What made edgekit fast, found by profiling first: callgrind instruction counts
(repeatable on a shared machine, with PYTHONHASHSEED fixed) and ``perf record -e
cpu-clock`` wall samples. Per event of this workload, raw scheduling went from
9,624 instructions to 6,712 (SimPy with callbacks: 10,924); per delivered
message, the network run from 13,356 to 10,308 (the bare loop from 10,584 to 7,689).

- Events are kept by time: a heap of plain floats and a dict from a time to its
  event (a ``Slot`` of events when several share it), instead of a heap of
  ``[time, seq, fn, args]`` lists. A heap compares its items about log2(n)
  times per pop, and one list comparison costs two float comparisons and more:
  ``heappop`` was 42% of an event; one dict lookup buys it back.
- ``Simulator.run`` counts with ``range`` in chunks, which reuses its loop
  variable, where ``n += 1`` allocated an int per event and a budget test cost
  as much again (6% of an event): the event budget costs nothing measurable.
- Comparisons are written so that CPython 3.11 specialises them for floats
  (``delay >= 0.0 and delay < inf``, not ``0 <= delay < inf``): call_later's
  check went from 724 instructions to 334.
- Network: ``send`` is a method of the context (a closure in a slot made every
  ``ctx.send(...)`` an unspecialised lookup); a send checks cuts and crashes
  only on links a fault touches (caches are cleared when faults change)
  instead of testing a flag on every send; bound callables are called through
  locals (``net._random()`` is not specialised).
- Jitter comes from a read-only block of C doubles (512 kB) instead of a tuple
  of float objects (2.5 MB): one cache line per sample instead of two pointer
  hops, 7-10% of a network run.

Tried, measured and dropped: logging a small record per message so that events
could be freed after delivery (the extra allocation cost more than the cache
misses it saved), drawing jitter in batches, tuples as message events, a
context class per network (each within noise), and a jitter table of 4,096
slices instead of 65,536 (32 kB instead of 512 kB, so that it leaves the rest
of the run its L2 cache: 2-3% faster, within noise, and it would change every
history with jitter).

What the network still pays per message, beyond the bare loop (callgrind,
PYTHONHASHSEED=0, the difference between runs of 40,000 and 20,000 messages;
the bare loop without building its list of delays): the bare loop 7,580
instructions per event; the network without faults or recording 9,134 (its
link lookup, message counter, jitter draw and table read, and the bound-method
call into the node); with every fault kind 10,176 (one uniform draw per
message, and the 4% of messages a fault touches take the slow path); with full
recording 10,354. By instructions the network would be 0.73x the bare loop;
in time it is about 0.62x, and the rest is memory: the history keeps every
message's event alive (its list, its argument tuple, its delivery time, two log
slots: about 220 bytes), so each message's objects come from fresh pages and
are cold when it is delivered. A recorded run of a million messages takes about
56,000 page faults, 0.13-0.20 s of system time in 1.6-1.9 s of CPU (about 10%);
the same run without recording takes none. Logging each message's argument tuple
and times instead of its event, so that events are freed after delivery, cut
the faults by a third but cost as much in appends (measured, dropped). What remains is what the semantics ask for (a loss, duplication
and reorder draw and a jitter sample per message, from two seeded streams, and
every record). The two ideas left each save about 3% and change every history
for the same seed: skipping to the next message a fault touches with one
geometric draw (the per-message draw costs about 45 ns of about 1,550), and the
smaller jitter table above.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc

import simpy
from results_io import Recorder  # a script beside this one

from edgekit.clocks import PhysicalClock
from edgekit.sim import Cut, FaultModel, Heal, LatencyModel, LinkFaults, Network, Simulator
from edgekit.sim.node import Node

PROCESSES = 1_000
NODES = 10
CHAINS = 20  # messages each node starts towards each peer: 1,800 in flight, as many chains in the bare loop
GC_THRESHOLD = (50_000, 100, 10)  # for every peer alike; what Simulator.run sets for itself


def delays(n: int, seed: int = 1) -> list[float]:
    rng = random.Random(seed)
    return [rng.expovariate(1 / 10.0) for _ in range(n)]


# -- 1. raw scheduling: one timed run each, returning (events run, CPU seconds) -------------------

def edgekit_callbacks(ds: list[float]) -> tuple[int, float]:
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
    return n, time.process_time() - t


def simpy_callbacks(ds: list[float]) -> tuple[int, float]:
    env = simpy.Environment()
    it = iter(ds)
    timeout = env.timeout
    count = [0]

    def step(event):
        count[0] += 1  # SimPy does not count events itself
        d = next(it, None)
        if d is not None:
            timeout(d).callbacks.append(step)

    for _ in range(PROCESSES):
        timeout(0).callbacks.append(step)
    t = time.process_time()
    env.run()
    return count[0], time.process_time() - t


def simpy_processes(ds: list[float]) -> tuple[int, float]:
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
    return count[0], time.process_time() - t


# -- 2. the network layer against the bare loop ---------------------------------------------------

LATENCY = LatencyModel(jitter="lognormal", jitter_ms=2.0, rtt=lambda a, b: 100.0)


def bare_bounce(n: int) -> tuple[int, float]:
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
    return ran, time.process_time() - t


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


def network_bounce(n: int, faults: FaultModel = FULL_FAULTS, record="all", decode: bool = False) -> tuple[int, float, dict]:
    """The timed network run; with ``decode`` (untimed, after it) the history is decoded and counted."""
    sim = Simulator(seed=1)
    net = Network(sim, latency=LATENCY, faults=faults, record=record)
    names = [f"n{i}" for i in range(NODES)]
    budget = [n]
    for i, name in enumerate(names):
        net.add_node(name, Bouncer(names, budget), place=(10.0 * i - 45, 30.0 * i - 150))
    net.start()
    t = time.process_time()
    sim.run()
    cpu = time.process_time() - t
    s = net.stats
    about = {"sent": s.sent, "delivered": s.delivered, "duplicated": s.duplicated, "reordered": s.reordered,
             "drops": s.drops}
    if decode:
        about["records"] = len(net.history) if record else 0
    return s.delivered, cpu, about


# -- 3. memory ------------------------------------------------------------------------------------

def peak_memory(schedule) -> int:
    """Peak bytes traced while ``schedule(rng)`` puts a million events on a fresh simulator."""
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
        env.timeout(rng.expovariate(0.1)).callbacks.append(print)
    return env


# -- one measurement per process -------------------------------------------------------------------

def measure(name: str, events: int, decode: bool = False) -> dict:
    """Run one workload in this process and return what it measured (JSON-ready)."""
    gc.set_threshold(*GC_THRESHOLD)
    gc.collect()
    if name in SCHEDULERS:
        n, cpu = SCHEDULERS[name](delays(events))
        return {"events": n, "cpu_s": cpu, "rate": n / cpu}
    if name == "bare":
        n, cpu = bare_bounce(events)
        return {"events": n, "cpu_s": cpu, "rate": n / cpu}
    if name in NETWORKS:
        n, cpu, about = network_bounce(events, *NETWORKS[name], decode=decode)
        return {"events": n, "cpu_s": cpu, "rate": n / cpu, **about}
    if name in MEMORY:
        return {"peak_bytes": peak_memory(MEMORY[name])}
    raise ValueError(f"workload {name!r}: expected one of {WORKLOADS}")


SCHEDULERS = {"edgekit": edgekit_callbacks, "simpy-callbacks": simpy_callbacks, "simpy-processes": simpy_processes}
NETWORKS = {"net": (FULL_FAULTS, "all"), "net-norec": (FULL_FAULTS, False), "net-plain": (FaultModel(), False)}
MEMORY = {"memory-edgekit": million_edgekit, "memory-simpy": million_simpy}
WORKLOADS = [*SCHEDULERS, "bare", *NETWORKS, *MEMORY]


def in_process(name: str, events: int, decode: bool = False) -> dict:
    """``measure(name)`` in a fresh Python process, so that no peer inherits another's heap."""
    cmd = [sys.executable, __file__, "--worker", name, "--events", str(events)] + (["--decode"] if decode else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def abba(a: str, b: str, events: int, flip: bool, decode: str = "") -> tuple[float, float, dict]:
    """``a`` and ``b`` twice each, one process per run, in the order A B B A (B A A B when ``flip``):
    a drift in the shared machine's speed during the block moves both sides alike. Returns the mean
    rates of ``a`` and ``b`` and ``a``'s first run (``decode`` names the workload that decodes its history)."""
    order = [b, a, a, b] if flip else [a, b, b, a]
    runs = {a: [], b: []}
    for name in order:
        runs[name].append(in_process(name, events, decode=(name == decode and not runs[name])))
    rate = {name: statistics.fmean(r["rate"] for r in rs) for name, rs in runs.items()}
    return rate[a], rate[b], runs[a][0]


def spread(xs: list[float]) -> dict:
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "runs": xs}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=11)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--worker", choices=WORKLOADS, help=argparse.SUPPRESS)
    ap.add_argument("--decode", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.events, args.decode)))
        return
    rec = Recorder("sim_throughput")
    rates = {name: [] for name in [*SCHEDULERS, "bare", *NETWORKS]}
    ratios = {"edgekit/simpy-callbacks": [], "edgekit/simpy-processes": [], "net/bare": [],
              "net-norec/bare": [], "net-plain/bare": []}
    last = {}
    for i in range(args.repeats):
        # Each headline ratio comes from one A B B A block (B A A B every other repeat); the
        # reference rows run once each after it, against the block's mean.
        flip = i % 2 == 1
        got = {}
        got["edgekit"], got["simpy-callbacks"], _ = abba("edgekit", "simpy-callbacks", args.events, flip)
        got["simpy-processes"] = in_process("simpy-processes", args.events)["rate"]
        got["net"], got["bare"], first = abba("net", "bare", args.events, flip, decode="net" if i == 0 else "")
        last = first if i == 0 else {**first, "records": last["records"]}
        for name in ("net-norec", "net-plain")[::-1 if flip else 1]:
            got[name] = in_process(name, args.events)["rate"]
        for name in rates:
            rates[name].append(got[name])
        for key in ratios:
            a, b = key.split("/")
            ratios[key].append(got[a] / got[b])
        print(f"run {i + 1}/{args.repeats}: " + ", ".join(f"{k} {v[-1]:.2f}x" for k, v in ratios.items()),
              flush=True)
    memory = {name: in_process(name, 0)["peak_bytes"] for name in MEMORY}
    med = {k: statistics.median(v) for k, v in rates.items()}
    rat = {k: spread(v) for k, v in ratios.items()}

    def ratio(key: str, goal: str = "") -> str:
        r = rat[key]
        return f"{r['median']:.2f}x [{r['min']:.2f}-{r['max']:.2f}]" + (f"  (goal {goal})" if goal else "")

    print(f"\nworkload: {args.events:,} events, {PROCESSES:,} processes; {args.repeats} runs, each an A B B A "
          f"block of processes, GC threshold {GC_THRESHOLD}; medians [range over runs]")
    print(f"1. raw scheduling   edgekit.sim              {med['edgekit']:>12,.0f} events/s")
    print(f"                    SimPy {simpy.__version__}, callbacks    {med['simpy-callbacks']:>12,.0f} events/s")
    print(f"                    SimPy {simpy.__version__}, processes    {med['simpy-processes']:>12,.0f} events/s")
    print(f"                    edgekit / SimPy callbacks = {ratio('edgekit/simpy-callbacks', '>= 1.5x')}")
    print(f"                    edgekit / SimPy processes = {ratio('edgekit/simpy-processes')}")
    print(f"2. bare event loop  {med['bare']:>12,.0f} events/s")
    print(f"   network layer    {med['net']:>12,.0f} delivered messages/s (full faults, record='all')")
    print(f"                    network / bare = {ratio('net/bare', '>= 0.6x in every run')}")
    print(f"   last run: {last['sent']:,} sent, {last['delivered']:,} delivered, drops {last['drops']}; "
          f"first run: {last['records']:,} records")
    print(f"   for reference: full faults, record=False {ratio('net-norec/bare')}; "
          f"no faults, record=False {ratio('net-plain/bare')}")
    ek, sp = memory["memory-edgekit"], memory["memory-simpy"]
    print(f"3. 1,000,000 pending events: edgekit.sim {ek / 1e6:,.0f} MB ({ek / 1e6:.0f} B/event), "
          f"SimPy {sp / 1e6:,.0f} MB ({sp / 1e6:.0f} B/event)")
    rec.write({
        "events": args.events, "processes": PROCESSES, "repeats": args.repeats, "gc_threshold": list(GC_THRESHOLD),
        "design": "each run: one A B B A block of processes per headline ratio (B A A B every other run), "
                  "mean rate of each side's two processes; reference rows once each after the block",
        "rate_per_s": rates, "median_rate_per_s": med, "ratios": rat,
        "last_network_run": last, "pending_million_peak_bytes": memory,
        "pending_bytes_per_event": {name: peak / 1_000_000 for name, peak in memory.items()},
    }, peers={"simpy": simpy.__version__})


if __name__ == "__main__":
    main()

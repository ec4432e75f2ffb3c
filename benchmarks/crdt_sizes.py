"""CRDT metadata on the wire: whole states against deltas, and OR-Set contexts against 2P-Set tombstones.

    .venv/bin/python benchmarks/crdt_sizes.py [--seed 0]

Sizes are bytes of ``json.dumps(x.to_json())``, the kit's wire format. Deterministic (seeded),
so there is nothing to take a median of; timings are not measured here. Writes
benchmarks/results/crdt_sizes.json (benchmarks/results_io.py).

1. State against one update's delta for a G-Counter (per replica that wrote), an OR-Set
   (per element) and an MV-register (per replica that wrote). Goal: a G-Counter or OR-Set
   delta <= 1/10 of the state at 50 replicas / 500 elements. (An MV-register's state is one
   sibling plus a version vector, so its delta saves only the vector: about 7x at 50.)
2. Churn: a shopping list where every item is added and later removed, ``n`` times over,
   by three replicas. The 2P-Set keeps a tombstone per removed item; the OR-Set's causal
   context is a version vector. Goal: the OR-Set stays constant while the 2P-Set grows.
"""

from __future__ import annotations

import argparse
import random

from results_io import Recorder  # a script beside this one

from edgekit.crdt import ORSet, TwoPSet
from edgekit.crdt.experiments import wire_bytes, wire_sizes


def churn(n: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    o, t = ORSet(), TwoPSet()
    for i in range(n):
        r = rng.choice("ABC")
        item = f"item-{i}"
        o, t = o.add(r, item), t.add(item)
        o, t = o.remove(item), t.remove(item)
    return wire_bytes(o), wire_bytes(t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rec = Recorder("crdt_sizes")
    out = {"seed": args.seed, "state_vs_delta": [], "churn": []}
    print("1. whole state against one delta (bytes of JSON)")
    print(f"{'type':<12}{'n':>6}{'state':>9}{'delta':>8}{'state/delta':>13}")
    for row in wire_sizes(counts=(1, 5, 10, 50, 100), seed=args.seed):
        print(f"{row.type:<12}{row.x:>6}{row.state_bytes:>9}{row.delta_bytes:>8}"
              f"{row.state_bytes / row.delta_bytes:>12.1f}x")
        out["state_vs_delta"].append({"type": row.type, "n": row.x, "state_bytes": row.state_bytes,
                                      "delta_bytes": row.delta_bytes})

    print("\n2. churn: every item added then removed (bytes of JSON)")
    print(f"{'items':>7}{'ORSet':>8}{'TwoPSet':>9}{'TwoPSet/ORSet':>15}")
    for n in (10, 100, 1000, 5000):
        o, t = churn(n, args.seed)
        print(f"{n:>7}{o:>8}{t:>9}{t / o:>14.1f}x")
        out["churn"].append({"items": n, "orset_bytes": o, "twopset_bytes": t})
    rec.write(out)


if __name__ == "__main__":
    main()

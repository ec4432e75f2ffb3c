"""Chapter 3 exercises: who keeps answering under a cut, which design keeps writing, N/R/W, R and W from PBS."""

from __future__ import annotations

from edgekit import geo
from edgekit.consistency import (
    Dynamo,
    Primary,
    Workload,
    cap_compare,
    closed_form_consistency,
    pbs_consistency,
    run_store,
)
from edgekit.consistency.caveats import writes_during_cut
from edgekit.consistency.scenarios import WORLD
from edgekit.exercises import Feedback, choose, exercise

# ch3.nrw: the N replicas of a key are the first N of these PoPs; the client sits in London.
CANDIDATES = ("LHR", "IAD", "NRT", "FRA", "AMS")
CLIENT = "LHR"
TARGET_MS = 30.0
NRW_WORKLOAD = Workload(duration_ms=2_000.0, think_ms=40.0, read_fraction=0.5)
# ch3.pbs_rw: a read 10 ms after the write commits, 99% of the time, N = 3 on LinkedIn's disks.
PBS_N, PBS_T_MS, PBS_TARGET, PBS_TRIALS = 3, 10.0, 0.99, 10_000


def _ints(answer, k: int, names: str):
    ok = isinstance(answer, (tuple, list)) and len(answer) == k
    if not ok or any(isinstance(x, bool) or not isinstance(x, int) for x in answer):
        return None, Feedback(False, f"expected {k} whole numbers in a tuple, such as {names}; got {answer!r}")
    return tuple(answer), None


@exercise(
    "ch3.cap_sides",
    "Under the transatlantic cut, which PoPs of WORLD can still complete operations on the majority-quorum store?",
    "Eight replicas, so a majority is five. Which PoPs can still reach five replicas? Look at which "
    "continents the cut separates (print(cap_faults('transatlantic cut'))), and which it leaves alone.",
)
def check_cap_sides(answer) -> Feedback:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return Feedback(False, f"expected a set of PoP codes such as {{'IAD', 'ORD'}}; got {answer!r}")
    got = {str(a).upper() for a in answer}
    unknown = got - set(WORLD)
    if unknown:
        return Feedback(False, f"{sorted(unknown)} are not in WORLD = {list(WORLD)}")
    rows = cap_compare("transatlantic cut").rows()
    want = {r["site"] for r in rows if r["cp_availability"] == 1.0}
    if got == want:
        return Feedback(True, f"{sorted(want)}: they can reach {len(WORLD) // 2 + 1} of {len(WORLD)} replicas. "
                              "Tokyo and Sydney are on neither side of the cut, so they side with the majority.")
    missing, extra = want - got, got - want
    if extra & {"LHR", "FRA"}:
        return Feedback(False, "London and Frankfurt can reach only themselves and the Asia-Pacific PoPs: "
                               "four replicas, one short of a majority, so the CP store refuses them")
    if missing & {"NRT", "SYD"}:
        return Feedback(False, "the cut separates Europe from the Americas only; Tokyo and Sydney still reach "
                               "both sides, so they are with the majority")
    return Feedback(False, f"not quite: you left out {sorted(missing)}" if missing else f"{sorted(extra)} cannot")


@check_cap_sides.reference
def cap_sides_reference():
    return {"IAD", "ORD", "SJC", "GRU", "NRT", "SYD"}


@exercise(
    "ch3.nrw",
    "Choose (N, R, W): reads never miss a completed write, losing any one replica still leaves reads and writes "
    "possible, and London's median read and write stay under 30 ms",
    "The N replicas are the first N of CANDIDATES = ('LHR', 'IAD', 'NRT', 'FRA', 'AMS'). A read waits for the "
    "R nearest of them, a write for the W nearest, and quorums overlap only when R + W > N. To survive one "
    "replica's loss, R and W must each be at most N - 1.",
)
def check_nrw(answer) -> Feedback:
    nrw, bad = _ints(answer, 3, "(3, 2, 2)")
    if bad:
        return bad
    n, r, w = nrw
    if not 1 <= n <= len(CANDIDATES):
        return Feedback(False, f"N={n}: there are {len(CANDIDATES)} candidate PoPs, so N is 1 to {len(CANDIDATES)}")
    if not (1 <= r <= n and 1 <= w <= n):
        return Feedback(False, f"R={r}, W={w}: each must be between 1 and N={n}")
    if n == 1:
        return Feedback(False, "N=1: one replica cannot miss a write, but if it fails the key is gone and nothing "
                               "can be read or written. Surviving one loss with R + W > N and R, W <= N - 1 "
                               "needs N of at least 3")
    if max(r, w) > n - 1:
        which = "R" if r > n - 1 else "W"
        return Feedback(False, f"N={n}, R={r}, W={w}: with one replica down only {n - 1} are left, fewer than "
                               f"{which} = {max(r, w)}, so that operation could never complete. Keep R and W at "
                               "most N - 1")
    if r + w <= n:
        p = closed_form_consistency(n, r, w)
        return Feedback(False, f"R + W = {r + w} is not more than N = {n}: a read can miss a write (if the write "
                               f"had reached only W replicas, a read would see it {100 * p:.0f}% of the time)")
    holders = CANDIDATES[:n]
    res = run_store(Dynamo(n, r, w, holders=holders), list(holders), None, NRW_WORKLOAD, seed=0)
    lhr = [o for o in res.ops if o.site == CLIENT and o.ok]
    med = {op: sorted(o.latency_ms for o in lhr if o.op == op) for op in ("read", "write")}
    med = {op: xs[len(xs) // 2] for op, xs in med.items()}
    slow = {op: ms for op, ms in med.items() if ms >= TARGET_MS}
    if slow:
        far = sorted(holders, key=lambda s: geo.estimate_rtt_ms(CLIENT, s) if s != CLIENT else 0.0)
        k = max(r, w)
        nth = {1: "nearest", 2: "2nd nearest", 3: "3rd nearest"}.get(k, f"{k}th nearest")
        return Feedback(False, f"London's median {' and '.join(slow)} took {max(slow.values()):.0f} ms: it waits "
                               f"for its {k} nearest replicas, and the {nth} of {list(holders)} is "
                               f"{far[k - 1]}. Could more replicas near London make a quorum cheaper?")
    stale = sum(o.stale for o in res.ops)
    near = sorted(holders, key=lambda s: geo.estimate_rtt_ms(CLIENT, s) if s != CLIENT else 0.0)[:max(r, w)]
    names = ", ".join(geo.place(x).city for x in near[:-1]) + " and " + geo.place(near[-1]).city
    return Feedback(True, f"N={n}, R={r}, W={w}: London reads in {med['read']:.0f} ms and writes in "
                          f"{med['write']:.0f} ms, and the simulator saw {stale} stale reads. {n} replicas let "
                          f"London's quorum of {max(r, w)} be {names}: the overlap is cheap when a majority "
                          "sits near the client (and everyone far away pays for it).")


@check_nrw.reference
def nrw_reference():
    return (5, 3, 3)


@exercise(
    "ch3.pbs_rw",
    "N = 3 on LinkedIn's disks ('lnkd-disk'): the (R, W) with the smallest R + W whose reads 10 ms after a "
    "write commits see it at least 99% of the time",
    "Try pbs_consistency(3, r, w, 10.0, latency='lnkd-disk') for a few (r, w). In lnkd-disk only the write "
    "leg (W) is slow.",
)
def check_pbs_rw(answer) -> Feedback:
    rw, bad = _ints(answer, 2, "(1, 1)")
    if bad:
        return bad
    r, w = rw
    if not (1 <= r <= PBS_N and 1 <= w <= PBS_N):
        return Feedback(False, f"R={r}, W={w}: each must be between 1 and N={PBS_N}")

    def p(r_, w_):
        return pbs_consistency(PBS_N, r_, w_, PBS_T_MS, latency="lnkd-disk", trials=PBS_TRIALS, seed=0)

    got = p(r, w)
    if got < PBS_TARGET:
        return Feedback(False, f"R={r}, W={w}: {100 * got:.1f}% of reads 10 ms after the commit see the write, "
                               "short of 99%" + (". Waiting for a second write acknowledgement barely helps when "
                                                 "the writes themselves are the slow part" if w > r else ""))
    # The smallest R + W that meets the target, trying small sums first (each try is a simulation).
    best = next(s for s in range(2, r + w + 1)
                if any(p(a, s - a) >= PBS_TARGET for a in range(max(1, s - PBS_N), min(PBS_N, s - 1) + 1)))
    if r + w > best:
        return Feedback(False, f"R={r}, W={w} meets the target ({100 * got:.1f}%), but R + W = {r + w}; a choice "
                               f"with R + W = {best} does too, and every extra replica waited for costs latency")
    return Feedback(True, f"R={r}, W={w}: {100 * got:.1f}% at 10 ms with only R + W = {r + w} (a partial quorum). "
                          "Asking one more replica on the read side catches writes that are still on their way.")


@check_pbs_rw.reference
def pbs_rw_reference():
    return (2, 1)


# ch3.who_keeps_writing: Europe cut off from everyone; London writes twice during the cut.
WRITING_CHOICES = {
    "a": "a synchronous primary at IAD",
    "b": "an asynchronous primary at IAD",
    "c": "a majority quorum over all eight PoPs (leaderless, ABD)",
    "d": "local writes (the AP store: each PoP answers, replication later)",
    "e": "Dynamo with N=3 on LHR, FRA and IAD, R = W = 2",
}
_WRITING_SPECS = {"a": Primary(acks="all"), "b": Primary(acks="none"), "c": "quorum", "d": "available",
                  "e": Dynamo(3, 2, 2, holders=("LHR", "FRA", "IAD"))}
_WRITING_WHY = {
    "a": "London cannot reach the primary in Virginia at all, so its writes time out",
    "b": "answering before replicating saves the backups' round trips, not the trip to the primary: London "
         "still has to reach Virginia, and it cannot. Asynchronous is not the same as local",
    "c": "Europe holds two of the eight replicas and a write needs five: London cannot form a majority",
    "d": "each PoP accepts its own writes and replicates later, so a cut only delays replication",
    "e": "two of the key's three replicas are in Europe, so London can still gather W = 2 acknowledgements: a "
         "quorum is available wherever a quorum of *its* replicas is (Washington's clients are the ones refused now)",
}


def keeps_writing_truth() -> set[str]:
    """The designs whose London writes all succeed during the cut, from the simulator."""
    return {k for k, spec in _WRITING_SPECS.items() if writes_during_cut(spec, "LHR", "Europe cut off")}


@exercise(
    "ch3.who_keeps_writing",
    "Europe (LHR, FRA) is cut off from every other PoP. Which of these designs still complete London's writes "
    "during the cut? Predict before you run anything; answer a set of letters.",
    "For each design ask: which replicas must London reach before it can answer, and are they on London's side?",
)
def check_who_keeps_writing(answer) -> Feedback:
    return choose(answer, WRITING_CHOICES, keeps_writing_truth(), _WRITING_WHY,
                  "only designs whose write needs nothing across the cut keep writing: the local write, and a quorum "
                  "whose replicas sit mostly on London's side. Availability is about *where* the acknowledgements "
                  "come from, not about sync or async")


@check_who_keeps_writing.reference
def who_keeps_writing_reference():
    return {"d", "e"}

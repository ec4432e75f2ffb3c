"""Chapter 5 exercises: who answers in a cut-off PoP, the upstream's half of a sync, and the fault
schedule that makes an asynchronous primary lose a write it acknowledged.

The first and the third are decided by the simulator, not by a table: ``ch5.isolated`` runs each
case of ``edgekit.edge.lab.isolation`` and ``ch5.lose_a_write`` runs the learner's fault timeline
through ``edgekit.edge.lab.failover`` and its lost-write check.
"""

from __future__ import annotations

from functools import lru_cache

from edgekit import geo
from edgekit.crdt import LWWRegister, ORSet
from edgekit.edge.config import EdgeConfig
from edgekit.edge.context import FakeContext
from edgekit.edge.lab.failover import FAILOVER_SITES, PRIMARY, check_schedule, failover_run
from edgekit.edge.lab.isolation import CASES, isolated_op
from edgekit.edge.messages import Merge
from edgekit.edge.replica import Replica
from edgekit.exercises import Feedback, choose, exercise, unanswered
from edgekit.sim import DiskLoss

# -- 1. who still answers in a cut-off PoP --------------------------------------------------------

ISOLATED_CHOICES = {
    "a": "asynchronous primary in London: a write",
    "b": "asynchronous primary in London: a read",
    "c": "hub and spoke: an LWW write to a key Sydney has never seen",
    "d": "hub and spoke: a read of a key Sydney holds",
    "e": "hub and spoke: a read miss, answered as missing",
    "f": "hub and spoke: a read miss with a blocking fetch from upstream",
    "g": "hub and spoke: an MV-register write to a key Sydney lacks",
    "h": "hub and spoke: an MV-register write to a key Sydney holds",
}
_ISOLATED_CASES = dict(zip(ISOLATED_CHOICES, CASES, strict=True))
_ISOLATED_WHY = {
    "a": "the primary answers before it replicates, but Sydney still has to reach London to be answered at "
         "all: asynchronous replication is not a local write",
    "b": "Sydney's own replica answers reads, stale but at once: this design loses writes in a cut, not local reads",
    "c": "an LWW write replaces whatever is there, so it needs nothing from upstream: Sydney stores it, pins it "
         "dirty and syncs it after the heal",
    "d": "a key the PoP holds is served from its own replicas inside the request; a cut only stops the sync",
    "e": "a miss is an answer: 'missing', at once. The object appears after the heal, when the sync brings it",
    "f": "a blocking fetch waits for the upstream until miss_timeout_ms (1 s here), then answers 'missing': a "
         "slow answer, not an error. Blocking trades latency, not availability",
    "g": "an MV write must carry the causal context of the values it replaces; Sydney lacks the key, so it must "
         "ask upstream first, and it cannot: the write fails, unapplied",
    "h": "Sydney holds the key's causal context, so the write is local: it replaces exactly what Sydney has seen",
}


@lru_cache(maxsize=1)
def isolated_truth() -> frozenset:
    """The letters whose client gets an error while Sydney is cut off, from the simulator."""
    return frozenset(k for k, case in _ISOLATED_CASES.items() if not isolated_op(case).ok)


@exercise(
    "ch5.isolated",
    "Sydney's PoP is cut off from the world for three seconds, and one Sydney client runs one operation "
    "during the cut. In which of these cases does the client get an error? Predict before you run anything; "
    "answer a set of letters.",
    "For each case ask: does Sydney need anything from across the cut before it can answer? Its own replicas "
    "are on its side.",
)
def check_isolated(answer) -> Feedback:
    return choose(answer, ISOLATED_CHOICES, set(isolated_truth()), _ISOLATED_WHY,
                  "only operations that need something from across the cut fail: a write the primary must accept, "
                  "and a write that must first learn the key's causal context. Everything the PoP can answer from "
                  "its own disks it answers, stale or missing, inside the request")


@check_isolated.reference
def isolated_reference():
    return {"a", "g"}


# -- 2. the upstream's half of a sync -----------------------------------------------------------


def _cases():
    a = LWWRegister().assign("LHR", "blue", 5.0)
    b = LWWRegister().assign("SYD", "green", 9.0)
    s1 = ORSet().add("LHR.1", "milk")
    s2 = ORSet().add("SYD.1", "eggs")
    return (
        ("a key the upstream has never seen, and a read miss", {}, {"a": a, "b": None}),
        ("an older value from the site than the upstream holds", {"a": b}, {"a": a}),
        ("two sites added different items to one set", {"cart": s1}, {"cart": s2}),
        ("the site lacks a key the upstream holds", {"c": a}, {"c": None}),
    )


def _oracle(store: dict, entries: dict) -> tuple[dict, dict]:
    """What one of edgekit's root replicas does with the same entries: (its store after, its answer)."""
    states = [v for v in (*store.values(), *entries.values()) if v is not None]
    kind = "orset" if any(isinstance(v, ORSet) for v in states) else "lww"
    root = Replica("root:FRA/r0", "root:FRA", "root", None, EdgeConfig(value_type=kind))
    for k, v in store.items():
        root.store.put(k, v)
    ctx = FakeContext("root:FRA/r0")
    root.on_message(ctx, "root:FRA", Merge(1, "LHR", dict(entries)))
    (_, answer), = ctx.sent
    return dict(root.store.data), dict(answer.entries)


@exercise(
    "ch5.serve",
    "Write serve(store, entries): the upstream's half of a sync",
    "For every key in the request: merge the site's value (if any) into the store with `|`, keep the "
    "result, and answer it; answer None for a key neither side holds. Answer exactly the keys asked about.",
)
def check_serve(fn) -> Feedback:
    if not callable(fn):
        return Feedback(False, f"expected a function `def serve(store, entries): ...`, got {type(fn).__name__}")
    for what, store, entries in _cases():
        want_store, want = _oracle(store, entries)
        mine = dict(store)
        got = fn(mine, dict(entries))
        if unanswered(got):
            return Feedback(False, "fill in the body of serve above, then run this cell again", answered=False)
        if not isinstance(got, dict):
            return Feedback(False, f"{what}: serve returned {got!r}; expected a dict key -> value (the response)")
        if set(got) != set(entries):
            extra, missing = sorted(set(got) - set(entries)), sorted(set(entries) - set(got))
            why = f"it has extra keys {extra}: answer only what was asked (quiet by default)" if extra else \
                f"it lacks {missing}: every requested key gets an answer, None if nobody has it"
            return Feedback(False, f"{what}: the response's keys are wrong, {why}")
        for k in entries:
            if got[k] != want[k]:
                if entries[k] is not None and got[k] == entries[k] and store.get(k) is not None:
                    return Feedback(False, f"{what}: you answered the site's own value for {k!r}; merge it "
                                           "with the upstream's (a | b) and answer the merge")
                return Feedback(False, f"{what}: for {k!r} you answered {got[k]!r}, expected the merge "
                                       f"{want[k]!r}")
        if mine != want_store:
            return Feedback(False, f"{what}: the upstream's store should end as {want_store!r}, not {mine!r}: "
                                   "keep every merge, the upstream is the authoritative copy")
        again = fn(mine, dict(entries))  # the same request delivered twice
        if again != got or mine != want_store:
            return Feedback(False, f"{what}: a duplicated request changed the answer or the store; merging "
                                   "is idempotent, so serving the same request twice must change nothing")
    return Feedback(True, "your serve agrees with edgekit's Upstream on new keys, read misses, stale "
                          "values, concurrent set adds and duplicated requests")


@check_serve.reference
def serve_reference():
    def serve(store, entries):
        response = {}
        for key, value in entries.items():
            mine = store.get(key)
            if value is not None:
                mine = value if mine is None else mine | value
                store[key] = mine
            response[key] = mine
        return response

    return serve


# -- 3. the fault schedule that loses an acknowledged write --------------------------------------


def _one_way_ms() -> float:
    """Half the median round trip London-Washington: how long an Append takes to reach a replica."""
    return geo.estimate_rtt_ms(PRIMARY, FAILOVER_SITES[1]) / 2


@exercise(
    "ch5.lose_a_write",
    "Write a fault schedule (a list of edgekit.sim events: Cut, Heal, Crash, Restart, DiskLoss) under which "
    "the asynchronous primary in London loses a write it has acknowledged. Its clients write every 250 ms "
    "from 0.5 s to 5 s; Washington and Sydney hold its replicas.",
    "A write is lost only when every copy of it is destroyed. Which event destroys a copy? And when does a "
    "write the primary acknowledged have no other copy yet?",
)
def check_lose_a_write(answer) -> Feedback:
    try:
        events = check_schedule(answer)
    except (TypeError, ValueError) as exc:
        return Feedback(False, str(exc))
    run = failover_run(events)
    if run.lost:
        when = ", ".join(f"{t:,.0f}" for t in run.lost_at_ms)
        return Feedback(True, f"{run.lost} write(s) acknowledged at {when} ms are gone: London answered them "
                              "before any replica had them, and the copy it restored from its replicas could not "
                              "bring them back. A synchronous primary, or a majority led by it (Raft's commit), "
                              "would have refused those writes instead: durability or availability, per write. "
                              "The edge keeps such writes pinned on the PoP's own disks and retries every epoch")
    losses = [e for e in events if isinstance(e, DiskLoss)]
    if not losses:
        return Feedback(False, "cuts and crashes only delay: the primary keeps its log on disk, and the next "
                               "heartbeat resends whatever a replica missed"
                               + (f" ({run.failed} writes were refused meanwhile, which is not losing them)"
                                  if run.failed else "") + ". Nothing is lost until a copy is destroyed: "
                               "which event destroys one?")
    if all(e.node != PRIMARY for e in losses):
        return Feedback(False, "a replica's lost disk is refilled from the primary's log at the next heartbeat: "
                               "the primary holds everything. Destroy the copy that is ahead of the others")
    return Feedback(False, f"London's disk went, but every write it had acknowledged had already reached a replica: "
                           f"its Append leaves with the acknowledgement and lands in Washington about "
                           f"{_one_way_ms():.0f} ms later, and the restore from the replicas brought everything "
                           "back. A write is at risk between its acknowledgement and its first copy elsewhere: "
                           "keep that window open (the Append must not arrive) when the disk goes")


@check_lose_a_write.reference
def lose_a_write_reference():
    from edgekit.sim import Cut, DiskLoss, Heal

    return [Cut(1_000, "LHR", "*"), DiskLoss(2_000, "LHR"), Heal(3_000, "LHR", "*")]

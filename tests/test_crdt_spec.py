"""Each type against its sequential specification, with an explicit causal-history oracle.

The oracle keeps, for every replica, the set of operations it has seen (its
causal history); a merge unites histories. The specification of each type is
a function of a history: an OR-Set holds x exactly when some add of x is not
seen by any remove; an MV-register holds exactly the causally maximal
assignments; an LWW register holds the largest (timestamp, replica). Random
histories drive the CRDT and the oracle side by side.
"""

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.crdt import (
    GCounter,
    GSet,
    LWWElementSet,
    LWWRegister,
    MVRegister,
    ORMap,
    ORSet,
    PNCounter,
    TwoPSet,
)
from edgekit.crdt.base import sort_key
from edgekit.crdt.counterexamples import NaiveORSet

REPLICAS = ("A", "B", "C")
ELEMS = ("x", "y", "z")


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    replica: str
    arg: object = None
    ts: int = 0
    seen: frozenset = frozenset()  # ids of the events in the acting replica's history


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("op"), st.integers(0, 2), st.sampled_from(["add", "remove"]),
                  st.sampled_from(ELEMS), st.integers(0, 4), st.integers(0, 3)),
        st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2)),
    ),
    max_size=25,
)
PROPS = settings(max_examples=80, deadline=None)


def drive(actions, bottom, apply, spec):
    """Run ``actions`` on CRDT replicas and on the oracle; assert values agree after every step."""
    reps = [bottom] * 3
    hist = [frozenset()] * 3
    events: dict[int, Event] = {}
    for a in actions:
        if a[0] == "sync":
            _, src, dst = a
            reps[dst] = reps[dst] | reps[src]
            hist[dst] = hist[dst] | hist[src]
            touched = dst
        else:
            _, r, kind, x, ts, n = a
            e = Event(len(events), kind, REPLICAS[r], x, ts, hist[r])
            events[e.id] = e
            reps[r] = apply(reps[r], e, n)
            hist[r] = hist[r] | {e.id}
            touched = r
        expected = spec([events[i] for i in sorted(hist[touched])])
        assert reps[touched].value == expected, (a, reps[touched], expected)
    return reps


def orset_spec(h):
    removes = [e for e in h if e.kind == "remove"]
    return frozenset(
        e.arg for e in h if e.kind == "add" and not any(r.arg == e.arg and e.id in r.seen for r in removes)
    )


def orset_apply(s, e, n):
    return s.add(e.replica, e.arg) if e.kind == "add" else s.remove(e.arg)


@PROPS
@given(ACTIONS)
def test_orset_keeps_x_exactly_when_some_add_is_unseen_by_every_remove(actions):
    drive(actions, ORSet(), orset_apply, orset_spec)


@PROPS
@given(ACTIONS)
def test_mvregister_keeps_exactly_the_causally_maximal_assignments(actions):
    def spec(h):
        assigns = [e for e in h if e.kind == "add"]
        return frozenset(e.arg for e in assigns if not any(e.id in o.seen for o in assigns))

    def apply(s, e, n):
        return s.assign(e.replica, e.arg) if e.kind == "add" else s

    drive(actions, MVRegister(), apply, spec)


@PROPS
@given(ACTIONS)
def test_lww_register_keeps_the_largest_timestamp_and_replica(actions):
    def spec(h):
        writes = [e for e in h if e.kind == "add"]
        return max(writes, key=lambda e: (e.ts, e.replica, sort_key(e.arg))).arg if writes else None

    def apply(s, e, n):
        return s.assign(e.replica, e.arg, e.ts) if e.kind == "add" else s

    drive(actions, LWWRegister(), apply, spec)


@PROPS
@given(ACTIONS)
def test_lww_element_set_keeps_each_elements_latest_write_remove_winning_ties(actions):
    def spec(h):
        latest = {}
        for e in h:
            key = (e.ts, e.replica, e.kind == "remove")
            if e.arg not in latest or key > latest[e.arg][0]:
                latest[e.arg] = (key, e.kind)
        return frozenset(x for x, (_, kind) in latest.items() if kind == "add")

    def apply(s, e, n):
        return getattr(s, e.kind)(e.replica, e.arg, e.ts)

    drive(actions, LWWElementSet(), apply, spec)


@PROPS
@given(ACTIONS)
def test_counters_sum_every_operation_seen(actions):
    def apply(s, e, n):
        return s.increment(e.replica, n) if e.kind == "add" else s.decrement(e.replica, n)

    def spec(h):
        return sum(e.ts if e.kind == "add" else -e.ts for e in h)

    # the amount is carried in the event's ``ts`` slot so the oracle sees it
    drive([a[:5] + (a[4],) if a[0] == "op" else a for a in actions], PNCounter(),
          lambda s, e, n: apply(s, e, e.ts), spec)
    drive([a[:2] + ("add",) + a[3:5] + (a[4],) if a[0] == "op" else a for a in actions], GCounter(),
          lambda s, e, n: s.increment(e.replica, e.ts), lambda h: sum(e.ts for e in h))


@PROPS
@given(ACTIONS)
def test_gset_and_2pset(actions):
    drive(actions, GSet(), lambda s, e, n: s.add(e.arg) if e.kind == "add" else s,
          lambda h: frozenset(e.arg for e in h if e.kind == "add"))
    drive(actions, TwoPSet(), lambda s, e, n: getattr(s, e.kind)(e.arg),
          lambda h: frozenset(e.arg for e in h if e.kind == "add") - {e.arg for e in h if e.kind == "remove"})


@PROPS
@given(ACTIONS)
def test_ormap_keys_are_add_wins_and_values_merge_every_update_seen(actions):
    def apply(s, e, n):
        if e.kind == "remove":
            return s.remove(e.arg)
        return s.update(e.replica, e.arg, lambda c: c.increment(e.replica, e.ts + 1), GCounter())

    def spec(h):
        keys = orset_spec(h)
        return {k: sum(e.ts + 1 for e in h if e.kind == "add" and e.arg == k) for k in keys}

    drive(actions, ORMap(), apply, spec)


# --- the classic OR-Set bug: a remove must survive merging an older replica -----------------


def remove_survives_older(cls, actions):
    """For every state s a replica reaches and every state o it has already merged (o <= s):
    after removing x at s, merging o back does not resurrect x."""
    reps = [cls()] * 3
    seen_by = [[cls()] for _ in range(3)]  # states each replica has merged (or been)
    for a in actions:
        if a[0] == "sync":
            _, src, dst = a
            seen_by[dst].append(reps[src])
            reps[dst] = reps[dst].merge(reps[src])
        else:
            _, r, kind, x, _, _ = a
            reps[r] = reps[r].add(REPLICAS[r], x) if kind == "add" else reps[r].remove(x)
            seen_by[r].append(reps[r])
        for r in range(3):
            for x in ELEMS:
                gone = reps[r].remove(x)
                for older in seen_by[r]:
                    if x in gone.merge(older).value:
                        return False
    return True


@PROPS
@given(ACTIONS)
def test_a_remove_survives_merging_an_older_replica(actions):
    assert remove_survives_older(ORSet, actions)


def test_the_property_catches_the_naive_or_set():
    history = [("op", 0, "add", "x", 0, 0), ("sync", 0, 1), ("op", 1, "add", "y", 0, 0)]
    assert remove_survives_older(ORSet, history)
    assert not remove_survives_older(NaiveORSet, history)


def test_mv_register_with_a_read_context_keeps_a_write_the_read_did_not_see():
    base = MVRegister().assign("A", "v1")
    ctx = base.context  # a client reads v1 and keeps the opaque context
    racing = base.assign("B", "v2")  # another write lands before the client writes back
    merged = base | racing
    assert merged.assign("A", "v3", context=ctx).value == {"v2", "v3"}
    assert merged.assign("A", "v3").value == {"v3"}


# --- sketches: merging sketches equals sketching the union (an exact oracle) -----------------

STREAMS = st.lists(st.tuples(st.sampled_from(REPLICAS), st.integers(0, 60), st.integers(1, 3)), max_size=40)


@PROPS
@given(STREAMS)
def test_merged_sketches_equal_the_sketch_of_everything(stream):
    from edgekit.crdt import BloomFilter, CountMinSketch, HyperLogLog

    per = {r: [(x, n) for q, x, n in stream if q == r] for r in REPLICAS}
    everything = [x for _, x, _ in stream]
    blooms = [BloomFilter(m=128, k=3).add_all(x for x, _ in per[r]) for r in REPLICAS]
    assert blooms[0] | blooms[1] | blooms[2] == BloomFilter(m=128, k=3).add_all(everything)
    hlls = [HyperLogLog(p=4).add_all(x for x, _ in per[r]) for r in REPLICAS]
    assert hlls[0] | hlls[1] | hlls[2] == HyperLogLog(p=4).add_all(everything)
    sketches = []
    for r in REPLICAS:
        c = CountMinSketch(width=8, depth=2)
        for x, n in per[r]:
            c = c.add(r, x, n)
        sketches.append(c)
    merged = sketches[0] | sketches[1] | sketches[2] | sketches[1]  # a duplicate, too
    assert merged.value == sum(n for _, _, n in stream)
    for x in set(everything):
        assert merged.estimate(x) >= sum(n for _, y, n in stream if y == x)  # never undercounts

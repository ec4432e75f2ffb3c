"""Chapter 4 exercises: which merges are safe, what a causal context keeps, a max register, a 2P-set.

The learner's own classes are checked twice: by the laws (does the merge
survive lost, repeated and reordered messages?) and against edgekit's own
type on random histories (does it mean the right thing?), which is what
catches a set whose removes do not stick.
"""

from __future__ import annotations

import operator
import random

from edgekit.crdt import TwoPSet, laws
from edgekit.crdt.experiments import mv_story
from edgekit.exercises import Feedback, exercise

# Candidate merges for ``ch4.which_merges``, on small numbers (sets for union).
MERGES = {
    "max": (max, lambda rng: rng.randint(0, 9)),
    "sum": (operator.add, lambda rng: rng.randint(0, 9)),
    "average": (lambda a, b: (a + b) / 2, lambda rng: rng.randint(0, 9)),
    "union": (operator.or_, lambda rng: frozenset(rng.sample(range(6), rng.randint(0, 3)))),
    "keep the incoming value": (lambda a, b: b, lambda rng: rng.randint(0, 9)),
}


@exercise(
    "ch4.which_merges",
    "Which of these merges are safe (ACI and monotonic)? Map each name to True or False",
    "Try each on a duplicated message (a | a) and on two orders (a | b against b | a); "
    "laws.check(states=..., merge=...) will tell you.",
)
def check_which_merges(answer) -> Feedback:
    if not isinstance(answer, dict):
        return Feedback(False, f"expected a dict such as {{'max': True, 'sum': False, ...}}, got {type(answer).__name__}")
    missing = [m for m in MERGES if m not in answer]
    if missing:
        return Feedback(False, f"say True or False for every merge; missing: {', '.join(missing)}")
    for name, (merge, states) in MERGES.items():
        report = laws.check(states=states, merge=merge, trials=100)
        if bool(answer[name]) != report.ok:
            if report.ok:
                return Feedback(False, f"'{name}' is safe: it is commutative, associative, idempotent and "
                                       "never loses information, so replicas agree whatever the network does")
            return Feedback(False, f"'{name}' is not safe. {report.failures[0].message}")
    return Feedback(True, "max and union are joins: commutative, associative, idempotent. Sum double-counts a "
                          "repeated message, average depends on grouping, and 'keep the incoming value' on order.")


@check_which_merges.reference
def which_merges_reference():
    return {"max": True, "sum": False, "average": False, "union": True, "keep the incoming value": False}


def _needs(cls, methods: tuple[str, ...]) -> str | None:
    if not isinstance(cls, type):
        return f"expected your class itself (answer = MyClass), got {type(cls).__name__}"
    try:
        bottom = cls()
    except Exception as exc:
        return f"{cls.__name__}() should make an empty value, but raised {type(exc).__name__}: {exc}"
    lacking = [m for m in methods if not hasattr(bottom, m)]
    if lacking:
        return f"{cls.__name__} has no {', '.join(lacking)}: it needs {', '.join(methods)}"
    return None


def _changes_in_place(cls, steps) -> str | None:
    """Say so when a mutator or merge changes its input instead of returning a new value."""
    for name, make, call in steps:
        original = make()
        before = repr(original)
        result = call(original)
        if result is original or repr(original) != before:
            return (f"{name} changed the value it was called on (before: {before}, after: {original!r}). "
                    "A state-based CRDT is a value: return a new one and leave the old one as it was, "
                    "for example with @dataclass(frozen=True)")
    return None


@exercise(
    "ch4.max_register",
    "Write MaxRegister: a number that only goes up, with write(v), merge(other) and value",
    "Make it a @dataclass(frozen=True) with one field; write keeps the larger of the two numbers, "
    "and so does merge.",
)
def check_max_register(cls) -> Feedback:
    problem = _needs(cls, ("write", "merge", "value"))
    if problem:
        return Feedback(False, problem)
    problem = _changes_in_place(cls, [
        ("write(9)", lambda: cls().write(3), lambda v: v.write(9)),
        ("merge", lambda: cls().write(3), lambda v: v.merge(cls().write(9))),
    ])
    if problem:
        return Feedback(False, problem)
    report = laws.check(ops=[lambda s, r, rng: s.write(rng.randint(0, 20))], bottom=cls(), trials=100)
    if not report.ok:
        return Feedback(False, str(report))
    a, b = cls().write(3), cls().write(7)
    if a.merge(b).value != 7 or b.write(5).value != 7:
        return Feedback(False, "the laws hold, but the value is wrong: write(3) merged with write(7) should read 7, "
                               "and writing 5 after 7 should still read 7")
    return Feedback(True, "a max register is a CRDT: the laws hold and the value is the largest write anyone made")


@check_max_register.reference
def max_register_reference():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class MaxRegister:
        value: int = 0

        def write(self, v):
            return MaxRegister(max(self.value, v))

        def merge(self, other):
            return MaxRegister(max(self.value, other.value))

    return MaxRegister


def _describe(history) -> str:
    words = []
    for step in history:
        if step[0] == "merge":
            words.append(f"{step[2]} merges {step[1]}'s state")
        else:
            words.append(f"{step[1]} {step[0]}s {step[2]!r}")
    return "; ".join(words)


def _first_disagreement(cls, seed: int = 0, trials: int = 200):
    """The shortest random history (of those tried) where ``cls`` and ``TwoPSet`` disagree."""
    rng = random.Random(seed)

    def run(history):
        mine = {r: cls() for r in "AB"}
        ref = {r: TwoPSet() for r in "AB"}
        for kind, r, x in history:
            if kind == "merge":
                mine[x] = mine[x].merge(mine[r])
                ref[x] = ref[x] | ref[r]
            else:
                mine[r] = getattr(mine[r], kind)(x)
                ref[r] = getattr(ref[r], kind)(x)
            for q in "AB":
                if set(mine[q].value) != set(ref[q].value):
                    return q, set(mine[q].value), set(ref[q].value)
        return None

    for t in range(trials):
        history = [
            ("merge", *rng.sample("AB", 2)) if rng.random() < 0.3
            else (rng.choice(("add", "remove")), rng.choice("AB"), rng.choice("xy"))
            for _ in range(2 + t // 20)
        ]
        if run(history) is None:
            continue
        for i in reversed(range(len(history))):  # shrink: drop steps that are not needed
            shorter = history[:i] + history[i + 1 :]
            if run(shorter) is not None:
                history = shorter
        return history, run(history)
    return None


@exercise(
    "ch4.two_phase_set",
    "Write MyTwoPSet: add(x), remove(x), merge(other), value; a removed element never comes back",
    "Keep two sets, added and removed, and merge each by union; the value is added minus removed.",
)
def check_two_phase_set(cls) -> Feedback:
    problem = _needs(cls, ("add", "remove", "merge", "value"))
    if problem:
        return Feedback(False, problem)
    problem = _changes_in_place(cls, [
        ("add('y')", lambda: cls().add("x"), lambda v: v.add("y")),
        ("remove('x')", lambda: cls().add("x"), lambda v: v.remove("x")),
        ("merge", lambda: cls().add("x"), lambda v: v.merge(cls().add("y"))),
    ])
    if problem:
        return Feedback(False, problem)
    ops = [lambda s, r, rng: s.add(rng.choice("xyz")), lambda s, r, rng: s.remove(rng.choice("xyz"))]
    report = laws.check(ops=ops, bottom=cls(), trials=100)
    if not report.ok:
        return Feedback(False, str(report))
    found = _first_disagreement(cls)
    if found is not None:
        history, (replica, mine, want) = found
        why = ("a remove must survive merging a replica that has not heard of it yet: keep removed "
               "elements (tombstones) and merge them too" if any(s[0] == "merge" for s in history) else
               "in a 2P-set a removed element can never come back: its tombstone stays, even after a new add")
        return Feedback(False, (
            f"the laws hold, but it is not a 2P-set: after {_describe(history)}, replica {replica} holds "
            f"{sorted(mine)} where a 2P-set holds {sorted(want)}. {why[0].upper()}{why[1:]}."))
    return Feedback(True, "a 2P-set: lawful, and it agrees with edgekit.crdt.TwoPSet on 200 random histories")


@check_two_phase_set.reference
def two_phase_set_reference():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class MyTwoPSet:
        added: frozenset = frozenset()
        removed: frozenset = frozenset()

        def add(self, x):
            return MyTwoPSet(self.added | {x}, self.removed)

        def remove(self, x):
            return MyTwoPSet(self.added, self.removed | {x})

        def merge(self, other):
            return MyTwoPSet(self.added | other.added, self.removed | other.removed)

        @property
        def value(self):
            return self.added - self.removed

    return MyTwoPSet


@exercise(
    "ch4.mv_context",
    "A multi-value register at LHR and SYD holds the siblings {blue, green}. A client at LHR reads both and "
    "writes teal, passing back the context of its read. Meanwhile SYD, not yet synced, overwrites green with "
    "navy. After the next sync, what does a read return? Answer a set of values.",
    "A write replaces exactly the dots in the context it carries: the siblings its writer had seen. "
    "Which values had the teal writer seen, and which had the navy writer seen?",
)
def check_mv_context(answer) -> Feedback:
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        return Feedback(False, f"expected a set of values such as {{'red'}}, got {answer!r}")
    got = {str(v).strip().lower() for v in answer}
    want = set(mv_story()[-1].state.value)
    if got == want:
        return Feedback(True, "{navy, teal}: teal's context held blue's and green's dots, so it replaced both; navy "
                              "replaced green but was written without seeing teal, so the two are concurrent "
                              "siblings. Nothing was lost and nothing came back")
    if got == {"teal"}:
        return Feedback(False, "teal is the last write in wall-clock order, but that is last-writer-wins thinking. "
                               "Its context covered only what the client had read (blue, green); navy was written "
                               "concurrently, so teal cannot replace it")
    if got == {"navy"}:
        return Feedback(False, "navy did not see teal either: neither write knows of the other, so neither replaces "
                               "the other. No timestamp decides between concurrent writes here")
    old = sorted(got & {"red", "blue", "green"})
    if old:
        return Feedback(False, f"{', '.join(old)} will not come back: teal's context contains blue's and green's "
                               "dots and navy's contains green's (and red was overwritten by both sides before). "
                               "A write carries the dots it replaces, so every replica drops them on merge")
    return Feedback(False, f"{sorted(got)} is not it. Follow the dots: which writes does each context cover?")


@check_mv_context.reference
def mv_context_reference():
    return {"teal", "navy"}

"""Check the laws that make a merge safe, on any type, and explain a failure in plain words.

A merge can be trusted with a real network (messages lost, repeated, out of
order) when it is commutative, associative and idempotent, and when merging
never loses information (monotonic: ``a <= a | b``). ``check`` tries each law
on many seeded random examples and, when one fails, shrinks the example and
says what went wrong: "merge is not idempotent: a = 2, a | a = 4, not a".

It needs only a way to make states. Either ``states``, a function
``rng -> state``, or ``ops``, a list of functions ``(state, replica, rng) ->
state`` applied to random replicas starting from ``bottom`` (the laws then see
states that real replicas reach, merges included). A type needs ``merge`` or
``|``, and ``==``; ``<=`` is checked when it exists. Or pass ``merge=`` (and
``leq=``) to check plain functions: ``check(states=..., merge=operator.add)``.

>>> import operator
>>> print(check(states=lambda rng: rng.randint(0, 9), merge=max))
merge looks safe: commutative, associative, idempotent, monotonic, convergent (200 trials each)
>>> print(idempotent(states=lambda rng: rng.randint(0, 9), merge=operator.add).message)
merge is not idempotent: a = 1, a | a = 2, not a (a duplicated message changes the state)
"""

from __future__ import annotations

import html
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .._checks import brief, check_int
from .convergence import simulate

__all__ = ["LawResult", "Report", "check", "commutative", "associative", "idempotent",
           "monotonic", "convergent", "every_merge_order", "show"]


@dataclass(frozen=True, repr=False)
class LawResult:
    """One law's verdict: ``ok``, and on failure a counterexample in plain words."""

    law: str
    ok: bool
    trials: int
    message: str
    example: tuple = ()
    skipped: bool = False

    def __str__(self) -> str:
        return self.message

    __repr__ = __str__  # a learner printing a verdict wants the words


@dataclass(frozen=True, repr=False)
class Report:
    """Every law's verdict; ``ok`` when none failed."""

    results: tuple[LawResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failures(self) -> list[LawResult]:
        return [r for r in self.results if not r.ok]

    def __getitem__(self, law: str) -> LawResult:
        return next(r for r in self.results if r.law == law)

    def __str__(self) -> str:
        if self.ok:
            held = [r.law for r in self.results if not r.skipped]
            n = max(r.trials for r in self.results)
            text = f"merge looks safe: {', '.join(held)} ({n} trials each)"
            return "\n".join([text] + [r.message for r in self.results if r.skipped])
        return "\n".join(r.message for r in self.failures)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.ok else "#D55E00"
        lines = "<br>".join(html.escape(line) for line in str(self).splitlines())
        return f'<div style="border-left:4px solid {colour};padding:4px 8px;font-size:15px">{lines}</div>'


def show(x, limit: int = 160) -> str:
    """A short description of a state: its repr, and its ``.value`` when it has one."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 10:
        raise ValueError(f"limit={brief(limit)}: expected an int >= 10 (characters)")
    try:
        text = repr(x)
    except (RecursionError, ValueError):  # nested thousands deep, or an int too long to print
        text = brief(x)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    value = getattr(x, "value", None)
    if value is not None and not callable(value) and _short(value) not in text:
        text += f" (value {_short(value)})"
    return text


def _short(v) -> str:
    if isinstance(v, (set, frozenset)):
        try:
            return "{" + ", ".join(repr(x) for x in sorted(v)) + "}" if v else "{}"
        except TypeError:
            pass
    return repr(v)


MAX_TRIALS = 100_000  # trials per law: 200 is the default, a million would run for hours
MAX_REPLICAS = 32


def _settings(seed, trials, replicas, merge=None, leq=None) -> None:
    """Check the knobs every law takes, before any trial runs."""
    check_int(trials, "trials", 1, MAX_TRIALS)
    check_int(replicas, "replicas", 1, MAX_REPLICAS)
    check_int(seed, "seed", -2**63, 2**63)
    for name, f in (("merge", merge), ("leq", leq)):
        if f is not None and not callable(f):
            raise TypeError(f"{name}={brief(f)}: expected a function (a, b) -> value, or None for the type's own")


def _merger(merge: Callable | None) -> Callable:
    if merge is not None:
        return merge
    return lambda a, b: a.merge(b) if hasattr(a, "merge") else a | b


def _order(leq: Callable | None) -> Callable:
    return leq if leq is not None else (lambda a, b: a <= b)


class _Source:
    """Makes the states a law is tried on, from ``states`` or from random runs of ``ops``."""

    def __init__(self, states, ops, bottom, merge, replicas: int):
        if states is None and ops is None:
            raise ValueError("states=None and ops=None: expected a function rng -> state, or a list of ops")
        if ops is not None and (not isinstance(ops, Sequence) or not ops or not all(map(callable, ops))):
            raise TypeError(f"ops={brief(ops)}: expected a non-empty list of functions (state, replica, rng) -> state")
        if states is not None and not callable(states):
            raise TypeError(f"states={brief(states)}: expected a function rng -> state")
        if states is None and bottom is None:
            raise ValueError("bottom=None: with ops, expected the starting state of every replica, e.g. bottom=MyType()")
        self.states, self.ops, self.bottom, self.merge = states, ops, bottom, merge
        self.replicas = replicas

    def events(self, rng: random.Random, size: int) -> list[tuple]:
        """A random history: ops at replicas and merges between them (or fresh states)."""
        r = self.replicas
        if self.ops is None:
            return [("state", i, rng.getrandbits(32)) for i in range(r)] + [
                ("state", rng.randrange(r), rng.getrandbits(32)) for _ in range(rng.randrange(size + 1) // 4)
            ]
        out = []
        for _ in range(size):
            if rng.random() < 0.6:
                out.append(("op", rng.randrange(r), rng.randrange(len(self.ops)), rng.getrandbits(32)))
            else:
                out.append(("merge", rng.randrange(r), rng.randrange(r)))
        return out

    def run(self, events: list[tuple]) -> list:
        """The replicas' states after ``events`` (each starts at ``bottom``)."""
        reps = [self.bottom] * self.replicas
        for e in events:
            if e[0] == "state":
                fresh = self.states(random.Random(e[2]))
                reps[e[1]] = fresh if reps[e[1]] is None else self.merge(reps[e[1]], fresh)
            elif e[0] == "op":
                reps[e[1]] = self.ops[e[2]](reps[e[1]], f"r{e[1]}", random.Random(e[3]))
            elif reps[e[1]] is not None and reps[e[2]] is not None:
                reps[e[2]] = self.merge(reps[e[2]], reps[e[1]])
        return reps


def _trial_law(name: str, prop: Callable, arity: int, source: _Source, seed: int, trials: int,
               max_size: int = 12) -> LawResult:
    """Try ``prop`` (states -> failure message or None) on ``trials`` histories; shrink a failure."""
    rng = random.Random(f"{name}:{seed}")

    def fails(events):
        try:
            states = source.run(events)[:arity]
        except Exception as exc:  # a learner's op may raise anything: say which
            return f"making the states raised {type(exc).__name__}: {exc}", ()
        if any(s is None for s in states):
            return None, ()
        try:
            return prop(*states), tuple(states)
        except Exception as exc:
            return (f"{name} check raised {type(exc).__name__}: {exc} "
                    f"(on {', '.join(show(s) for s in states)})"), tuple(states)

    for t in range(trials):
        events = source.events(rng, 1 + t * max_size // max(trials, 1))
        message, example = fails(events)
        if message is None:
            continue
        # Shrink: drop one event at a time while the law still fails (a small, readable example).
        changed = True
        while changed:
            changed = False
            for i in range(len(events)):
                smaller = events[:i] + events[i + 1 :]
                m, ex = fails(smaller)
                if m is not None and not m.startswith("making"):
                    events, message, example, changed = smaller, m, ex, True
                    break
        # Fresh random states cannot be cut smaller, but other draws can be shorter to read.
        for _ in range(64 if any(e[0] == "state" for e in events) else 0):
            redrawn = [(e[0], e[1], rng.getrandbits(32)) if e[0] == "state" else e for e in events]
            m, ex = fails(redrawn)
            if m is not None and not m.startswith("making") and (len(m), m) < (len(message), message):
                events, message, example = redrawn, m, ex
        return LawResult(name, False, t + 1, message, example)
    return LawResult(name, True, trials, f"{name}: holds in {trials} trials")


def _laws(merge: Callable, leq: Callable) -> dict[str, tuple[int, Callable]]:
    def comm(a, b):
        ab, ba = merge(a, b), merge(b, a)
        if ab != ba:
            return (f"merge is not commutative: a = {show(a)}, b = {show(b)}, a | b = {show(ab)} "
                    f"but b | a = {show(ba)} (replicas that hear the same news in a different order disagree)")

    def assoc(a, b, c):
        left, right = merge(merge(a, b), c), merge(a, merge(b, c))
        if left != right:
            return (f"merge is not associative: a = {show(a)}, b = {show(b)}, c = {show(c)}, "
                    f"(a | b) | c = {show(left)} but a | (b | c) = {show(right)}")

    def idem(a):
        aa = merge(a, a)
        if aa != a:
            return f"merge is not idempotent: a = {show(a)}, a | a = {show(aa)}, not a (a duplicated message changes the state)"

    def mono(a, b):
        j = merge(a, b)
        if not leq(a, j):
            return (f"merge is not monotonic: a = {show(a)}, b = {show(b)}, a | b = {show(j)}, "
                    "but a <= a | b is False (merging lost something)")
        if not leq(b, j):
            return (f"merge is not monotonic: a = {show(a)}, b = {show(b)}, a | b = {show(j)}, "
                    "but b <= a | b is False (merging lost something)")
        if leq(a, b) != (j == b):
            return (f"<= disagrees with merge: a = {show(a)}, b = {show(b)}: a <= b is {leq(a, b)} "
                    f"but a | b == b is {j == b} (a <= b should mean that merging a into b changes nothing)")

    return {"commutative": (2, comm), "associative": (3, assoc), "idempotent": (1, idem), "monotonic": (2, mono)}


def _has_eq(source: _Source, seed: int) -> LawResult | None:
    x = source.run(source.events(random.Random(seed), 4))[0]
    if x is not None and type(x).__eq__ is object.__eq__:
        return LawResult("equality", False, 1, (
            f"{type(x).__name__} does not define == , so two replicas with the same state look "
            "different; add __eq__, or make it a @dataclass(frozen=True)"))
    return None


def _law(name: str, states=None, *, ops=None, bottom=None, merge=None, leq=None, seed: int = 0,
         trials: int = 200, replicas: int = 3) -> LawResult:
    _settings(seed, trials, replicas, merge, leq)
    source = _Source(states, ops, bottom, _merger(merge), replicas)
    arity, prop = _laws(_merger(merge), _order(leq))[name]
    if name == "monotonic" and leq is None:
        probe = source.run(source.events(random.Random(seed), 2))
        try:
            probe[0] <= probe[0]  # noqa: B015 - does the type define an order at all?
        except TypeError:
            return LawResult(name, True, 0, "monotonic: not checked (the type defines no <=)", skipped=True)
    return _trial_law(name, prop, arity, source, seed, trials)


def commutative(states=None, **kw) -> LawResult:
    """``a | b == b | a``."""
    return _law("commutative", states, **kw)


def associative(states=None, **kw) -> LawResult:
    """``(a | b) | c == a | (b | c)``."""
    return _law("associative", states, **kw)


def idempotent(states=None, **kw) -> LawResult:
    """``a | a == a``: a duplicated message changes nothing."""
    return _law("idempotent", states, **kw)


def monotonic(states=None, **kw) -> LawResult:
    """``a <= a | b`` and ``b <= a | b``, and ``a <= b`` exactly when ``a | b == b``."""
    return _law("monotonic", states, **kw)


def convergent(states=None, *, ops=None, bottom=None, merge=None, deltas: bool = False, seed: int = 0,
               trials: int = 200, replicas: int = 3, drop: float = 0.2, duplicate: float = 0.2) -> LawResult:
    """Replicas that end up receiving every state (or every delta) agree, whatever the network did
    on the way: random delivery order, drops, duplicates. With ``deltas=True`` the ops return
    deltas, which are joined in and sent instead of whole states."""
    for name, p in (("drop", drop), ("duplicate", duplicate)):
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ValueError(f"{name}={brief(p)}: expected a probability in [0, 1)")
    if states is not None and ops is None:
        def fresh(s, r, rng):
            return states(rng) if s is None else _merger(merge)(s, states(rng))

        fresh.__name__ = "a new state merged in"
        ops = [fresh]
    _settings(seed, trials, replicas, merge)
    source = _Source(states, ops, bottom, _merger(merge), replicas)
    ok, runs, message, example = simulate(source, deltas, seed, trials, drop, duplicate, show)
    return LawResult("convergent", ok, runs, message, example)


def check(states=None, *, ops=None, bottom=None, merge=None, leq=None, seed: int = 0,
          trials: int = 200, replicas: int = 3) -> Report:
    """Every law: commutative, associative, idempotent, monotonic, convergent."""
    _settings(seed, trials, replicas, merge, leq)
    kw = dict(ops=ops, bottom=bottom, merge=merge, seed=seed, trials=trials, replicas=replicas)
    bad_eq = _has_eq(_Source(states, ops, bottom, _merger(merge), replicas), seed)
    if bad_eq is not None:
        return Report((bad_eq,))
    results = [_law(n, states, leq=leq, **kw) for n in ("commutative", "associative", "idempotent", "monotonic")]
    results.append(convergent(states, **kw))
    return Report(tuple(results))


def every_merge_order(states: Sequence, merge: Callable | None = None, duplicate: bool = True) -> list:
    """The result of merging ``states`` in every order, left to right (and, with ``duplicate``,
    with each state delivered twice in turn): one result per order.

    >>> len(set(map(frozenset, every_merge_order([{1, 2}, {2, 3}], merge=set.union))))
    1
    """
    if isinstance(states, (str, bytes, dict)) or not hasattr(states, "__iter__"):
        raise TypeError(f"states={brief(states)}: expected a list of states")
    states = list(states)
    if not 1 <= len(states) <= 7:
        raise ValueError(f"states: {len(states)} of them; expected 1 to 7 (n states have n! orders)")
    if merge is not None and not callable(merge):
        raise TypeError(f"merge={brief(merge)}: expected a function (a, b) -> value, or None")
    merge = _merger(merge)
    seqs = [list(states)] + ([list(states) + [s] for s in states] if duplicate else [])
    out = []
    for seq in seqs:
        for order in itertools.permutations(seq):
            acc = order[0]
            for s in order[1:]:
                try:
                    acc = merge(acc, s)
                except (TypeError, ValueError) as exc:
                    raise type(exc)(f"states: merge({brief(acc)}, {brief(s)}) raised: {exc}") from None
            out.append(acc)
    return out

"""Why a history is not linearizable: a smallest set of operations that cannot be ordered.

A bare subset of a history is a poor explanation: drop the write of 3 and a
read of 3 "cannot be ordered" only because its source is gone. So the set
returned here is judged *in context*: it cannot be ordered even when every
other operation of the history may take effect at whatever moment inside
its own interval helps most, or never. Such a set cannot be
ordered on its own either, and whatever made the history fail is inside it.

"Smallest" means *1-minimal*, as in Zeller's delta debugging: leaving out
any one of its operations (letting it join the context) makes the rest
orderable. A set of minimum size overall would need a search over all
subsets; a 1-minimal one takes a few dozen checks and is, in practice, the
handful of operations a person needs to look at.

How: the shortest prefix of the history (in call order) that fails, then
delete chunks of halving size and finally single operations while the
remainder still fails (Zeller & Hildebrandt 2002, "Simplifying and isolating
failure-inducing input").
"""

from __future__ import annotations

import math
from string import ascii_uppercase

from .._checks import brief
from .history import Operation, interval, is_open, label, precedes, validate_history
from .models import Model, validated
from .search import DEFAULT_MAX_SECONDS, DEFAULT_MAX_STATES, Budget, BudgetExhausted, search

__all__ = ["minimal_counterexample", "explain", "letters"]

MAX_LISTED = 12  # beyond this an explanation stops listing operations one by one


def minimal_counterexample(history: list[Operation], model: str | Model, *,
                           max_states: int | None = DEFAULT_MAX_STATES,
                           max_seconds: float | None = DEFAULT_MAX_SECONDS) -> list[Operation]:
    """A 1-minimal set of operations that cannot be ordered in the context of the rest, in call order.

    Every search it runs is charged to one budget of ``max_states`` and ``max_seconds``; when
    it runs out the answer is unknown and ``BudgetExhausted`` says why.

    >>> w1 = Operation("a", 0, 1, ("write", 1))
    >>> w2 = Operation("b", 2, 3, ("write", 2))
    >>> r = Operation("c", 4, 5, ("read", None), 1)
    >>> [label(op) for op in minimal_counterexample([w1, w2, r], "register")]
    ['client b: write 2', 'client c: read -> 1']

    (``write 1`` is context: it could only have happened before ``write 2``.)
    """
    budget = Budget(max_states, max_seconds)
    model, ops = validated(history, model)
    ops = sorted(ops, key=lambda op: op.call)
    if search(ops, model, budget=budget)[0]:
        raise ValueError("history: it is linearizable, so there is no counterexample to find")

    def fails(core: list[int]) -> bool:
        return not search([ops[k] for k in core], model, _context(ops, core, model), budget)[0]

    # The shortest failing prefix: prefix(lo) can be ordered, prefix(hi) cannot.
    lo, hi = 0, len(ops)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fails(list(range(mid))):
            hi = mid
        else:
            lo = mid
    current = list(range(hi))
    # Delete chunks, halving their size, then single operations, until none can go.
    chunks = 2
    while len(current) > 1:
        size = math.ceil(len(current) / chunks)
        for start in range(0, len(current), size):
            candidate = current[:start] + current[start + size :]
            if fails(candidate):
                current = candidate
                chunks = max(chunks - 1, 2)
                break
        else:
            if size == 1:
                break
            chunks = min(len(current), chunks * 2)
    return [ops[k] for k in current]


def _context(ops: list[Operation], core: list[int], model: Model) -> list[Operation]:
    """The operations outside ``core`` that could matter to it, as optional helpers.

    Left out, as they change nothing: operations the model marks read-only, and
    those called after every completed core operation had returned.
    """
    chosen = set(core)
    horizon = max((ops[k].ret for k in core if not is_open(ops[k])), default=-math.inf)
    quiet = model.read_only or (lambda inp, out: False)
    return [
        op
        for k, op in enumerate(ops)
        if k not in chosen and op.call <= horizon and not quiet(op.input, op.output)
    ]


def letters(ops: list[Operation]) -> dict[int, str]:
    """Short names A, B, C ... (A1, B1 ... after Z) keyed by ``id(op)``."""
    ops = validate_history(ops, "ops")
    names = {}
    for k, op in enumerate(ops):
        letter = ascii_uppercase[k % 26]
        names[id(op)] = letter if k < 26 else f"{letter}{k // 26}"
    return names


def _constraints(ops: list[Operation], name: dict[int, str]) -> list[str]:
    """Real-time orderings among ``ops``, without those implied by others."""
    lines = []
    for a in ops:
        for b in ops:
            if precedes(a, b) and not any(precedes(a, c) and precedes(c, b) for c in ops):
                lines.append(
                    f"{name[id(a)]} before {name[id(b)]} ({name[id(a)]} returned at {a.ret:g}, "
                    f"before {name[id(b)]} was called at {b.call:g})"
                )
    return lines


def explain(result) -> str:
    """The verdict of ``check_linearizable`` (a ``LinearizabilityResult``) in plain words.

    Shrinking the counterexample and finding the orders without each of its operations spend
    the budget the check was given (the result's ``max_states`` and ``max_seconds``).
    """
    if not all(hasattr(result, a) for a in ("ok", "model", "history", "failed_ops", "counterexample")):
        raise TypeError(f"result={brief(result)}: expected what check_linearizable returns")
    model = result.model
    n = len(result.history)
    if result.ok is None:
        where = "" if result.failed_part is None else f" (at key {brief(result.failed_part)})"
        return f"Unknown under model '{model.name}'{where}: {result.reason}"
    if result.ok:
        parts = f" in {len(result.witness)} independent parts" if len(result.witness) > 1 else ""
        return (
            f"Linearizable under model '{model.name}': all {n} operations{parts} can be placed in one "
            f"order that respects real time and the model's rules "
            f"({result.states_explored} search states explored)."
        )
    core = result.counterexample
    context = [op for op in result.failed_ops if all(op is not c for c in core)]
    name = letters(core)
    where = "" if result.failed_part is None else f", key {brief(result.failed_part)}"
    lines = [f"Not linearizable under model '{model.name}'{where}."]
    if len(core) == 1:
        op = core[0]
        lines.append(f"No state that any order of the operations can reach lets this one happen "
                     f"({'no operation produces the value it returned' if op.input[0] in ('read', 'get') else 'the model never allows it'}):")
        lines.append(f"  {label(op)}  ({interval(op)})")
        return "\n".join(lines)
    if result.counterexample_is_minimal:
        lines.append(f"These {len(core)} of the {n} operations cannot be put in any one order that respects real "
                     f"time and the model's rules, even if every other operation took effect at whatever moment "
                     f"inside its own interval would help most (or not at all):")
    else:
        lines.append(f"These {len(core)} of the {n} operations cannot be put in any one order that respects real "
                     f"time and the model's rules (the search for a smaller set ran out of budget):")
    for op in core[:MAX_LISTED]:
        lines.append(f"  {name[id(op)]}  {label(op)}  ({interval(op)})")
    if len(core) > MAX_LISTED:
        lines.append(f"  ... and {len(core) - MAX_LISTED} more")
    if len(core) > MAX_LISTED or not result.counterexample_is_minimal:
        return "\n".join(lines)
    rules = _constraints(core, name)
    if rules:
        lines.append("Real time forces: " + "; ".join(rules) + ".")
    else:
        lines.append("They all overlap in time, so real time allows any order; the model's rules forbid every one.")
    lines.append("Leave any one out (it joins the others) and an order exists:")
    budget = Budget(result.max_states, result.max_seconds)
    for op in core:
        rest = [o for o in core if o is not op]
        helpers = context + [op]
        try:
            _, order, _ = search(rest, model, helpers, budget)
        except BudgetExhausted:
            lines.append(f"  without {name[id(op)]}: (the search for that order ran out of budget)")
            continue
        lines.append(f"  without {name[id(op)]}: " + _order_words(order, rest, helpers, name))
    return "\n".join(lines)


def _order_words(order: list[int], core: list[Operation], helpers: list[Operation], name: dict) -> str:
    """``'A, (2 others, last client 4: write 3), B'``: a witness, runs of helpers shortened."""
    words, run = [], []
    for k in order:
        if k >= len(core):
            run.append(helpers[k - len(core)])
            continue
        if run:
            last = label(run[-1])
            words.append(f"({last})" if len(run) == 1 else f"({len(run) - 1} others, then {last})")
            run = []
        words.append(name[id(core[k])])
    return ", ".join(words) or "nothing needs to happen"

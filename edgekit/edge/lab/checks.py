"""The evidence: judge a run from what its clients saw and the final states, nothing else.

Jepsen's habit: the checker keeps its own record of what was acknowledged
(the client history, ``edgekit.edge.history.ClientOp``) and reads the system
only at the end, after every fault has healed and the protocol's own epochs
have gone quiet, never after a repair pass. It shares none of the system's
bookkeeping (no dirty marks, no interest sets, no observer), so the same
functions judge the simulator, a learner's node and a live planet.

``check_writes(history, final, value_type)``, per key, with ``R`` the final
(root) state, ``ok`` the acknowledged writes and ``info`` the writes that may or
may not have been applied:

- **lost**: every acknowledged write's effect is in ``R`` (``written <= R`` in the
  type's lattice order): for an LWW register, ``R`` holds it or a larger
  (timestamp, replica); for an MV register, its value or a write that saw it;
- **phantom**: ``R <= join(written of ok and info writes)``: nothing in ``R`` that
  no client wrote, and nothing a write replaced brought back;
- **count**: for counters, the value is exact: between the acknowledged
  increments (minus decrements) and that plus the ``info`` ones, counted from
  what the clients asked (the write's argument), not from the states;
- **lww**: the register holds the write with the largest (timestamp, replica)
  among the acknowledged ones, or a larger ``info`` one;
- **dot**: no two writes minted the same dot or counter entry (a reused dot makes
  two writes one).

An ``info`` write whose effect the client never learned (``written`` is None: its
connection died with the process, as on a live planet) bounds nothing: a key with
one is not judged for phantoms, and its LWW register may hold that write (its
argument, stamped by its site).

``check_sessions`` is read-your-writes at a site: every answer at a site (a read
that found the key, or a write) reflects every write acknowledged at that site
before the operation began. It holds when every write is on every replica of its
key (``write_quorum == n``) and no disk is lost; with fewer, a read may miss the
one replica that has the latest write: the talk's first-reply design trades this
for latency, and the kit shows it (``check_sessions`` finds it).

``check_copies`` compares copies with the final state; ``check_touched`` finds
keys a site holds that its clients never asked for.

>>> from edgekit.crdt import GCounter
>>> from edgekit.edge.history import ClientOp
>>> w = [ClientOp("LHR", "k", "write", i, i, i + 1, "ok", None, GCounter.of({"LHR.1": i})) for i in (1, 2)]
>>> check_writes(w, {"k": GCounter.of({"LHR.1": 2})}.get, "gcounter").ok
True
>>> check_writes(w, {"k": GCounter.of({"LHR.1": 1})}.get, "gcounter").problems[0]
'k: write 2 (acknowledged at LHR at 3 ms) is not in the final state'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..._checks import brief, check_hashable, check_items
from ..values import VALUE_TYPES, ValueType

__all__ = ["LostWrites", "check_writes", "check_sessions", "check_copies", "check_touched"]

_SHOW = 20  # problems listed in full


@dataclass(frozen=True)
class LostWrites:
    """The verdict: ``lost == 0`` is the property the design promises; ``ok``: no problem at all."""

    checked: int  # acknowledged writes
    keys: int  # keys written
    lost: int  # acknowledged writes missing from the final state
    maybe: int = 0  # writes whose outcome the client does not know
    problems: tuple = ()  # the first problems found, in words
    kinds: tuple = ()  # (kind, count) for every kind found: lost, phantom, count, lww, dot

    @property
    def ok(self) -> bool:
        return not self.kinds

    def __str__(self) -> str:
        head = f"{self.checked} acknowledged writes to {self.keys} keys ({self.maybe} unknown): "
        if self.ok:
            return head + "nothing lost, nothing invented"
        return head + ", ".join(f"{n} {k}" for k, n in self.kinds) + "\n  " + "\n  ".join(self.problems)


_OP_FIELDS = ("site", "key", "kind", "status", "invoke_ms", "complete_ms")


def _ops(history, fields: tuple = _OP_FIELDS) -> list:
    """``history`` as a list of client operations (``ClientOp``s, or records with their fields)."""
    ops = check_items(history, "history", object, "an iterable of ClientOps (EdgeSystem.history)")
    for i, op in enumerate(ops):
        if not all(hasattr(op, f) for f in fields):
            raise TypeError(f"history[{i}]={brief(op)}: expected a ClientOp (with {', '.join(fields)})")
    return ops


def _pairs(items, name: str, n: int, what: str) -> list:
    """``items`` as a list of ``n``-tuples (lists too) whose first two fields are hashable."""
    out = check_items(items, name, (tuple, list), what)
    for i, x in enumerate(out):
        if len(x) != n:
            raise ValueError(f"{name}[{i}]={brief(x)}: expected {what}")
        for v in x[:2]:
            check_hashable(v, f"{name}[{i}]", what)
    return out


def _vtype(value_type) -> ValueType:
    if isinstance(value_type, ValueType):
        return value_type
    if not isinstance(value_type, str) or value_type not in VALUE_TYPES:
        raise ValueError(f"value_type={brief(value_type)}: expected one of {tuple(VALUE_TYPES)}")
    return VALUE_TYPES[value_type]


def _final(final) -> Callable:
    if isinstance(final, Mapping):
        return final.get
    if not callable(final):
        raise TypeError(f"final={brief(final)}: expected a function key -> final state, or a dict")
    return final


def _minted(state) -> list:
    """The dots (or counter entries) a write's delta creates."""
    entries = getattr(state, "entries", None)
    if entries is not None:  # MV register, OR-Set: one (dot, payload) per add
        return [d for d, _ in entries]
    p = getattr(state, "p", None)
    if p is not None:  # PN counter: its entries in two halves
        return [("+", a, c) for a, c in p.counts] + [("-", a, c) for a, c in state.n.counts]
    counts = getattr(state, "counts", None)
    return [] if counts is None else [("+", a, c) for a, c in counts]


def _describe(op) -> str:
    return f"write {op.arg} (acknowledged at {op.site} at {op.complete_ms:g} ms)"


def check_writes(history: Iterable, final, value_type) -> LostWrites:
    """Judge every write of ``history`` against ``final(key)`` (see the module docstring)."""
    vt = _vtype(value_type)
    final = _final(final)
    leq, join = vt.leq, vt.join
    by_key: dict = {}
    for op in _ops(history):
        if op.kind == "write" and op.status != "fail":
            by_key.setdefault(op.key, []).append(op)
    kinds: dict = {}
    problems: list = []

    def flag(kind, text):
        kinds[kind] = kinds.get(kind, 0) + 1
        if len(problems) < _SHOW:
            problems.append(text)

    checked = maybe = lost = 0
    minted: dict = {}
    for key, ops in by_key.items():
        state = final(key)
        everything = None
        acked = [op for op in ops if op.status == "ok"]
        unknown = [op for op in ops if op.status == "info" and op.written is None]
        checked += len(acked)
        maybe += len(ops) - len(acked)
        for op in ops:
            everything = join(everything, op.written)
            if vt.uses_actor:
                for dot in _minted(op.written):
                    first = minted.setdefault((key, dot), op)
                    if first is not op:
                        flag("dot", f"{key}: write {op.arg} reuses {dot} of write {first.arg}")
        for op in acked:
            if not leq(op.written, state):
                lost += 1
                flag("lost", f"{key}: {_describe(op)} is not in the final state")
        if state is not None and not unknown and not leq(state, everything):
            flag("phantom", f"{key}: the final state {state.value!r} holds what no write made, or what a "
                            "write replaced")
        if vt.name in ("gcounter", "pncounter"):
            lo = hi = 0
            for op in ops:
                sign = 1 if vt.op(op.arg)[0] == "increment" else -1
                if op.status == "ok":
                    lo, hi = lo + sign, hi + sign
                elif sign > 0:
                    hi += 1
                else:
                    lo -= 1
            got = 0 if state is None else state.value
            if not lo <= got <= hi:
                flag("count", f"{key}: the final count is {got}; the clients' writes make it "
                              f"{lo if lo == hi else f'between {lo} and {hi}'}")
        if vt.name == "lww" and acked:
            best = max(acked, key=lambda op: (op.written.timestamp, op.written.replica))
            made = state is not None and (any(state == op.written for op in ops) or any(
                state.value == op.arg and state.replica == op.site for op in unknown))
            if not made or not leq(best.written, state):
                flag("lww", f"{key}: the final register is {None if state is None else state.value!r}; "
                            f"the largest (timestamp, replica) acknowledged is write {best.arg}")
    return LostWrites(checked, len(by_key), lost, maybe, tuple(problems), tuple(sorted(kinds.items())))


def check_sessions(history: Iterable, value_type) -> list[str]:
    """Read-your-writes at a site: problems found (empty: none), in words."""
    vt = _vtype(value_type)
    leq, join = vt.leq, vt.join
    by: dict = {}
    for op in _ops(history):
        by.setdefault((op.site, op.key), []).append(op)
    out = []
    for (site, key), ops in by.items():
        acks = sorted((op for op in ops if op.kind == "write" and op.status == "ok"), key=lambda o: o.complete_ms)
        mine, i = None, 0
        for op in sorted(ops, key=lambda o: o.invoke_ms):
            while i < len(acks) and acks[i].complete_ms < op.invoke_ms:
                mine = join(mine, acks[i].written)
                i += 1
            if op.status != "ok" or op.state is None or mine is None:
                continue  # failed, a miss ("I do not have it" is no wrong answer), or nothing yet
            if not leq(mine, op.state):
                out.append(f"{site} {key}: the {op.kind} at {op.invoke_ms:g} ms answered {op.state.value!r}, "
                           f"missing a write this site acknowledged before")
    return out


def check_copies(copies: Iterable, final, value_type=None) -> list[tuple]:
    """``(node, key)`` of every copy in ``copies`` (``(node, key, state)``) that differs from
    ``final(key)``; with ``value_type``, a copy of the type's bottom matches a key the final state
    lacks (the root's "nothing written yet", which it says but does not store)."""
    final = _final(final)
    bottom = None if value_type is None else _vtype(value_type).cls()
    out = []
    for node, key, state in _pairs(copies, "copies", 3, "(node, key, state) triples"):
        want = final(key)
        if state != want and not (want is None and state == bottom):
            out.append((node, key))
    return out


def check_touched(held: Iterable, history: Iterable) -> list[tuple]:
    """``(site, key)`` held at a site (``held``: ``(site, key)`` pairs) whose clients never asked for it.

    ``history`` must include the reads (``EdgeSystem(record_reads=True)``)."""
    held = _pairs(held, "held", 2, "(site, key) pairs")
    asked = {(op.site, op.key) for op in _ops(history, ("site", "key"))}
    return sorted({(s, k) for s, k in held if (s, k) not in asked})

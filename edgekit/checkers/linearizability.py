"""Linearizability checking: can every operation be given one instant inside its interval?

A history is *linearizable* (Herlihy & Wing 1990) when each operation can be
assigned a single point between its call and its return such that, taken in
the order of those points, the operations follow the model's sequential rules.

The search (``search.py``) is Wing & Gong's (1993) as refined by Lowe
("Testing for linearizability", 2017, the algorithm he calls WGL), which is
also what the Go checker porcupine runs. Operations that never returned, or
whose outcome is ``UNKNOWN``, may take effect at any point after their call
or not at all, so their return sits at the end of time and the search
succeeds once every *completed* operation is linearized. A model's
``partition`` splits the history into independent parts (one per key for
``"kv"``), each searched on its own.

Deciding linearizability is NP-complete (Gibbons & Korach 1997), so a check
runs on a budget of search states and seconds. When it runs out, the verdict
is a third one, *unknown*: ``ok is None``, and ``reason`` says which limit
stopped it. A real checker does the same (Knossos and porcupine take a
timeout and answer ``:unknown``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property

from .._checks import brief
from .explain import explain, minimal_counterexample
from .history import Operation
from .models import Model, validated
from .search import DEFAULT_MAX_SECONDS, DEFAULT_MAX_STATES, Budget, BudgetExhausted, search

__all__ = ["LinearizabilityResult", "check_linearizable", "search"]


@dataclass(eq=False)
class LinearizabilityResult:
    """The verdict of ``check_linearizable``; ``str(result)`` explains it in plain words.

    ``ok`` is True (linearizable), False (not), or None (unknown: the budget ran out first;
    ``reason`` says why). ``bool(result)`` is True only for a proven True.
    """

    ok: bool | None
    model: Model
    history: list[Operation]
    witness: dict[Hashable, list[Operation]] = field(repr=False)
    """For each part (``None`` when the model has no partition), a valid order found."""
    failed_part: Hashable = None
    """The key (for a partitioned model) whose operations cannot be ordered, or were not decided."""
    failed_ops: list[Operation] = field(default_factory=list, repr=False)
    states_explored: int = 0
    reason: str = ""
    """Why the verdict is unknown (empty when it is known)."""
    max_states: int | None = field(default=DEFAULT_MAX_STATES, repr=False)
    max_seconds: float | None = field(default=DEFAULT_MAX_SECONDS, repr=False)

    def __bool__(self) -> bool:
        return self.ok is True

    @property
    def linearization(self) -> list[Operation] | None:
        """The witness order for an unpartitioned model (``None`` when not proven linearizable)."""
        if not self.ok:
            return None
        if len(self.witness) == 1:
            return next(iter(self.witness.values()))
        return [op for ops in self.witness.values() for op in ops]  # per part, in part order

    @cached_property
    def _shrunk(self) -> tuple[list[Operation], bool]:
        if self.ok is not False:
            return [], True
        try:
            return minimal_counterexample(self.failed_ops, self.model, max_states=self.max_states,
                                          max_seconds=self.max_seconds), True
        except BudgetExhausted:  # the failing part itself is a counterexample, just not a small one
            return list(self.failed_ops), False

    @property
    def counterexample(self) -> list[Operation]:
        """A smallest set of operations that cannot be ordered (empty unless ``ok`` is False); see
        ``minimal_counterexample``. If shrinking runs out of budget: the whole part that failed."""
        return self._shrunk[0]

    @property
    def counterexample_is_minimal(self) -> bool:
        """False when the budget ran out while shrinking, so ``counterexample`` is the failed part."""
        return self._shrunk[1]

    def explain(self) -> str:
        """The verdict in plain words, naming the operations that cannot be ordered."""
        return explain(self)

    def __str__(self) -> str:
        return self.explain()


def check_linearizable(history: list[Operation], model: str | Model = "cas-register", *,
                       max_states: int | None = DEFAULT_MAX_STATES,
                       max_seconds: float | None = DEFAULT_MAX_SECONDS) -> LinearizabilityResult:
    """Is ``history`` linearizable under ``model`` (``'register'``, ``'cas-register'``, ``'kv'`` or a Model)?

    ``max_states`` and ``max_seconds`` bound the search (over all parts); past them the answer
    is unknown (``ok is None``) with the ``reason``.

    >>> ops = [Operation("a", 0, 1, ("write", 1)), Operation("b", 2, 3, ("read", None), None)]
    >>> check_linearizable(ops, "register").ok
    False
    >>> writes = [Operation(i, 0, 1, ("write", i)) for i in range(16)]
    >>> reads = [Operation("r", 2, 3, ("read", None), 3), Operation("r", 4, 5, ("read", None), 5)]
    >>> res = check_linearizable(writes + reads, "register", max_states=1000)
    >>> res.ok, res.reason[:42]
    (None, 'the search stopped before deciding: it exp')
    """
    budget = Budget(max_states, max_seconds)
    model, ops = validated(history, model)
    parts = model.partition(ops) if model.partition is not None else {None: ops}
    witness: dict[Hashable, list[Operation]] = {}
    limits = dict(max_states=max_states, max_seconds=max_seconds)
    for key, part in parts.items():
        try:
            ok, order, _ = search(part, model, budget=budget)
        except BudgetExhausted as out:
            return LinearizabilityResult(None, model, ops, witness, key, part, budget.used, out.reason, **limits)
        except TypeError as err:
            if "unhashable" in str(err):
                raise TypeError(f"model={brief(model.name)}: states must be hashable ({err})") from err
            raise
        if not ok:
            return LinearizabilityResult(False, model, ops, witness, key, part, budget.used, **limits)
        witness[key] = [part[i] for i in order]
    return LinearizabilityResult(True, model, ops, witness, states_explored=budget.used, **limits)

"""Consistency checkers: judge a recorded history, explain a violation, measure staleness.

* ``history``: ``Operation`` records and the ``UNKNOWN`` outcome.
* ``models``: sequential specifications (``register``, ``cas-register``, ``kv``, your own ``Model``).
* ``linearizability``: ``check_linearizable``: linearizable, not, or unknown when its budget runs out.
* ``search``: the Wing-Gong-Lowe search with memoisation, on a budget of states and seconds.
* ``explain``: a 1-minimal set of operations that cannot be ordered, in plain words.
* ``bruteforce``: the definition, by trying every order (the oracle for small histories).
* ``jepsen``: readers for Jepsen etcd logs and porcupine key-value logs.
* ``sessions`` and ``staleness``: read-your-writes, monotonic reads, versions and time behind.
* ``generate``: random linearizable histories (and spoiled ones) for tests and exercises.
"""

from .bruteforce import check_linearizable_bruteforce
from .explain import minimal_counterexample
from .history import UNKNOWN, Operation, describe, is_open, precedes
from .jepsen import parse_jepsen_log, parse_porcupine_kv
from .linearizability import LinearizabilityResult, check_linearizable
from .models import CAS_REGISTER, KV, MODELS, REGISTER, Model, get_model
from .search import Budget, BudgetExhausted
from .sessions import SessionViolation, monotonic_reads, read_your_writes, session_violations
from .staleness import ReadStaleness, StalenessSummary, staleness, staleness_summary

__all__ = [
    "UNKNOWN",
    "Operation",
    "describe",
    "is_open",
    "precedes",
    "Model",
    "REGISTER",
    "CAS_REGISTER",
    "KV",
    "MODELS",
    "get_model",
    "check_linearizable",
    "LinearizabilityResult",
    "Budget",
    "BudgetExhausted",
    "minimal_counterexample",
    "check_linearizable_bruteforce",
    "parse_jepsen_log",
    "parse_porcupine_kv",
    "SessionViolation",
    "read_your_writes",
    "monotonic_reads",
    "session_violations",
    "ReadStaleness",
    "StalenessSummary",
    "staleness",
    "staleness_summary",
]

"""Bad input into every public name of every edgekit module (widgets aside: tests/test_widgets_robust.py).

Each probe starts from one valid call (``probe_table.probes`` for the core, ``probe_table_sim_edge``
for sim and edge, ``probe_table_outer`` for grade, live, exercises, chapters, doctor and figures) and replaces one argument at
a time by a bad value: a wrong type, NaN, infinity, a negative or huge number, an empty or
deeply nested value. The call may accept it (many do: a seed of -1 is a fine seed), or refuse
it with a ValueError or TypeError whose message names the parameter. Anything else is a
defect: a KeyError, AttributeError, RecursionError, OverflowError ... from a public function,
or a call that does not come back (each call gets ``HANG_S`` seconds).
"""

import math
import re
import signal

import probe_table_outer
import probe_table_sim_edge
import pytest
from probe_table import probes

HANG_S = 20  # far above any probe's normal time, even on a loaded machine; only a hang reaches it


def _deep_list(n: int) -> list:
    x: list = []
    for _ in range(n):
        x = [x]
    return x


def _deep_dict(n: int) -> dict:
    x: dict = {}
    for _ in range(n):
        x = {"a": x}
    return x


BAD = {
    "None": None, "object": object(), "str": "x", "empty str": "", "list": [], "dict": {}, "bool": True,
    "-1": -1, "0": 0, "-0.5": -0.5, "nan": math.nan, "inf": math.inf, "-inf": -math.inf,
    "10**400": 10**400, "1e308": 1e308, "bytes": b"\xff\xfe", "deep list": _deep_list(5000),
    "deep dict": _deep_dict(5000), "[nan]": [math.nan], "mixed list": [1, "a", None],
}


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def _call(fn, args, kwargs):
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_S)
    try:
        return fn(*args, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _slots(fn, args, kwargs) -> list[tuple[object, str]]:
    import inspect

    params = list(inspect.signature(fn).parameters)
    return [(i, params[i]) for i in range(len(args))] + [(k, k) for k in kwargs]


# Some parameters are named by what they are: ``from_json(d)``'s message says "causal
# context=...", ``merge(other)``'s "cannot merge GCounter with ...", ``add(x)``'s "element=...";
# edgekit.live's ``config_from_json(text)`` and ``load_class(path)`` by the command-line option
# the text comes from ("--config=...", "--node=...").
ALIASES = {"d": ("json", "causal context", "version vector", "vector clock", "dot", "outcome"), "other": ("merge",),
           "x": ("element", "dot"), "xs": ("element",), "t": ("timestamp",), "ex_id": ("exercise id",),
           "text": ("--config=",), "path": ("--node=",)}


def _names(message: str, name: str) -> bool:
    """The message names the parameter as ``name=...``, ``name[...]``, ``name: ...``, ``name.x``
    or ``name(...)`` (a bare word would let ``a`` match the article), or by its alias."""
    if any(alias in message for alias in ALIASES.get(name, ())):
        return True
    return re.search(rf"(?<![\w.]){re.escape(name)}(?=[=\[:.(])", message) is not None


def problems(fn, args, kwargs) -> list[str]:
    """Every (parameter, bad value) that gets something other than a named ValueError/TypeError."""
    found = []
    for slot, name in _slots(fn, args, kwargs):
        for label, bad in BAD.items():
            a, k = list(args), dict(kwargs)
            if isinstance(slot, int):
                a[slot] = bad
            else:
                k[slot] = bad
            try:
                _call(fn, a, k)
            except (ValueError, TypeError) as exc:
                if not _names(str(exc), name):
                    found.append(f"{name}={label}: {type(exc).__name__} does not name {name!r}: {str(exc)[:120]}")
            except Hang:
                found.append(f"{name}={label}: no answer within {HANG_S} s")
            except Exception as exc:  # noqa: BLE001 - exactly what the probe looks for
                found.append(f"{name}={label}: {type(exc).__name__}: {str(exc)[:120]}")
    return found


PROBES = {name: (fn, args, kwargs) for table in (probes, probe_table_sim_edge.probes, probe_table_outer.probes)
          for name, fn, args, kwargs in table()}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", sorted(PROBES))
def test_bad_input_gets_a_named_value_or_type_error(name):
    fn, args, kwargs = PROBES[name]
    _call(fn, args, kwargs)  # the valid call works, so what follows tests one bad argument at a time
    found = problems(fn, args, kwargs)
    assert not found, f"{name}: " + "\n".join(found)


def test_the_probe_sees_an_unnamed_error_and_a_hang():
    """The probe itself can fail: an AttributeError, a message without the name, a loop."""

    def unnamed(x):
        return x.lower()

    def hangs(n):
        while n == n:  # NaN aside, forever
            pass

    assert any("AttributeError" in p for p in problems(unnamed, ("a",), {}))
    assert any("does not name" in p for p in problems(lambda value: int(value), ("1",), {}))
    global HANG_S
    saved, HANG_S = HANG_S, 0.2
    try:
        assert any("no answer" in p for p in problems(hangs, (1,), {}))
    finally:
        HANG_S = saved


# Public names that take no input worth probing, with the reason.
NOT_PROBED = {
    # records the kit hands back (results, rows, verdicts): made by the kit, not from input
    "LinearizabilityResult", "SessionViolation", "ReadStaleness", "StalenessSummary", "NtpSample",
    "RunResult", "CapComparison", "PacelcPoint", "OpRecord", "SiteStats", "WriteCost", "SketchPoint",
    "WireSize", "Hasse", "LawResult", "Report", "Spec", "Calibration", "Measurement", "Place",
    "BudgetExhausted", "MVStep",
    # a CRDT's fields are its representation: values come from Type(), the mutators (probed) and
    # from_json (fuzzed in test_crdt_from_json_fuzz); sketches' size arguments are probed
    "GCounter", "PNCounter", "GSet", "TwoPSet", "LWWElementSet", "ORSet", "LWWRegister", "MVRegister",
    "ORMap", "VersionVector", "CausalContext", "StateCRDT", "DotStore",
    # simulation nodes, built by the store specs (Primary, Dynamo, Available: probed) inside run_store
    "Replica", "Round", "Client", "AvailableReplica", "DynamoReplica", "PrimaryReplica", "QuorumReplica",
    # no arguments at all
    "Quorum", "places", "measurements", "calibration",
    # deliberately broken teaching types, and laws' plumbing (its source is laws' private _Source)
    "IntSum", "LastArrival", "NaiveORSet", "simulate",
    # the op-based text CRDT has its own hardening and tests
    "Text",
} | probe_table_sim_edge.NOT_PROBED | probe_table_outer.NOT_PROBED


# Sub-packages with their own robustness tests, and modules that are no library: the widgets
# (tests/test_widgets_robust.py), the op-based text CRDT (tests/test_text*.py: its own
# hardening), and ``python -m`` entry points.
SKIPPED_MODULES = ("edgekit.widgets", "edgekit.crdt.text", "edgekit.live.__main__", "edgekit.doctor.__main__")


def public_modules() -> list[str]:
    """Every module of edgekit but the private ones and ``SKIPPED_MODULES``."""
    import importlib
    import pkgutil

    import edgekit

    names = ["edgekit"]
    for info in pkgutil.walk_packages(edgekit.__path__, "edgekit."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts[1:]) or info.name.startswith(SKIPPED_MODULES):
            continue
        names.append(info.name)
    return [n for n in names if importlib.import_module(n) is not None]


def _public_callables():
    import importlib

    names = {}
    for module in public_modules():
        mod = importlib.import_module(module)
        for name in getattr(mod, "__all__", ()):
            if callable(getattr(mod, name)):
                names.setdefault(name, []).append(getattr(mod, name))
    return names


def test_every_public_name_is_probed_or_says_why_not():
    fns = [fn for fn, _, _ in PROBES.values()]
    owners = [getattr(fn, "__self__", None) for fn in fns]  # a bound method probes its class
    wrapped = [getattr(fn, "func", None) for fn in fns]  # a partial probes its function
    probed = {id(x) for x in fns + owners + wrapped + [type(o) for o in owners]}
    missing = sorted(n for n, objs in _public_callables().items()
                     if any(id(obj) not in probed for obj in objs) and n not in NOT_PROBED)
    assert not missing, f"public names with no probe: {missing}"


# Modules with no public name of their own: the package's root (a version and a docstring), and
# each chapter's exercise checkers, which a learner reaches through ``exercises.check(id, answer)``
# (probed once per exercise).
REACHED_OTHERWISE = {"edgekit", "edgekit.figures"} | {f"edgekit.exercises.ch{i}" for i in range(1, 7)}


def test_every_public_module_says_what_is_public():
    """A module with no ``__all__`` would drop out of the probe unseen."""
    import importlib

    silent = [m for m in public_modules() if not hasattr(importlib.import_module(m), "__all__")
              and m not in REACHED_OTHERWISE]
    assert not silent, f"modules without __all__: {silent}"

"""Timeline figures of histories and counterexamples."""

import math

import pytest

from edgekit.checkers import UNKNOWN, Operation, check_linearizable
from edgekit.figures.checkers import counterexample_timeline, history_timeline

HISTORY = [
    Operation("alice", 0, 3, ("write", 1)),
    Operation("alice", 4, 7, ("write", 2)),
    Operation("bob", 1, 2, ("read", None), None),
    Operation("bob", 8, 9, ("read", None), 1),
    Operation("carol", 5, math.inf, ("write", 3), UNKNOWN),
]


def _bars(fig):
    return {t.name: t for t in fig.data if t.type == "bar"}


def test_history_timeline_one_row_per_client_and_bars_from_call_to_return():
    fig = history_timeline(HISTORY, title="a history")
    bars = _bars(fig)
    plain = bars["operation"]
    assert list(plain.base) == [0, 4, 1, 8] and list(plain.x) == [3, 3, 1, 1]
    assert set(fig.layout.yaxis.categoryarray) == {"client alice", "client bob", "client carol"}
    # an operation that never returned runs to the right edge, dotted
    pending = bars["never returned / outcome unknown"]
    assert len(pending.base) == 1 and pending.base[0] + pending.x[0] == pytest.approx(fig.layout.xaxis.range[1])
    assert set(pending.marker.pattern.shape) == {"."}
    assert len(bars["cannot be ordered"].base) == 0


def test_counterexample_is_hatched_and_lettered():
    res = check_linearizable(HISTORY, "register")
    assert not res.ok
    fig = counterexample_timeline(res, context="all")
    bad = _bars(fig)["cannot be ordered"]
    assert len(bad.base) == len(res.counterexample) == 2
    assert set(bad.marker.pattern.shape) == {"/"}  # a pattern, not only a colour
    stars = next(t for t in fig.data if t.type == "scatter")
    assert stars.marker.symbol == "star"
    assert [t.split(":")[0] for t in stars.text] == ["<b>A</b>", "<b>B</b>"]
    assert "2 operations that cannot be ordered" in fig.layout.title.text
    only = counterexample_timeline(res, context="none")
    assert sum(len(t.base) for t in only.data if t.type == "bar") == 2


def test_counterexample_timeline_bad_input():
    res = check_linearizable(HISTORY, "register")
    with pytest.raises(ValueError, match="context='everything'"):
        counterexample_timeline(res, context="everything")
    with pytest.raises(ValueError, match="linearizable"):
        counterexample_timeline(check_linearizable(HISTORY[:3], "register"))
    with pytest.raises(ValueError, match="unknown"):  # a verdict cut short by the budget has nothing to draw
        counterexample_timeline(check_linearizable(HISTORY, "register", max_states=1))


def test_etcd_counterexample_window(shared_data):
    from edgekit.checkers import parse_jepsen_log

    res = check_linearizable(parse_jepsen_log(shared_data / "jepsen-etcd" / "etcd_001.log"), "cas-register")
    fig = counterexample_timeline(res)
    shown = sum(len(t.base) for t in fig.data if t.type == "bar")
    assert len(res.counterexample) <= shown < len(res.history)

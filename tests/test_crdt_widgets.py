"""Chapter 4's playground widget and figures, driven without a browser."""

import html

import pytest

from edgekit.crdt import GSet, ORSet
from edgekit.crdt.experiments import sketch_accuracy, wire_sizes
from edgekit.crdt.lattice import hasse
from edgekit.figures import crdt as cfig
from edgekit.widgets.crdt import KINDS, PlaygroundApp


def test_concurrent_add_survives_remove_and_replicas_converge_in_any_order():
    app = PlaygroundApp("ORSet")
    app.apply("A", "add", "x")
    m1 = app.send("A", "B")
    app.deliver(m1)
    app.apply("B", "remove", "x")  # B saw A's add and removes it
    app.apply("C", "add", "x")  # C adds x concurrently
    assert not app.converged and "keep syncing" in app.output.value
    m2, m3 = app.send("B", "C"), app.send("C", "A")
    m4 = app.send("B", "A")
    app.duplicate(m3)  # delivered, and a copy stays in flight
    app.deliver(m4)
    app.deliver(m3)  # the duplicate changes nothing
    app.drop(m2)  # lost: C never hears from B directly
    app.sync_all()
    assert app.converged and "converged" in app.output.value
    assert all(s.value == {"x"} for s in app.states.values())  # add wins
    assert "{x}" in app.output.value


def test_changing_the_type_resets_and_redraws_the_lattice():
    app = PlaygroundApp("ORSet")
    app.apply("A", "add", "x")
    before = list(app.figure.data[1].text)
    app.kind.value = "GSet"
    assert app.operation.options == ("add",)
    assert all(s == GSet() for s in app.states.values())
    app.apply("A", "add", "x")
    app.apply("B", "add", "y")
    texts = list(app.figure.data[1].text)
    assert texts != before and "{x}" in texts and "{y}" in texts and "{x,y}" in texts
    assert len(app.figure.data) == 5  # edges, states, one marker per replica
    assert [t.name for t in app.figure.data[2:]] == ["replica A", "replica B", "replica C"]


def test_counters_and_registers_through_the_controls():
    app = PlaygroundApp("PNCounter")
    app.replica.value = "B"
    app.operation.value = "decrement"
    app.argument.value = "2"
    app.apply_button.click()
    assert app.states["B"].value == -2 and "<b>-2</b>" in app.output.value
    app.kind.value = "LWWRegister"
    assert not app.timestamp.disabled
    app.timestamp.value = 5
    app.argument.value = "red"
    app.apply_button.click()
    assert app.timestamp.value == 6  # the playground's clock moves on
    app.replica.value = "C"
    app.timestamp.value = 3  # C's clock is behind: its later write loses
    app.argument.value = "blue"
    app.apply_button.click()
    app.sync_all()
    assert app.states["A"].value == "red"


def test_bad_input_is_a_message_not_a_traceback():
    app = PlaygroundApp("GCounter")
    app.argument.value = "lots"
    app.apply_button.click()
    shown = html.unescape(app.output.value)
    assert "Cannot show this" in shown and "amount='lots': expected a whole number" in shown
    app.src.value = app.dst.value = "A"
    app.send_button.click()
    assert "expected two different replicas" in html.unescape(app.output.value)
    app.deliver_button.click()  # nothing in flight
    assert "message=None" in html.unescape(app.output.value)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_plays_and_converges(kind):
    app = PlaygroundApp(kind)
    ops = KINDS[kind][1]
    arg = "1" if "Counter" in kind else "x"
    for i, r in enumerate("ABCAB"):
        app.apply(r, ops[i % len(ops)], arg, timestamp=i)
        app.deliver(app.send(r, "C" if r != "C" else "A"))
    app.sync_all()
    assert app.converged and app.last_error is None


def test_hasse_diagram_of_a_powerset_and_a_cut_off():
    states = [GSet().add(x) for x in "abc"]
    h = hasse(states + [GSet()])
    assert len(h.nodes) == 8 and len(h.edges) == 12 and h.complete and max(h.rank) == 3
    big = hasse([GSet().add(x) for x in "abcdefgh"], limit=20)
    assert not big.complete and len(big.nodes) == 20
    fig = cfig.hasse_figure(h, {"A": 0, "B": 1, "C": 1})
    assert [t.name for t in fig.data][-3:] == ["replica A", "replica B", "replica C"]
    assert len({t.marker.symbol for t in fig.data[-3:]}) == 3  # not by colour alone
    s = ORSet().add("A", "x")
    assert hasse([s, s.remove("x")]).edges == ((0, 1),)


def test_sketch_and_wire_figures():
    pts = sketch_accuracy(sizes=(100, 1000), seed=2)
    fig = cfig.sketch_figure(pts)
    names = [t.name for t in fig.data if t.showlegend is not False]
    assert names == ["estimate = truth", "HyperLogLog", "Bloom filter", "Count-min"]
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis2.ticksuffix == "%"
    errors = [t for t in fig.data if t.xaxis == "x2"]
    assert [round(y / 100, 6) for y in errors[0].y] == [round(p.relative_error, 6) for p in pts
                                                         if p.sketch == "HyperLogLog"]
    rows = wire_sizes(counts=(1, 10))
    fig = cfig.wire_size_figure(rows)
    assert len(fig.data) == 6
    assert {t.line.dash for t in fig.data} == {"solid", "dash"}

"""Chapter 2's figures, widgets and exercises, driven without a browser."""

import pytest

from edgekit.exercises import check
from edgekit.figures import time as tfig
from edgekit.sim.lww import loss_threshold_ms, lww_run
from edgekit.sim.ntp import ntp_survey
from edgekit.sim.workloads import EXCHANGE_ORDER
from edgekit.widgets.time import HappensBeforeApp, LWWSkewApp, SpaceTimeApp, exchange


def _event_traces(fig):
    return {t.name: t for t in fig.data if t.name in ("local event", "send", "receive")}


def test_spacetime_figure_labels_every_event_with_the_chosen_clock():
    cz = exchange()
    for stamp in tfig.STAMPS:
        fig = tfig.spacetime_figure(cz, stamp, EXCHANGE_ORDER)
        traces = _event_traces(fig)
        assert sum(len(t.x) for t in traces.values()) == len(cz.events)
    lam = _event_traces(tfig.spacetime_figure(cz, "lamport", EXCHANGE_ORDER))["receive"].text
    assert all(t.isdigit() for t in lam)
    arrows = [a for a in tfig.spacetime_figure(cz, "wall", EXCHANGE_ORDER).layout.annotations if a.showarrow]
    assert len(arrows) == len(cz.messages())
    with pytest.raises(ValueError, match="stamp='sundial'"):
        tfig.spacetime_figure(cz, "sundial")


def test_highlight_marks_the_path():
    cz = exchange()
    fig = tfig.spacetime_figure(cz, "vector", EXCHANGE_ORDER, highlight=(0, 13))
    big = sum(s == 16 for t in _event_traces(fig).values() for s in t.marker.size)
    assert big == len(cz.path(0, 13))


def test_lww_map_and_uncertainty_figure_carry_the_numbers():
    out = lww_run(250, "wall")
    fig = tfig.lww_map(out)
    text = " ".join(a.text for a in fig.layout.annotations)  # the story sits beside the map, on white
    assert "+250 ms" in text and "keeps <b>v1</b>" in text and list(fig.data[1].text) == ["LHR", "SYD"]
    assert "silently lost" in tfig.lww_map(out).layout.title.text
    assert "keep v2" in tfig.lww_map(lww_run(250, "hlc")).layout.title.text
    rows = ntp_survey("FRA", ["AMS", "SYD"])
    fig = tfig.uncertainty_figure(rows, "FRA")
    assert list(fig.data[0].y) == [r.bound_ms for r in rows]
    assert sorted(a.text for a in fig.layout.annotations) == ["AMS", "SYD"]
    assert tfig._lifts([0, 100, 200, 5_000]) == [18, 40, 62, 18]  # crowded labels take turns at three heights


def test_spacetime_app_switches_clocks_and_skew():
    app = SpaceTimeApp()
    assert app.inverted == ["m1"] and "1 of 4" in app.output.value
    before = list(app.figure.data[-1].text)
    app.stamp.value = "lamport"
    assert app.last_error is None and app.inverted == [] and "0 of 4" in app.output.value
    assert list(app.figure.data[-1].text) != before
    assert "Lamport" in app.figure.layout.title.text
    app.stamp.value = "wall"
    app.jfk.value = 0  # New York's clock set right: wall clocks order this exchange correctly
    assert app.inverted == []
    app.jfk.value = 300  # far ahead: no inversion of m1, but m2 JFK -> GRU now looks backwards
    assert app.inverted == ["m2"]


def test_happens_before_app_explains_and_draws_the_path():
    app = HappensBeforeApp(0, 13)
    assert app.relation == "before" and app.path[0] == 0 and app.path[-1] == 13
    assert "a happened before b" in app.output.value
    cz = exchange()
    d = next(e.index for e in cz.events if e.kind == "local" and e.record.data["label"] == "d")
    c = next(e.index for e in cz.events if e.kind == "local" and e.record.data["label"] == "c")
    app.a.value, app.b.value = d, c
    assert app.relation == "concurrent" and app.path == []
    assert "concurrent" in app.output.value and "Lamport puts" in app.output.value
    big = sum(s == 16 for t in _event_traces(app.figure).values() for s in t.marker.size)
    assert big == 2  # just the two chosen events


def test_lww_app_shows_the_loss_and_the_fix():
    app = LWWSkewApp(250, "wall")
    assert app.outcome.lost == ("v2",) and "v2" in app.output.value
    app.mode.value = "hlc"
    assert app.outcome.lost == () and "none" in app.output.value
    app.mode.value = "wall"
    app.skew.value = 100
    assert app.outcome.lost == ()
    app.b.value = "JFK"
    assert f"{loss_threshold_ms('LHR', 'JFK'):.1f} ms" in app.output.value


def test_exercise_wrong_answers_get_help():
    fb = check("ch2.relations", {"a,f": "after", "d,c": "concurrent", "e,b": "before", "b,f": "concurrent",
                                 "f,e": "after"})
    assert not fb.ok and "a vs f is 'before'" in fb.message and "chain" in fb.message
    fb = check("ch2.relations", {"a,f": "maybe"})
    assert not fb.ok and "no answer yet" in fb.message
    from edgekit.exercises.ch2 import hlc_receive_reference

    right = hlc_receive_reference()
    fb = check("ch2.hlc_receive", lambda l, c, lm, cm, pt: right(l, c, lm, cm, -1))  # noqa: E741 - ignores pt
    assert not fb.ok and "largest of l, l_m and pt" in fb.message
    fb = check("ch2.hlc_receive", lambda *a: None)
    assert not fb.ok and "expected a pair" in fb.message
    fb = check("ch2.lww_threshold", 2 * (loss_threshold_ms() - 20) + 20)
    assert not fb.ok and "round trip" in fb.message
    fb = check("ch2.lww_threshold", "soon")
    assert not fb.ok and "number of milliseconds" in fb.message


def test_lww_threshold_near_misses_and_the_fibre_bound_get_their_own_message():
    from edgekit import geo

    want = loss_threshold_ms()
    assert "close" in check("ch2.lww_threshold", want + 8).message
    assert "fibre bound" in check("ch2.lww_threshold", geo.min_rtt_ms("LHR", "SYD") / 2 + 20).message
    assert "only Sydney's pause" in check("ch2.lww_threshold", 20).message


def test_keeps_the_reply_facts_hold_and_wrong_picks_are_explained():
    from edgekit.clocks import LamportClock
    from edgekit.sim.lww import lww_run

    # (b) an HLC keeps the reply however far ahead London's clock runs ...
    assert all(lww_run(skew_ms=s, mode="hlc").lost == () for s in (0, 250, 5_000))
    # ... (c) and so does a Lamport clock: Sydney's write comes after receiving v1's stamp.
    london, v1 = LamportClock().tick().send()
    sydney = LamportClock().receive(v1).tick()
    assert sydney.time > v1
    assert check("ch2.keeps_the_reply", {"b", "c"}).ok
    assert "only shrink the skew" in check("ch2.keeps_the_reply", {"a", "b", "c"}).message
    assert "never converge" in check("ch2.keeps_the_reply", {"b", "c", "d"}).message
    assert "(c) is missing" in check("ch2.keeps_the_reply", {"b"}).message

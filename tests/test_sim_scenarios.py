"""Scenarios built on the simulator: the core loop, causality, LWW under skew, NTP, route asymmetry."""

import pytest

from edgekit.sim import FaultModel, LatencyModel, LinkFaults, Simulator, from_jsonl, to_jsonl
from edgekit.sim.causality import Causality
from edgekit.sim.lww import loss_threshold_ms, lww_run
from edgekit.sim.network import Network
from edgekit.sim.ntp import ntp_survey
from edgekit.sim.workloads import Scripted, chatter_run, exchange_run

FLAT = dict(rtt=lambda a, b: 80.0)


def test_simulator_cancel_peek_and_until():
    sim = Simulator(seed=0)
    out = []
    h = sim.call_later(5, out.append, "x")
    sim.call_later(7, out.append, "y")
    assert sim.pending == 2 and sim.peek() == 5
    sim.cancel(h)
    assert Simulator.cancelled(h) and sim.peek() == 7
    assert sim.run(until=6) == 0 and sim.now == 6
    assert sim.run() == 1 and out == ["y"]
    with pytest.raises(TypeError, match="handle="):
        sim.cancel("nope")
    with pytest.raises(ValueError, match="until=1"):
        sim.run(until=1)


def test_record_levels_agree_with_each_other():
    fm = FaultModel(LinkFaults(loss=0.1, duplicate=0.1))
    full = chatter_run(seed=9, places=[(0, 0), (0, 60), (0, 120)], faults=fm, until_ms=1_500, **FLAT)
    ops = chatter_run(seed=9, places=[(0, 0), (0, 60), (0, 120)], faults=fm, until_ms=1_500, record="ops", **FLAT)
    msg_kinds = {"send", "deliver", "drop", "duplicate", "timer"}
    assert [r for r in full.history if r.kind not in msg_kinds] == ops.history
    assert full.stats == ops.stats


def test_history_round_trips_through_json_lines():
    net = exchange_run()
    text = to_jsonl(net.history)
    assert to_jsonl(from_jsonl(text)) == text


def test_excluding_timers_keeps_happens_before_among_the_rest():
    net = exchange_run()
    full = Causality.from_network(net)
    lean = Causality.from_network(net, exclude=("timer",))
    pos = {id(e.record): e.index for e in full.events}
    for a in lean.events:
        for b in lean.events:
            assert lean.happens_before(a.index, b.index) == full.happens_before(pos[id(a.record)], pos[id(b.record)])


def test_exchange_wall_clock_receives_m1_before_it_was_sent():
    cz = Causality.from_network(exchange_run(), exclude=("timer",))
    for s, d in cz.messages():
        send, recv = cz.events[s], cz.events[d]
        assert send.lamport < recv.lamport and send.hlc < recv.hlc and send.vector < recv.vector
        if send.record.data == "m1":  # New York's clock is 120 ms behind London's
            assert recv.wall < send.wall
    assert cz.relation(0, 0) == "same"
    with pytest.raises(ValueError, match="j=99"):
        cz.happens_before(0, 99)


def test_scripted_plan_is_validated():
    with pytest.raises(ValueError, match="plan\\['start'\\] step"):
        Scripted({"start": [(0, "dance", None)]})


@pytest.mark.parametrize("site", ["SYD", "JFK", "NRT"])
def test_wall_clock_lww_loses_the_later_write_exactly_above_the_threshold(site):
    t = loss_threshold_ms("LHR", site, 20.0)
    assert lww_run(t - 1, "wall", "LHR", site).lost == ()
    assert lww_run(t + 1, "wall", "LHR", site).lost == ("v2",)
    assert lww_run(t + 1, "wall", "LHR", site).final == {"a": "v1", "b": "v1"}


@pytest.mark.parametrize("skew", range(-300, 1_000, 100))
def test_hlc_lww_keeps_the_later_write_at_any_skew(skew):
    out = lww_run(skew, "hlc")
    assert out.final == {"a": "v2", "b": "v2"} and out.lost == ()
    v1, v2 = out.stamps["v1"], out.stamps["v2"]
    assert v2 > v1
    w2 = out.writes[1]
    assert 0 <= v2[0] - w2.wall_ms <= max(skew, 0) + 1e-9  # HLC stays within the skew of Sydney's clock


def test_lww_outcome_matches_the_crdt_register():
    from edgekit.crdt import LWWRegister

    for skew in (0, 100, 400):
        out = lww_run(skew, "wall")
        regs = [LWWRegister().assign(w.site, w.value, timestamp=w.stamp[0]) for w in out.writes]
        assert (regs[0] | regs[1]).value == out.final["a"] == out.final["b"]


def test_lww_bad_input():
    with pytest.raises(ValueError, match="mode='lamport'"):
        lww_run(0, "lamport")
    with pytest.raises(TypeError, match="skew_ms='x'"):
        lww_run("x")


def test_ntp_error_is_bounded_and_the_bound_grows_with_distance():
    rows = ntp_survey("FRA", ["AMS", "MAD", "JFK", "SIN", "SYD"], seed=3)
    assert all(abs(r.error_ms) <= r.bound_ms + 1e-9 for r in rows)
    by_km = sorted(rows, key=lambda r: r.km)
    assert [r.client for r in by_km] == [r.client for r in sorted(rows, key=lambda r: r.bound_ms)]
    exact = ntp_survey("FRA", ["SYD"], jitter_ms=0, asymmetry=0.0)
    assert exact[0].error_ms == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError, match="exchanges=0"):
        ntp_survey("FRA", ["AMS"], exchanges=0)


def test_route_asymmetry_keeps_the_round_trip():
    sim = Simulator(seed=4)
    net = Network(sim, LatencyModel(asymmetry=0.3, rtt=lambda a, b: 100.0))
    from edgekit.sim import Node

    a, b = net.add_node("a", Node(), place=(0, 0)), net.add_node("b", Node(), place=(0, 90))
    out, back = net._link(a, "b")[2], net._link(b, "a")[2]
    assert out != back and out + back == pytest.approx(100.0)
    assert 35 <= out <= 65
    with pytest.raises(ValueError, match="asymmetry=1.5"):
        LatencyModel(asymmetry=1.5)


def test_floors_sim_and_clocks_import_no_plotting_and_clocks_nothing_above():
    import subprocess
    import sys

    code = (
        "import sys, edgekit.clocks; low = sorted(m for m in sys.modules if m.startswith('edgekit.') "
        "and not m.startswith(('edgekit.clocks', 'edgekit._checks'))); "  # _checks: shared validation, below all
        "import edgekit.sim, edgekit.sim.lww, edgekit.sim.ntp, edgekit.sim.workloads; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('plotly', 'pandas', 'ipywidgets')]; "
        "print(low, heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] []"

"""Chapter 5 widgets, driven without a browser: set a control, read the numbers and the figure."""

import threading

import pytest

from edgekit.edge.lab import compare as cmp
from edgekit.widgets import edge as edge_widgets
from edgekit.widgets.edge import DesignComparison, SiteInspector, SyncStepper

SMALL = cmp.Setup(sites=("LHR", "FRA", "IAD", "SYD"), rates=80.0, keys=10, ops=300, isolated="SYD")


def test_sync_stepper_follows_the_epoch_slider_and_the_value_type():
    app = SyncStepper()
    assert app.last_error is None and app.step.number == 1
    assert "SyncRequest SYD → root:FRA" in app.output.value and "cart: missing" in app.output.value
    bars = [tr for tr in app.figure.data if tr.type == "bar"]
    assert list(bars[0].marker.line.width) == [3, 0, 0, 0, 0, 0]  # epoch 1 is outlined

    app.number.value = 4
    assert app.step.messages == () and "no site has interest" in app.output.value
    assert "quiet by default" in str(app.figure.layout.annotations)
    assert list(app.figure.data[-1].marker.line.width) == [0, 0, 0, 3, 0, 0]

    app.number.value = 3
    assert "root:FRA holds</td><td><b>cart = 3" in app.output.value  # LWW kept one write
    app.value_type.value = "mv"
    assert "root:FRA holds</td><td><b>cart = [2, 3]" in app.output.value  # MV kept both
    assert "Pull sync, epoch 3" in app.figure.layout.title.text
    assert app.last_update_ms is not None


def test_sync_stepper_drops_and_duplicates_any_message():
    app = SyncStepper()
    app.number.value = 3
    app.message.value = ("LHR", "request")
    app.drop_button.click()
    assert app.last_error is None and app.faults == {(3, "LHR", "request"): "drop"}
    assert "— lost" in app.output.value and "epochs whose messages differ from the run without faults</td><td><b>3, 4" \
        in app.output.value
    assert "a missed sync only delays" in app.output.value  # the root ends the same
    app.number.value = 4  # the quiet epoch is not quiet now: London's write rides again
    assert [m.kind for m in app.step.messages] == ["SyncRequest", "SyncResponse"] and "cart" in \
        app.step.messages[0].entries
    app.message.value = ("SYD", "response")
    app.number.value = 1
    app.duplicate_button.click()
    assert "delivered twice" in app.output.value and app.last_error is None
    app.clear_button.click()
    assert app.faults == {} and "faults" not in app.output.value


def test_site_inspector_redraws_and_explains_bad_choices():
    app = SiteInspector()
    assert app.last_error is None
    colours_before = list(app.figure.data[0].marker.color)
    app.slow.value = (0, 1)
    assert not app.inside.stale_answer and "the merge" in app.figure.layout.title.text
    assert list(app.figure.data[0].marker.color) == colours_before  # the same replicas hold it
    app.slow_ms.value = 200.0  # later than the first reply + the gather timer
    assert app.inside.stale_answer and "stale" in app.output.value
    assert "stale" in app.figure.layout.title.text

    app.replicas.value = 3
    app.n.value = 5
    assert "n=5" in app.last_error and "Cannot show this" in app.output.value
    app.n.value = 2
    assert app.last_error is None and len(app.figure.data[0].x) == 3

    old = app.output.value
    app.key.value = "user:7"
    assert app.output.value != old and app.inside.key == "user:7"


@pytest.fixture
def small_runs(monkeypatch):
    """Serve the widget small runs instead of the chapter's workshop-size ones."""
    for scenario in ("none", "region_cut"):
        monkeypatch.setitem(cmp._WORKSHOP, (scenario, 0), cmp.compare(scenario=scenario, setup=SMALL))


def test_design_comparison_switches_fault_and_view(small_runs):
    app = DesignComparison()
    assert app.last_error is None and [r.topology for r in app.records] == list(cmp.TOPOLOGIES)
    assert "asynchronous primary" in app.output.value and "lost writes 0" in app.output.value
    assert len(app.figure.data) == 9  # six bar panels; latency and visibility also show p99 / p90 marks
    assert app.figure.layout.title.text.endswith("fault: none")

    app.scenario.value = "region_cut"  # run already (the fixture, as the notebook's own cell): at once
    assert app.records[0].scenario == "region_cut" and not app.busy
    assert app.figure.layout.title.text.endswith("fault: region cut")
    failed = app.figure.data[-1].y  # the last panel: failed client operations, per design
    assert failed[0] == pytest.approx(100 * (app.records[0].failed_reads + app.records[0].failed_writes)
                                      / app.records[0].ops)

    app.view.value = "write"
    assert len(app.figure.data) == 4 and app.figure.layout.yaxis.type == "log"
    assert app.figure.data[0].name == "asynchronous primary"
    assert list(app.figure.data[0].x) == list(SMALL.sites)


def test_design_comparison_runs_a_new_fault_on_its_thread(small_runs, monkeypatch):
    gate, calls = threading.Event(), []

    def slow(scenario, seed=0, progress=False):  # workshop_compare, slow and watched
        if (scenario, seed) in cmp._WORKSHOP:
            return cmp._WORKSHOP[(scenario, seed)]
        calls.append(scenario)
        assert gate.wait(10)
        monkeypatch.setitem(cmp._WORKSHOP, (scenario, seed), cmp.compare(scenario=scenario, setup=SMALL))
        return cmp._WORKSHOP[(scenario, seed)]  # kept, as workshop_compare keeps its runs

    app = DesignComparison()
    monkeypatch.setattr(edge_widgets, "workshop_compare", slow)
    app.scenario.value = "upstream_down"  # not run yet: the kernel answers at once, busy
    assert app.busy and "Running the four designs with upstream down" in app.output.value
    assert app.scenario.disabled and app.records[0].scenario == "none"
    gate.set()
    app.wait()
    assert calls == ["upstream_down"] and not app.busy and not app.scenario.disabled
    assert app.records[0].scenario == "upstream_down" and app.last_error is None
    assert app.figure.layout.title.text.endswith("fault: upstream down")
    app.scenario.value = "none"
    app.scenario.value = "upstream_down"  # a second look: kept, no run
    assert calls == ["upstream_down"] and not app.busy

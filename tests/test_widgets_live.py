"""The live app's buttons act on a thread (``App.act``): the kernel answers at once, the result follows.

A stand-in planet blocks each action on a gate the test opens, so what the app shows while an
action runs, and after, is checked without real processes or timing (``tests/test_live.py``
presses the same buttons on a real planet).
"""

from __future__ import annotations

import threading

import pytest

import edgekit.widgets.actions as actions
from edgekit.edge import Topology
from edgekit.live.planet import summary
from edgekit.widgets.live import LiveApp


class GatedPlanet:
    """What ``LiveApp`` calls on a planet; every action waits for ``gate`` (or raises ``fail``)."""

    def __init__(self) -> None:
        self.topology = Topology.tree(("LHR", "CDG"))
        self.procs = dict.fromkeys(self.topology.upstream)
        self.gate, self.calls, self.down, self.fail = threading.Event(), [], set(), None
        self.history = []

    def _act(self, what: str) -> None:
        self.calls.append(what)
        assert self.gate.wait(20), "the test never opened the gate"
        if self.fail is not None:
            raise self.fail

    def status(self) -> dict:
        return {n: {"state": "down" if n in self.down else "up", **summary(None)} for n in self.procs}

    def kill(self, node: str) -> None:
        self._act("kill")
        self.down.add(node)

    def restart(self, node: str) -> None:
        self._act("restart")
        self.down.discard(node)

    def drive(self, ops: int, tasks: int) -> int:
        self._act("drive")
        return ops

    def settle(self) -> None:
        self._act("settle")

    def lost_writes(self) -> str:
        return "nothing lost (the stand-in)"

    def converged(self) -> list:
        return []

    def sessions(self) -> list:
        return []


@pytest.fixture
def app_and_planet():
    planet = GatedPlanet()
    app = LiveApp(planet, ops=20)
    yield app, planet
    planet.gate.set()  # never leave a thread waiting
    app.wait(20)


def answered_at_once(app) -> bool:
    """The click returned while its action still runs, saying so, with the buttons greyed out."""
    return (app.busy and not app.job.done() and "quiet epochs" in app.output.value
            and all(b.disabled for b in app.buttons) and not app.auto.disabled)


def test_verdict_answers_at_once_then_shows_its_result(app_and_planet):
    app, planet = app_and_planet
    app.verdict.click()  # returns while the stand-in's settle() still waits on the gate
    assert answered_at_once(app)
    app.tick()  # the table goes on refreshing meanwhile
    assert "busy" not in app.output.value and "quiet epochs" in app.output.value
    app.verdict.click()  # a second press while busy starts nothing
    planet.gate.set()
    app.wait(20)
    assert planet.calls == ["settle"]
    assert "nothing lost (the stand-in)" in app.output.value and "quiet epochs" not in app.output.value
    assert not app.busy and not any(b.disabled for b in app.buttons) and app.last_error is None


def test_the_check_catches_an_action_run_in_the_kernel_s_own_thread(app_and_planet, monkeypatch):
    """The mutation: ``act`` calling ``work`` inline (the old, blocking design) fails ``answered_at_once``."""
    class Inline:
        def __init__(self, target, args, **_kw):
            self.run = lambda: target(*args)

        def start(self):
            self.run()

    app, planet = app_and_planet
    planet.gate.set()
    monkeypatch.setattr(actions.threading, "Thread", Inline)
    app.verdict.click()
    assert not answered_at_once(app) and "nothing lost" in app.output.value


def test_kill_then_restart_show_on_the_map_once_done(app_and_planet):
    app, planet = app_and_planet
    planet.gate.set()
    app.node.value = "CDG"
    app.kill.click()
    app.wait(20)
    assert "CDG: killed" in app.output.value and ">down<" in app.table.value.replace("<td>", ">")
    assert app.figure.data[-1].lat[0] is not None  # the cross on CDG
    app.restart.click()
    app.wait(20)
    assert "running again" in app.output.value and app.figure.data[-1].lat == (None,)
    app.drive.click()
    app.wait(20)
    assert "20 operations" in app.output.value


@pytest.mark.parametrize("fault, words, details", [
    (RuntimeError("quiet(): still syncing after 60 s at ['LHR']"), "still syncing after 60 s", False),
    (ZeroDivisionError("division by zero"), "this is a fault in edgekit", True),
])
def test_an_error_on_the_thread_shows_in_words_and_the_buttons_come_back(app_and_planet, fault, words, details):
    app, planet = app_and_planet
    planet.fail = fault
    planet.gate.set()
    app.verdict.click()  # the thread raises: nothing reaches the kernel, the widget says what happened
    app.wait(20)
    assert "Cannot show this" in app.output.value and words in app.output.value
    assert ("<details>" in app.output.value) is details  # a kit fault folds its traceback away
    assert "Traceback" not in app.output.value.split("<details>")[0]
    assert app.last_error is not None and words in app.last_error
    assert not app.busy and not any(b.disabled for b in app.buttons)


def test_wait_gives_up_with_a_timeout_error_naming_the_app(app_and_planet):
    app, _planet = app_and_planet
    app.restart.click()
    with pytest.raises(TimeoutError, match="LiveApp: the action still runs after 0.05 s"):
        app.wait(0.05)


def test_wait_returns_at_once_when_nothing_ran(app_and_planet):
    app, _planet = app_and_planet
    assert app.job is None
    app.wait(0)

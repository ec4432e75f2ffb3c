"""Restarting several processes at once, and a child that imports only what a process needs.

Real processes on 127.0.0.1 inside ``with Planet(...)`` blocks; every wait has a timeout and no
test asserts a duration.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import edgekit.live
from edgekit.edge import EdgeConfig, Topology
from edgekit.live import Planet
from edgekit.live.processes import stop_all

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(autouse=True, scope="module")
def _no_process_survives():
    yield
    stop_all()


@pytest.fixture(scope="module")
def planet():
    with Planet(topology=Topology.flat(["LHR", "CDG"], root="FRA"), config=EdgeConfig(epoch_ms=200.0)) as p:
        yield p


def test_two_killed_processes_restart_together_on_their_disks(planet):
    assert planet.write("LHR", "cart", 1).status == "ok"
    boots = {n: planet.procs[n].ready["boot"] for n in ("LHR", "root:FRA")}
    planet.kill("root:FRA")
    planet.kill("LHR")
    assert not planet.up("LHR") and not planet.up("root:FRA")
    planet.restart("LHR", "root:FRA")
    assert planet.up("LHR") and planet.up("root:FRA")
    assert {n: planet.procs[n].ready["boot"] for n in boots} == {n: b + 1 for n, b in boots.items()}
    planet.settle()
    verdict = planet.lost_writes()
    assert verdict.ok and verdict.checked == 1, verdict


def test_heal_restarts_every_process_that_is_down(planet):
    planet.kill("CDG")
    planet.kill("LHR")
    planet.heal()
    assert all(planet.up(n) for n in planet.procs)


def test_restart_names_what_it_expected_and_kills_nothing_on_a_bad_name(planet):
    with pytest.raises(TypeError, match="expected one or more process names"):
        planet.restart()
    pid = planet.procs["LHR"].popen.pid
    with pytest.raises(ValueError, match="node='nope': expected one of this planet's processes"):
        planet.restart("LHR", "nope")
    assert planet.procs["LHR"].popen.pid == pid and planet.up("LHR")


def test_a_child_process_does_not_import_the_planet_and_its_checkers():
    code = ("import sys, edgekit.live.cli, edgekit.live.process\n"
            "print(sorted(m for m in ('edgekit.live.planet', 'edgekit.live.clients', 'edgekit.edge.lab')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_the_package_names_load_when_first_used():
    assert edgekit.live.Planet is Planet and "Room" in dir(edgekit.live)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        edgekit.live.Nope  # noqa: B018 - the attribute access is the test


def test_the_cli_help_names_the_planets_default_sites():
    from edgekit.live.cli import parser
    from edgekit.live.planet import DEFAULT_SITES

    assert ",".join(DEFAULT_SITES) in parser().format_help().replace("\n", "").replace(" ", "")


def test_a_planet_built_without_starting_writes_nothing(tmp_path):
    data = tmp_path / "planet"
    p = Planet(topology=Topology.flat(["LHR"], root="FRA"), data=str(data), start=False)
    try:
        assert not data.exists()  # the folder comes with start(); a probe's data="x" left an x/ behind
    finally:
        p.stop()
    assert not data.exists()


def test_two_planets_with_one_seed_do_not_plan_the_same_ports():
    """Two notebooks (or test runs) with the default seed at once: a killed process's port must not
    be the one the other planet plans, or a restart could find it taken, or clients reach the other."""
    topo = Topology.flat(["LHR", "CDG"], root="FRA")
    planets = [Planet(topology=topo, seed=3, start=False) for _ in range(2)]
    try:
        a, b = ({n: p.port for n, p in planet.procs.items()} for planet in planets)
        assert a.keys() == b.keys() and a != b
    finally:
        for p in planets:
            p.stop()

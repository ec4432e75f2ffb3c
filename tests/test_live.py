"""The live planet as real processes on 127.0.0.1: faults, equivalence with the simulator, bad input.

Every test here starts its processes through ``edgekit.live.Planet`` inside a ``with`` block
(SIGTERM, then SIGKILL to each process group, whatever happens), and an autouse fixture stops
anything left at the end of the module. Time is bounded: each workload has ``max_s``, each wait
a timeout. No test asserts a duration.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from edgekit.edge import EdgeConfig, EdgeSystem, Topology
from edgekit.live import Planet
from edgekit.live.processes import stop_all

pytestmark = pytest.mark.timeout(240)

TOKEN = "workshop-token-0123456789"
NODES = str(Path(__file__).parent / "live_nodes")


@pytest.fixture(autouse=True, scope="module")
def _no_process_survives():
    yield
    stop_all()


def _http(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """(status, JSON body) of one request; 4xx and 5xx are answers too."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# -- faults -----------------------------------------------------------------------------------------


def _fault_script(planet: Planet, hub: str, proxied: str) -> list[str]:
    """Real faults while the clients run: SIGKILL and restart of a replica, a site and the root,
    SIGSTOP/SIGCONT of a hub and a site, and a proxy that cuts, delays and drops a hub's link."""
    done = []

    def at(what, fn, *args):
        fn(*args)
        done.append(what)
        time.sleep(0.5)

    at("cut hub link", planet.proxy(proxied).cut)
    at("kill replica LHR/r1", planet.kill, "LHR/r1")
    at("pause hub", planet.pause, hub)
    at("kill site CDG", planet.kill, "CDG")
    at("resume hub", planet.resume, hub)
    at("delay hub link", planet.proxy(proxied).delay, 150)
    at("restart site CDG", planet.restart, "CDG")
    at("restart replica LHR/r1", planet.restart, "LHR/r1")
    at("kill root", planet.kill, planet.topology.root)
    at("drop on hub link", planet.proxy(proxied).drop, 0.3)
    at("pause site IAD", planet.pause, "IAD")
    at("restart root", planet.restart, planet.topology.root)
    at("resume site IAD", planet.resume, "IAD")
    return done


@pytest.mark.parametrize("value_type", ["gcounter", "orset"])
def test_no_acknowledged_write_is_lost_under_real_faults(value_type):
    topo = Topology.tree(["LHR", "CDG", "IAD", "ORD"])
    hubs = sorted(topo.hubs)
    config = EdgeConfig(replicas=3, n=2, write_quorum=2, capacity=4, epoch_ms=150.0, gather_ms=30.0,
                        miss_timeout_ms=600.0, value_type=value_type)
    with Planet(topology=topo, config=config, split=("LHR/r1",), proxies=(hubs[0],), seed=3) as planet:
        clients = planet.drive(ops=100_000, tasks=4, keys=6, write_fraction=0.6, wait=False, max_s=7.0)
        done = _fault_script(planet, hubs[1], hubs[0])
        clients.result(60)
        planet.settle()
        verdict = planet.lost_writes()  # before any read round touches a copy
        assert len(done) == 13
        assert verdict.checked > 100, verdict
        assert verdict.ok, verdict
        assert planet.converged() == []
        assert planet.sessions() == []  # read-your-writes within a PoP (write_quorum == n)
        assert not planet.clients.errors
        proxy = planet.proxy(hubs[0]).stats
        assert proxy["refused"] > 0 and proxy["bytes"] > 0  # the cut did cut, and the link carried syncs


def test_the_checker_catches_what_a_memory_store_loses_to_kill_9():
    """The mutation that proves the check can fail: the same script with volatile replicas."""
    config = EdgeConfig(epoch_ms=60_000.0, value_type="gcounter")  # nothing syncs before the kill
    verdicts = {}
    for store in ("memory", "sqlite"):
        with Planet(topology=Topology.flat(["LHR"], root="FRA"), config=config, store=store) as planet:
            acked = [planet.write("LHR", "cart").status for _ in range(5)]
            planet.kill("LHR")
            planet.restart("LHR")
            for r in ("LHR/r0", "LHR/r1", "LHR/r2"):
                planet.sync_now(r)  # the protocol's own sync, once per replica: what it has, it sends
            verdicts[store] = planet.lost_writes()
        assert acked == ["ok"] * 5
    assert verdicts["memory"].lost == 5 and not verdicts["memory"].ok
    assert verdicts["sqlite"].ok and verdicts["sqlite"].checked == 5


# -- the same code in the simulator and live -----------------------------------------------------


def _script(topo: Topology, config: EdgeConfig, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    reps = {c: [f"{c}/r{i}" for i in range(config.replicas)] for c in topo.upstream}
    steps = []
    for _ in range(3):
        for _ in range(8):
            site, key = rng.choice(topo.sites), f"k{rng.randrange(5)}"
            steps.append(("write", site, key, rng.randrange(1, 100)) if rng.random() < 0.7 else ("read", site, key))
        for level in (topo.sites, topo.hubs, topo.sites):  # up, then down again
            steps += [("sync", r) for c in level for r in reps[c]]
    return steps


def _run_sim(topo, config, steps) -> dict:
    system = EdgeSystem(topo, config, seed=0)
    for step in steps:
        if step[0] == "sync":
            rep, ctx = system.replicas[step[1]], system.contexts[step[1]]
            before = rep.syncs_completed
            if rep.sync(ctx) is not None:
                while rep.syncs_completed == before:
                    system.sim.run(until=system.sim.now + 5.0)
        else:
            system.call(step[1], step[0], step[2], *step[3:])
        system.sim.run(until=system.sim.now + 5.0)  # repairs and fills land
    return {rid: {k: rep.store.peek(k).to_json() for k in rep.store.keys()} for rid, rep in system.replicas.items()}


def _run_live(topo, config, steps) -> dict:
    with Planet(topology=topo, config=config) as planet:
        for step in steps:
            if step[0] == "sync":
                assert planet.sync_now(step[1])
            else:
                op = (planet.write(step[1], step[2], step[3]) if step[0] == "write" else planet.read(*step[1:]))
                assert op.ok, op
        return {rid: keys for c in topo.upstream for rid, keys in planet.replica_states(c).items()}


@pytest.mark.parametrize("value_type", ["gcounter", "orset"])
def test_a_scripted_run_ends_in_identical_states_in_the_simulator_and_live(value_type):
    topo = Topology.tree(["LHR", "CDG", "IAD"])
    config = EdgeConfig(epoch_ms=1e9, value_type=value_type)  # only the script syncs
    steps = _script(topo, config, seed=5)
    sim, live = _run_sim(topo, config, steps), _run_live(topo, config, steps)
    assert sum(len(keys) for keys in sim.values()) > 20
    assert live == sim


# -- bad input, tokens, the README's example ------------------------------------------------------


@pytest.fixture(scope="module")
def guarded():
    """A root and two sites whose every request needs the token."""
    with Planet(topology=Topology.flat(["LHR", "CDG"], root="FRA"), token=TOKEN,
                config=EdgeConfig(epoch_ms=100.0, read_miss="block")) as planet:
        yield planet


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_a_write_at_one_pop_is_read_at_another_after_a_sync_with_the_token(guarded):
    lhr, cdg = guarded.procs["LHR"].url, guarded.procs["CDG"].url
    assert _http("PUT", f"{lhr}/kv/cart", b'{"value": 7}', AUTH) [0] == 200
    deadline, value = time.monotonic() + 10, None
    while value != 7 and time.monotonic() < deadline:
        time.sleep(0.2)
        value = _http("GET", f"{cdg}/kv/cart", None, AUTH)[1]["value"]
    assert value == 7
    health = _http("GET", f"{lhr}/health", None, AUTH)[1]
    assert health["node"] == "LHR" and health["config"]["epoch_ms"] == 100.0
    m = _http("GET", f"{lhr}/metrics", None, AUTH)[1]
    assert {"keys", "dirty", "syncs_sent", "syncs_completed", "bytes_in", "bytes_out"} <= set(m)
    assert m["syncs_completed"] > 0 and m["bytes_out"] > 0


BAD = [  # (method, path, body, extra headers, status, words in the error)
    ("PUT", "/kv/cart", b'{"value": 7', {}, 400, "not valid JSON"),
    ("PUT", "/kv/cart", b'{"value": "seven"}', {}, 400, "expected an integer"),
    ("PUT", "/kv/cart", b'{"value": true}', {}, 400, "expected an integer"),
    ("PUT", "/kv/cart", b'{"value": 7, "ttl": 1}', {}, 400, "exactly one field"),
    ("PUT", "/kv/cart", b'{"value": NaN}', {}, 400, "not valid JSON"),
    ("PUT", "/kv/cart", b'[' * 50_000, {}, 413, "at most"),
    ("PUT", "/kv/cart", b'{"value": ' + b"1" * 20_000 + b"}", {}, 413, "at most"),
    ("PUT", "/kv/cart", b'{"value": 7}', {"Content-Type": "text/xml"}, 415, "expected application/json"),
    ("PUT", "/kv/" + "k" * 300, b'{"value": 7}', {}, 400, "printable characters"),
    ("DELETE", "/kv/cart", None, {}, 405, "Method Not Allowed"),
    ("POST", "/sync", b'{"type": "SyncRequest", "sync_id": 1, "entries": {}}', {}, 400, "Edgekit-Node"),
    ("POST", "/msg", b'{"dst": "CDG/r0", "msg": {"type": "Fill", "entries": {}}}', {"Edgekit-Node": "x"}, 404,
     "not a node of this process"),
    ("POST", "/msg", b'{"dst": "LHR/r0", "msg": {"type": "Put", "rid": 1, "key": "cart", "state": 3}}',
     {"Edgekit-Node": "x"}, 400, "not a valid LWWRegister"),
    ("POST", "/msg", b'{"dst": ["LHR/r0"], "msg": {"type": "Fill", "entries": {}}}', {"Edgekit-Node": "x"}, 404,
     "not a node of this process"),  # a list: not hashable, still a clear 404 (not a 500)
    ("POST", "/msg", b'{"dst": "LHR/r0", "msg": {"type": "Nuke"}}', {"Edgekit-Node": "x"}, 400, "expected one of"),
    ("POST", "/admin/sync", b'{"node": "LHR"}', {}, 404, "expected a replica"),
]
BAD_ROOT = [
    ("POST", "/sync", b'{"type": "SyncRequest", "sync_id": -1, "entries": {}}', {"Edgekit-Node": "LHR/r0"}, 400,
     "SyncRequest.sync_id=-1"),
    ("POST", "/sync", b'{"type": "SyncRequest", "sync_id": 1, "entries": {"k": {"type": "GCounter"}}}',
     {"Edgekit-Node": "LHR/r0"}, 400, "not a valid LWWRegister"),
    ("POST", "/sync", b'{"type": "SyncRequest", "sync_id": 1, "entries": {}}',
     {"Edgekit-Node": "LHR/r0", "Edgekit-Value-Type": "gcounter"}, 409, "same value type"),
    ("POST", "/sync", b'{"type": "SyncRequest", "sync_id": 1, "entries": {"' + b"x" * (9 << 20) + b'": null}}',
     {"Edgekit-Node": "LHR/r0"}, 413, "at most"),
    ("GET", "/kv/cart", None, {}, 404, "clients read and write at a site"),
]


def test_bad_requests_get_a_clear_4xx_and_change_nothing(guarded):
    guarded.write("LHR", "cart", 5)
    guarded.quiet()  # the write's own sync is over: from here on, nothing may change
    before = {c: guarded.replica_states(c) for c in ("LHR", "root:FRA")}
    for where, cases in (("LHR", BAD), ("root:FRA", BAD_ROOT)):
        url = guarded.procs[where].url
        for method, path, body, headers, status, words in cases:
            got, answer = _http(method, url + path, body, {**AUTH, **headers})
            assert (got, words in answer.get("error", "")) == (status, True), (where, path, body[:60], answer)
    for method, path in (("GET", "/health"), ("PUT", "/kv/cart"), ("POST", "/sync")):
        url = guarded.procs["LHR"].url + path
        assert _http(method, url, b'{"value": 1}', {})[0] == 401
        got, answer = _http(method, url, b'{"value": 1}', {"Authorization": "Bearer wrong-token-but-long"})
        assert got == 403 and "token" in answer["error"]
    assert {c: guarded.replica_states(c) for c in ("LHR", "root:FRA")} == before
    assert guarded.metrics()["LHR"]["counts"].get("handler_errors", 0) == 0


# -- your own node class in the planet --------------------------------------------------------------


@pytest.mark.parametrize("capstone", ["capstone_site:PullSite", "edgekit.grade.reference:Bounded"])
def test_a_site_runs_a_node_class_given_by_import_path(monkeypatch, capstone):
    """The kit's Site by path at CDG, and a capstone-interface node at LHR: one written for these
    tests (tests/live_nodes), and chapter 6's stage 5 reference, the very class the grader grades."""
    monkeypatch.setenv("PYTHONPATH", NODES + os.pathsep + os.environ.get("PYTHONPATH", ""))
    config = EdgeConfig(epoch_ms=150.0, value_type="gcounter")
    nodes = {"LHR": capstone, "CDG": "edgekit.edge.site:Site"}
    with Planet(topology=Topology.flat(["LHR", "CDG"], root="FRA"), config=config, nodes=nodes) as planet:
        clients = planet.drive(ops=100_000, tasks=3, keys=4, write_fraction=0.7, wait=False, max_s=2.5)
        time.sleep(1.0)
        planet.kill("LHR")
        planet.restart("LHR")
        clients.result(30)
        planet.settle()
        verdict = planet.lost_writes()
        assert verdict.ok and verdict.checked > 30, verdict
        assert planet.converged() == []
        assert set(planet.metrics()["LHR"]["nodes"]) == {"LHR"}  # the whole PoP is the capstone node
        assert set(planet.metrics()["CDG"]["nodes"]) == {"CDG", "CDG/r0", "CDG/r1", "CDG/r2"}


# -- no orphans --------------------------------------------------------------------------------------

_PARENT = """
import sys, time
from edgekit.live import Planet
from edgekit.edge import Topology
planet = Planet(topology=Topology.flat(["LHR"], root="FRA"))
print(" ".join(str(p.popen.pid) for p in planet.procs.values()), flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return any(line.startswith("State:") and "Z" in line for line in f)  # a zombie is dead
    except FileNotFoundError:
        return True


def test_children_exit_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, start_new_session=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
        assert len(pids) == 2 and not any(_gone(p) for p in pids)
        parent.send_signal(signal.SIGKILL)  # no atexit, no finalizer: only the children's own watch
        parent.wait(10)
        deadline = time.monotonic() + 15
        while not all(_gone(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(p) for p in pids)
    finally:
        for pid in pids if "pids" in dir() else []:
            if not _gone(pid):
                os.killpg(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()


# -- the notebook's view, and the workshop's -------------------------------------------------------


def test_the_live_app_shows_a_killed_process_and_its_restart(guarded):
    from edgekit.live import Room
    from edgekit.widgets.live import LiveApp

    app = LiveApp(guarded, ops=20)
    assert "LHR" in app.table.value and app.figure.data[-1].lat == (None,)  # nothing down
    app.node.value = "CDG"
    app.kill.click()  # each button acts on the app's own thread: wait() until its result is on show
    app.wait()
    assert "killed" in app.output.value and not guarded.up("CDG")
    down = app.figure.data[-1]
    assert len(down.lat) == 1 and down.lat[0] is not None and ">down<" in app.table.value.replace("<td>", ">")
    app.drive.click()  # clients at CDG are refused; LHR serves
    app.wait()
    assert "20 operations" in app.output.value
    app.restart.click()
    app.wait()
    assert guarded.up("CDG") and app.figure.data[-1].lat == (None,)
    app.verdict.click()
    app.wait()
    assert "nothing lost" in app.output.value, app.output.value
    assert not app.busy and not any(b.disabled for b in app.buttons)
    guarded.read("CDG", "cart")  # a read at CDG: its replicas sync with the root
    guarded.quiet()
    room = Room(guarded.procs["root:FRA"].url, token=TOKEN)
    status = room.status()
    assert room.root == "root:FRA" and {"LHR", "CDG"} <= set(status) and status["LHR"]["state"] == "up"
    assert set(room.topology.sites) >= {"LHR", "CDG"}
    assert LiveApp(room).figure is not None
    with pytest.raises(ValueError, match="HTTP 403"):
        Room(guarded.procs["root:FRA"].url, token="wrong-token-of-some-length")


def test_the_readme_live_planet_example_runs():
    """The README's three lines, on free ports: the planet's line waits for its ready line rather
    than for its `sleep`, the curl lines run as written."""
    import re
    import shlex

    from edgekit.live.processes import free_port

    text = (Path(__file__).parents[1] / "README.md").read_text()
    lines = re.search(r"## A live planet\n.*?```bash\n(.*?)```", text, re.S).group(1).strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith(".venv/bin/python -m edgekit.live planet &")
    base = free_port(random.Random())
    while not all(_free(base + i) for i in range(9)):
        base = free_port(random.Random())
    planet = subprocess.Popen([sys.executable, "-m", "edgekit.live", "planet", "--port", str(base)],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while "ready" not in planet.stdout.readline() and time.monotonic() < deadline:
            assert planet.poll() is None, "the planet did not start"
        script = "\n".join(lines[1:]).replace(":8701", f":{base + 1}").replace(":8706", f":{base + 6}")
        out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60).stdout
        put, get = (json.loads(s) for s in out.replace("}{", "}\n{").splitlines())
        assert put["ok"] and put["value"] == 7 and get["value"] == 7, (put, get, shlex.quote(script))
    finally:
        planet.terminate()  # SIGTERM: the planet stops its processes
        try:
            planet.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(planet.pid, signal.SIGKILL)


def _free(port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_a_site_with_the_wrong_token_cannot_join_the_room(guarded, tmp_path):
    """Workshop mode: an attendee's site with another token syncs nothing into the room's root."""
    from edgekit.live.processes import Proc, free_port

    root = guarded.procs["root:FRA"].url
    argv = ["site", "SYD", "--upstream", root, "--upstream-id", "root:FRA", "--data", str(tmp_path),
            "--token", "not-the-room-token-at-all", "--config", json.dumps({"epoch_ms": 100.0})]
    proc = Proc("SYD", argv, free_port(random.Random()), str(tmp_path / "syd.log"))
    proc.spawn()
    try:
        proc.wait_ready(60)
        wrong = {"Authorization": "Bearer not-the-room-token-at-all"}
        assert _http("PUT", f"{proc.url}/kv/intruder", b'{"value": 1}', wrong)[0] == 200  # its own PoP serves
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            counts = _http("GET", f"{proc.url}/metrics", None, wrong)[1]["counts"]
            if counts.get("sync_http_403", 0) >= 2:
                break
            time.sleep(0.2)
        assert counts.get("sync_http_403", 0) >= 2 and not counts.get("syncs_answered")
        assert "SYD" not in _http("GET", f"{root}/metrics", None, AUTH)[1]["children"]
        assert "intruder" not in guarded.states("root:FRA")
    finally:
        proc.signal(signal.SIGKILL)
        proc.wait(10)

"""`make lab`: no token on the command line, a printed URL that opens the lab, root only on request,
and a JupyterLab that opens quiet (no news prompt, no update check, no PyPI listing).

The live tests run the Makefile's own recipe (`make -o <stamp> lab`, so nothing is installed) on a
free port, read what it prints, and open that URL with an HTTP request.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the environment running the tests has jupyter next to python
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
PRINTED_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\?token=(\S+)")


def make(*args: str) -> list[str]:
    return ["make", "--no-print-directory", "-o", ".venv/.edgekit-lab", f"BIN={BIN}", *args]


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}
    return {**env, **extra}


def _jupyter_command(dry_run: str) -> str:
    """The `jupyter lab ...` command `make -n` would run, its continuation lines joined."""
    start = dry_run.index("jupyter lab")
    return re.split(r"(?<!\\)\n", dry_run[start:])[0]


@pytest.fixture(autouse=True)
def _make_present(skip_or_fail):
    if shutil.which("make") is None:
        skip_or_fail("`make` not found: these tests run the Makefile's own recipes")


def test_the_recipe_never_puts_a_token_on_the_command_line():
    secret = "edgekit-" + secrets.token_hex(8)
    for uid, allow in (("1000", ""), ("0", "1")):
        run = subprocess.run(make("-n", "lab", f"RUN_AS_UID={uid}", f"ALLOW_ROOT={allow}"), cwd=ROOT,
                             capture_output=True, text=True, timeout=60, env=_env(JUPYTER_TOKEN=secret))
        assert run.returncode == 0, run.stderr
        command = _jupyter_command(run.stdout)
        assert secret not in run.stdout and "token" not in command.lower(), command
        assert ("--allow-root" in command) is (uid == "0"), command
        assert "--ServerApp.ip=127.0.0.1" in command and "--LabApp.news_url=None" in command


def test_root_needs_an_explicit_opt_in():
    run = subprocess.run(make("lab", "RUN_AS_UID=0"), cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env=_env())
    assert run.returncode != 0
    assert "not starting JupyterLab as root" in run.stderr and "make lab ALLOW_ROOT=1" in run.stderr
    assert "jupyter lab" not in run.stdout  # refused before anything started


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        kids = [p for p, pp in parents.items() if pp in frontier]
        found += kids
        frontier = kids
    return found


def _accepting(port: int, proc, log: Path, budget_s: float = 30.0) -> None:
    """Wait until the server accepts connections: a busy machine once refused a request that came
    right after the URL was printed (the server was up, and stopped only when the test ended)."""
    deadline = time.time() + budget_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            assert proc.poll() is None, f"make lab stopped:\n{log.read_text()[-3000:]}"
            assert time.time() < deadline, f"port {port} refused connections for {budget_s:g} s after the URL"
            time.sleep(0.2)


def _get(url: str):
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.geturl(), resp.read().decode()


@pytest.fixture(params=["generated", "JUPYTER_TOKEN"])
def lab(request, tmp_path):
    """`make lab` on a free port; yields (printed URL, token in use, make's pid, output so far)."""
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("needs /proc to read the server's command line")
    port = _free_port()
    given = "edgekit-" + secrets.token_hex(8) if request.param == "JUPYTER_TOKEN" else None
    env = _env(JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "ws"),
               **({"JUPYTER_TOKEN": given} if given else {}))
    log = tmp_path / "make-lab.log"
    args = make("lab", f"LAB_ARGS=--no-browser --ServerApp.port={port} --ServerApp.port_retries=0",
                *(["ALLOW_ROOT=1"] if os.geteuid() == 0 else []))
    with open(log, "w") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, url = time.time() + 180, None
        while time.time() < deadline and url is None:
            text = log.read_text()
            url = next((m for m in PRINTED_URL.finditer(text) if int(m.group(1)) == port), None)
            if url is None:
                assert proc.poll() is None, f"make lab stopped:\n{text[-3000:]}"
                time.sleep(0.5)
        assert url is not None, f"no URL printed within 180 s:\n{log.read_text()[-3000:]}"
        _accepting(port, proc, log)
        yield url.group(0), given or url.group(2), proc.pid, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_make_lab_prints_a_url_that_opens_the_lab_and_keeps_the_token_off_the_command_line(lab):
    url, token, pid, log = lab
    base = url.split("/lab?")[0]
    if url.endswith("token=..."):  # the user gave the token: Jupyter does not echo it, make says so
        assert "the token is the one in JUPYTER_TOKEN" in log.read_text()
        url = url.replace("token=...", f"token={token}")
    else:
        assert re.fullmatch(r"[0-9a-f]{32,}", token), url
    status, landed, page = _get(url)
    assert status == 200 and landed.startswith(f"{base}/lab") and 'id="jupyter-config-data"' in page
    assert "/login" in _get(f"{base}/lab")[1]  # without the token: the login page
    procs = _descendants(pid)
    lines = [Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode() for p in procs
             if Path(f"/proc/{p}/cmdline").exists()]
    servers = [ln for ln in lines if "jupyter" in ln and "--notebook-dir=notebooks" in ln]
    assert servers, lines
    assert not [ln for ln in lines if token in ln or "token" in ln.lower()], lines

    # Quiet: the page's own config and the server's answers, not the Makefile's intentions.
    config = json.loads(html.unescape(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1)))
    disabled = config.get("disabledExtensions", [])
    assert NEWS_PLUGIN in disabled, disabled  # no "official Jupyter news?" prompt
    assert config["news"] == {"disabled": True}
    assert json.loads(_get(f"{base}/lab/api/news?token={token}")[2]) == {"news": []}
    assert json.loads(_get(f"{base}/lab/api/update?token={token}")[2])["notification"] is None
    assert "Extension Manager is 'readonly'" in log.read_text()


@pytest.mark.parametrize(("uid", "installs"), [("0", True), ("1000", False)])
def test_make_test_says_it_installs_chromium_before_it_does(tmp_path, uid, installs):
    run = subprocess.run(["make", "--no-print-directory", "browser", f"RUN_AS_UID={uid}",
                          f"CHROMIUM={tmp_path / 'chromium'}", "APT_GET=echo APT"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stderr
    if installs:
        assert "installing Debian's 'chromium' package with apt-get now" in lines[0]
        assert lines[1:] == ["APT update -qq", "APT install -y -qq chromium"]
    else:
        assert lines == ["Chromium missing: run 'sudo apt-get install chromium' (the UI test skips without it)"]

"""A real JupyterLab server and a real headless Chromium, for the UI test.

The server serves a temporary copy of notebooks/ so that running cells in the
browser never writes outputs into the repository's notebooks.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "ui"
# Flags for a root user on a machine with a closed network (no sandbox, no background fetches).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _require_browser(skip_or_fail) -> None:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package (make browser)")


def _write_settings(settings: Path) -> None:
    """Render every cell (no windowing) and fetch no news: the test sees the whole notebook."""
    for rel, value in {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False},
    }.items():
        path = settings / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, skip_or_fail):
    """Start `jupyter lab` on a free localhost port with a token; yield its base URL and token."""
    _require_browser(skip_or_fail)
    workdir = tmp_path_factory.mktemp("lab")
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(nb, workdir / nb.name)
    port, token = _free_port(), secrets.token_hex(24)
    settings = workdir / ".settings"
    _write_settings(settings)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(workdir / ".jupyter"),
        JUPYTER_RUNTIME_DIR=str(workdir / ".rt"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTER_TOKEN=token,  # from the environment: a command line is readable by every local user
    )
    log = open(workdir / "server.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.root_dir={workdir}",
            "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=False",
            "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ] + (["--allow-root"] if os.geteuid() == 0 else []),
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited: {(workdir / 'server.log').read_text()[-2000:]}") from None
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("jupyter lab did not start within 90 s")
    yield {"base": base, "token": token, "dir": workdir}
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(skip_or_fail):
    _require_browser(skip_or_fail)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS

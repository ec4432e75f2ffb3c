"""Chapter 5's live section in a real browser: the metrics table refreshes by itself, Kill and
Restart change the map.

The generic notebook test runs every cell of chapter 5 (this section included) and moves the
epoch slider; this one presses the live section's own buttons on the planet those cells started.
"""

from __future__ import annotations

import time

import pytest
from test_notebooks_in_browser import PLOT_DATA_JS, _open, _run_all

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]

TABLE_JS = """() => Array.from(document.querySelectorAll('.widget-html-content table'))
  .map(t => t.innerText).filter(s => s.includes('bytes out')).join('\\n')"""


def _wait(page, fn, what: str, timeout_s: float = 60.0):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        page.wait_for_timeout(300)
    raise AssertionError(f"no {what} within {timeout_s:g} s")


def test_the_live_planet_refreshes_and_its_buttons_kill_and_restart(lab_server, browser, artifacts):
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        _open(page, lab_server, "05-edge-state.ipynb")
        state = _run_all(page)
        assert not state["errors"], state["errors"]
        first = page.evaluate(TABLE_JS)
        # The clients wrote; the table shows keys held once a tick has refreshed it.
        _wait(page, lambda: page.evaluate(TABLE_JS) != first, "refresh of the metrics table")
        kill = page.locator("button.jupyter-button", has_text="Kill").first
        kill.scroll_into_view_if_needed()
        before = page.evaluate(PLOT_DATA_JS)
        kill.click()  # the dropdown starts on the root
        _wait(page, lambda: "down" in page.evaluate(TABLE_JS), "'down' in the table after Kill")
        _wait(page, lambda: page.evaluate(PLOT_DATA_JS) != before, "map change after Kill")
        page.screenshot(path=str(artifacts / "05-live-killed.png"))
        page.locator("button.jupyter-button", has_text="Restart").first.click()
        _wait(page, lambda: "down" not in page.evaluate(TABLE_JS), "the root up again after Restart")
    finally:
        context.close()

"""The live planet in a notebook: the map and metrics refreshing, buttons that kill and restart.

``LiveApp(planet)`` shows ``edgekit.figures.live.live_map`` and a table of every
process's numbers (``Planet.status()``), refreshed once a second while
**auto-refresh** is on, by a timer on the kernel's own event loop (no thread:
a tick runs between cells, like a button's callback, so nothing races the cells
you run). The map is redrawn only when a process changes state; the table every
tick. Buttons act on the chosen process:
**Kill** (``kill -9``), **Restart**; **Run clients** drives ``ops`` operations;
**Verdict** heals everything, waits for quiet epochs and shows the kit's
lost-write check over the recorded client history, the convergence of every
copy, and read-your-writes. ``LiveApp(room)`` (``edgekit.live.Room``) shows a
workshop's room: the map and table only.

Tests drive it without a browser (no kernel, no timer): ``app.tick()``, ``app.kill.click()``, then read
``app.output.value``, ``app.table.value`` and ``app.figure.data``.
"""

from __future__ import annotations

import asyncio
import traceback

import ipywidgets as w

from edgekit.figures.live import live_map
from edgekit.widgets.base import App, _in_kernel, explain, message_html, table_html

__all__ = ["LiveApp"]


def _n(v) -> str:
    return "" if v is None else f"{v:,}"


class LiveApp(App):
    """A ``Planet`` (or a ``Room``) on the map, with its metrics and fault buttons."""

    has_map = True

    def __init__(self, source=None, ops: int = 200, interval_ms: int = 1000) -> None:
        super().__init__()
        if source is not None and (not callable(getattr(source, "status", None)) or not hasattr(source, "topology")):
            raise TypeError(f"source={source!r}: expected an edgekit.live.Planet or Room")
        self.source, self.ops, self.interval_s = source, ops, interval_ms / 1000.0
        self.table = w.HTML()
        self.auto = w.ToggleButton(value=True, description="auto-refresh", tooltip="refresh once a second")
        self.auto.observe(self._toggled, names="value")
        self._states: dict | None = None
        self._timer = None
        controls = []
        if hasattr(source, "kill"):
            names = list(source.procs)
            self.node = w.Dropdown(options=names, value=source.topology.root, description="Process")
            self.kill = w.Button(description="Kill", tooltip="kill -9 the chosen process", button_style="danger")
            self.restart = w.Button(description="Restart", tooltip="start it again on its disks")
            self.drive = w.Button(description="Run clients", tooltip=f"{ops} operations from 4 clients")
            self.verdict = w.Button(description="Verdict", tooltip="heal, wait for quiet epochs, check")
            for button, fn in ((self.kill, self._kill), (self.restart, self._restart), (self.drive, self._drive),
                               (self.verdict, self._verdict)):
                button.on_click(self._guard(fn))
            controls = [self.node, self.kill, self.restart, self.drive, self.verdict]
        self.refresh()
        self.controls = [*controls, self.auto]
        self.widget = w.VBox([w.HBox(controls[:3]), w.HBox([*controls[3:], self.auto]), self.output, self.plot,
                              self.table])
        self._schedule()

    def _toggled(self, _change=None) -> None:
        self.refresh()  # on: show the present at once; off: the last view stays
        self._schedule()

    def _schedule(self) -> None:
        """Tick again in ``interval_s`` on the kernel's loop (only in a kernel, while auto-refresh is on)."""
        if self._timer is None and self.auto.value and _in_kernel():
            self._timer = asyncio.get_event_loop().call_later(self.interval_s, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if getattr(self.source, "started", True) and self.auto.value:  # a stopped planet: stop ticking
            self.tick()
            self._schedule()

    def _guard(self, fn):
        def run(_button=None):
            try:
                fn()
            except (ValueError, TypeError, RuntimeError) as exc:  # bad input, or a process that would not start
                self.output.value = message_html(str(exc), "error")
            except Exception as exc:  # noqa: BLE001 - a fault of the kit: words, and the details folded
                self.output.value = message_html(explain(exc), "error", traceback.format_exc())
            self.refresh()
        return run

    # -- what the buttons do --------------------------------------------------------------------

    def _kill(self) -> None:
        self.source.kill(self.node.value)
        self.output.value = message_html(f"{self.node.value}: killed with SIGKILL (kill -9). Its disks stay.")

    def _restart(self) -> None:
        self.source.restart(self.node.value)
        self.output.value = message_html(f"{self.node.value}: running again on the same SQLite files.")

    def _drive(self) -> None:
        n = self.source.drive(ops=self.ops, tasks=4)
        h = self.source.history
        self.output.value = message_html(f"{n} operations; the history holds {len(h)} "
                                         f"({sum(op.status == 'ok' and op.kind == 'write' for op in h)} "
                                         "acknowledged writes).")

    def _verdict(self) -> None:
        s = self.source
        s.settle()
        lost = s.lost_writes()
        copies, sessions = s.converged(), s.sessions()
        self.output.value = table_html([
            ("lost writes (the kit's checker)", str(lost)),
            ("copies that differ from the root", str(len(copies))),
            ("read-your-writes problems", str(len(sessions))),
        ])

    # -- drawing --------------------------------------------------------------------------------

    def tick(self, _change=None) -> None:
        """One refresh: the table always, the map when a process changed state."""
        self.refresh()

    def update(self) -> None:
        if self.source is None:
            raise ValueError("source=None: expected a running planet, LiveApp(Planet()), or a workshop's "
                             "room, LiveApp(Room(url, token)) (edgekit.live)")
        try:
            status = self.source.status()
        except RuntimeError as exc:  # a room whose root does not answer: say so, try again next tick
            self.output.value = message_html(str(exc), "error")
            return
        states = {n: r["state"] for n, r in status.items()}
        if states != self._states:
            self._states = states
            self.show(live_map(self.source.topology, status, title=None))
        rows = "".join(f"<tr><td>{n}</td><td>{r['state']}</td><td>{_n(r['keys'])}</td><td>{_n(r['dirty'])}</td>"
                       f"<td>{_n(r['syncs_completed'])}</td><td>{_n(r['bytes_in'])}</td><td>{_n(r['bytes_out'])}</td>"
                       "</tr>" for n, r in status.items())
        head = "".join(f"<th style='padding:2px 10px'>{h}</th>" for h in
                       ("process", "state", "keys", "dirty", "syncs", "bytes in", "bytes out"))
        self.table.value = f"<table style='font-size:14px'><tr>{head}</tr>{rows}</table>"

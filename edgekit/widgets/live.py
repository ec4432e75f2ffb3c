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
copy, and read-your-writes. A button waits on real processes and real time (a
process start, quiet epochs: up to seconds), so it acts on a thread of the app's
own (``App.act``): the kernel answers at once with what is under way and greys
the buttons out, the ticks go on showing the planet meanwhile, and the result
replaces the "under way" line when it is in. ``LiveApp(room)``
(``edgekit.live.Room``) shows a workshop's room: the map and table only.

Tests drive it without a browser (no kernel, no timer): ``app.tick()``, ``app.kill.click()``,
``app.wait()`` (until the button's result is on show), then read ``app.output.value``,
``app.table.value`` and ``app.figure.data``.
"""

from __future__ import annotations

import asyncio

import ipywidgets as w

from edgekit.figures.live import live_map
from edgekit.widgets.base import App, _in_kernel, message_html, table_html

__all__ = ["LiveApp"]


def _n(v) -> str:
    return "" if v is None else f"{v:,}"


class LiveApp(App):
    """A ``Planet`` (or a ``Room``) on the map, with its metrics and fault buttons."""

    has_map = True
    worded = (ValueError, TypeError, RuntimeError)  # bad input, or a process that would not start or settle

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
            for button, busy, work, done in (
                    (self.kill, lambda n: f"{n}: sending SIGKILL…", self._kill, self._said),
                    (self.restart, lambda n: f"{n}: starting the process again…", self._restart, self._said),
                    (self.drive, lambda _n: f"{ops} operations from 4 clients running…", self._drive, self._said),
                    (self.verdict, lambda _n: "Healing every fault, then waiting for quiet epochs (a few "
                                              "seconds)…", self._verdict, self._tabled)):
                button.on_click(self._button(busy, work, done))
            controls = [self.node, self.kill, self.restart, self.drive, self.verdict]
            self.buttons = controls
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

    # -- what the buttons do: each on a thread of the app's own (``App.act``), the kernel answers at once --

    def _button(self, busy, work, done):
        """A button's callback: ``busy`` at once (the buttons greyed out), then ``done(work(node))``."""
        def click(_button=None):
            node = self.node.value
            self.act(lambda: work(node), busy(node), done, disable=self.buttons)
        return click

    def _kill(self, node: str) -> str:
        self.source.kill(node)
        return f"{node}: killed with SIGKILL (kill -9). Its disks stay."

    def _restart(self, node: str) -> str:
        self.source.restart(node)
        return f"{node}: running again on the same SQLite files."

    def _drive(self, _node: str) -> str:
        n = self.source.drive(ops=self.ops, tasks=4)
        h = self.source.history
        return (f"{n} operations; the history holds {len(h)} "
                f"({sum(op.status == 'ok' and op.kind == 'write' for op in h)} acknowledged writes).")

    def _verdict(self, _node: str) -> list:
        s = self.source
        s.settle()
        lost = s.lost_writes()
        copies, sessions = s.converged(), s.sessions()
        return [("lost writes (the kit's checker)", str(lost)),
                ("copies that differ from the root", str(len(copies))),
                ("read-your-writes problems", str(len(sessions)))]

    def _said(self, text: str) -> None:
        self.output.value = message_html(text)

    def _tabled(self, rows: list) -> None:
        self.output.value = table_html(rows)

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

"""Actions that wait on real processes or compute for seconds: the kernel answers at once.

An app's ``act(work, busy, done)`` shows ``busy`` and greys its controls out, runs ``work`` on a
thread of the app's own, then, in one step under the app's lock, gives the controls back, shows
the result (``done``) or the error in words, and redraws. Why a thread: a kernel busy in a
handler answers nothing else, neither a click nor the live map's ticks, for as long as the
action takes (the live planet's Verdict waits seconds for quiet epochs). ``wait()`` blocks
until the result is on show: tests, the benchmark and notebook cells use it.

Thread safety: the thread changes widgets only under the app's lock, which ``App.refresh``
takes too, so a redraw from the kernel (a tick) never interleaves with one from the thread;
ipykernel sends widget messages from any thread; a figure the thread shows goes through the
``Output`` widget's ``outputs`` (``App.show``), not through ``display``, which would print into
whichever cell runs at that moment.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import wait as wait_for

from edgekit.widgets.messages import explain, message_html

__all__ = ["Actions"]


class Actions:
    """The part of ``App`` that runs actions on a thread (see the module docstring)."""

    worded: tuple = (ValueError, TypeError)  # errors of an action shown in their own words, no details

    def act(self, work: Callable, busy: str, done: Callable | None = None, *, disable=None,
            redraw: bool = True) -> Future:
        """Run ``work()`` on a thread, so that the kernel answers at once; returns ``self.job``.

        At once: ``busy`` shows in ``.output`` and the ``disable`` widgets (by default the controls)
        are greyed out. Then, on the thread, in one step under the app's lock: the widgets come back,
        ``done(result)`` shows the result, the app redraws (``redraw``). An error shows as ``refresh``
        shows one (``worded`` errors in their own words only, others with their details folded).
        While an action runs, asking for another (a click the page sent before it greyed the
        button, or a control set from code) starts nothing.
        """
        with self._lock:
            if self.busy:
                return self.job
            widgets = [c for c in (self.controls if disable is None else disable) if hasattr(c, "disabled")]
            restore = [(c, c.disabled) for c in widgets]
            for c in widgets:
                c.disabled = True
            self.busy, self.job = True, Future()
            self.output.value = message_html(busy)
            job = self.job
        threading.Thread(target=self._act, args=(job, work, done, restore, redraw),
                         name=f"{type(self).__name__} action", daemon=True).start()
        return job

    def _act(self, job: Future, work: Callable, done: Callable | None, restore: list, redraw: bool) -> None:
        try:
            self._finish(work, done, restore, redraw)
        finally:
            job.set_result(None)  # whatever happened: ``wait`` never hangs on a finished thread

    def _finish(self, work: Callable, done: Callable | None, restore: list, redraw: bool) -> None:
        try:
            result, failure = work(), None
        except Exception as exc:  # noqa: BLE001 - on a thread nobody reads a traceback: the learner gets words
            result, failure = None, (exc, traceback.format_exc())
        with self._lock:  # one step from "busy" to the result: no other action or redraw comes between
            for c, was in restore:
                c.disabled = was
            self.busy, self.last_error = False, None
            if failure is None and done is not None:
                try:
                    done(result)  # may start the next action (``self.job`` moves on): ``wait`` follows it
                except Exception as exc:  # noqa: BLE001 - as above
                    failure = (exc, traceback.format_exc())
            if failure is not None:
                exc, details = failure
                worded = isinstance(exc, self.worded) and bool(str(exc))
                error = str(exc) if worded else explain(exc)
                self.output.value = message_html(error, "error", None if worded else details)
            if redraw:
                self.refresh()
            if failure is not None:
                self.last_error = error  # the action's error stays the news after the redraw

    def wait(self, timeout_s: float = 180.0) -> None:
        """Block until the last action's result (or error) is on show; at once if none runs."""
        deadline = time.monotonic() + timeout_s
        while (job := self.job) is not None:
            wait_for([job], timeout=max(0.0, deadline - time.monotonic()))
            if not job.done():
                raise TimeoutError(f"{type(self).__name__}: the action still runs after {timeout_s:g} s")
            if self.job is job:
                return

"""What the grader tells the learner: the verdict, the smallest failing run, the hint, the seed.

A ``Report`` prints as plain text (``str``), shows as HTML plus a space-time diagram in a
notebook, and turns into an exercise ``Feedback`` for ``edgekit.exercises.check``. The
story of a failing run lists, in time order, what clients did and were told, what the
learner's PoP sent and received (and what the network did to it), and the faults; the
message the diagnosis points at is marked ``◀``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from edgekit.exercises import Feedback

from .checks import CHECK_TITLES, fmt
from .stages import STAGES

__all__ = ["Report", "story"]

_FATE = {"lost": "✘ lost", "partition": "✘ cut off", "crashed": "✘ arrived at a crashed node"}


def _entries(entries: dict) -> str:
    return "{" + ", ".join(f"{k}: {'None' if v is None else fmt(v)}" for k, v in entries.items()) + "}"


def story(scenario, trace, highlight: int | None = None, until_seq: int | None = None,
          key: str | None = None, limit: int = 24) -> list[str]:
    """The run in plain lines: operations, the learner's messages and their fates, faults.

    Only messages to or from the learner's PoP are told; with ``key``, only those carrying it
    (and the highlighted one). The grader's own reads after quiet are told for ``key`` only.
    """
    me = scenario.learner
    rows: list[tuple[int, float, str]] = []
    for o in trace.ops:
        if o.probe and (o.key != key or o.site != me):
            continue
        who = "the grader" if o.probe else "client"
        what = f"write {o.key} +{o.n}" if o.kind == "write" else f"read {o.key}"
        told = "unavailable (the PoP is down)" if not o.ok else (
            "acknowledged: " + fmt(o.value) if o.kind == "write" else fmt(o.value))
        rows.append((o.seq, o.time, f"{who} at {o.site}: {what} → {told}"))
    for m in trace.messages:
        if me not in (m.src, m.dst):
            continue
        if key is not None and key not in m.entries and m.id != highlight:
            continue
        name = "SyncRequest" if m.kind == "request" else "SyncResponse"
        fate = _FATE.get(m.dropped, "") if not m.delivered else (
            "arrives twice" if len(m.delivered) > 1 else "")
        if m.fault == "held":
            fate = (fate + " (held back)").strip()
        mark = "  ◀" if m.id == highlight else ""
        rows.append((m.seq, m.time, f"{m.src} → {m.dst}  {name} #{m.sync_id} {_entries(m.entries)}"
                                    f"{'  ' + fate if fate else ''}{mark}"))
    for f in trace.faults:
        what = {"crash": "crashes (all but ctx.disk is lost)", "restart": "restarts",
                "cut": "cut", "heal": "healed"}[f.kind]
        rows.append((f.seq, f.time, f"{' ↔ '.join(f.nodes)} {what}"))
    rows.sort()
    if until_seq is not None:
        rows = [r for r in rows if r[0] <= until_seq]
    lines = [f"t={t:7.0f} ms  {text}" for _, t, text in rows]
    if len(lines) > limit:
        lines = lines[: limit // 2] + [f"   ... {len(lines) - limit} more ..."] + lines[-(limit - limit // 2):]
    return lines


@dataclass
class Report:
    """The grader's verdict on one stage for one node class."""

    stage: int
    node: str
    ok: bool
    answered: bool = True
    check: str | None = None
    misconception: str | None = None
    message: str = ""
    hint: str = ""
    seed: int | None = None
    runs: int = 0  # scenarios played
    scenario: object = None  # the smallest failing run
    trace: object = None
    highlight: int | None = None
    key: str | None = None  # the key the failure is about
    until: float | None = None  # when the failure showed (ms): the diagram ends there
    shrunk_from: int | None = None  # operations + faults before shrinking
    note: str = ""
    seconds: float = 0.0
    story: list = field(default_factory=list)
    bytes_per_op: tuple | None = None  # (yours, the reference's), stages 2-5

    @property
    def title(self) -> str:
        return CHECK_TITLES.get(self.check, self.check or "")

    @property
    def size(self) -> int | None:
        """Operations plus faults in the smallest failing run."""
        return None if self.scenario is None else self.scenario.size

    def headline(self) -> str:
        st = STAGES[self.stage]
        if not self.answered:
            return f"Stage {self.stage} · {st.title}: not answered yet. {self.message}"
        if self.ok:
            return f"Stage {self.stage} · {st.title}: ✔ passed, {self.runs} runs ({st.faults})."
        return f"Stage {self.stage} · {st.title}: ✘ {self.title}."

    def lines(self) -> list[str]:
        out = [self.note] if self.note else []
        out.append(self.headline())
        if self.ok and self.bytes_per_op:
            yours, ref = self.bytes_per_op
            out.append(f"  {yours:,.0f} bytes per operation on the wire (the reference design: {ref:,.0f}).")
        if self.ok or not self.answered:
            return out
        out.append("  " + self.message)
        if self.hint:
            out.append(f"Likely misconception: {self.hint}")
        if self.scenario is not None and self.seed is not None:
            shrunk = (f"; shrunk from {self.shrunk_from} operations and faults to {self.size}"
                      if self.shrunk_from and self.shrunk_from != self.size else "")
            out.append(f"The smallest failing run found (seed {self.seed}{shrunk}):")
            out += ["  " + line for line in self.story] or [
                "  no operation and no fault: the node fails as it starts, or at the grader's own reads"]
            out.append(f"Replay it: grade({self.node}, stage={self.stage}, seed={self.seed})")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def feedback(self) -> Feedback:
        return Feedback(self.ok, str(self), self.answered)

    def figure(self):
        """The smallest failing run as a space-time diagram, the offending message highlighted."""
        if self.trace is None or self.scenario is None:
            return None
        from edgekit.figures.grade import run_figure

        marked = "; the message the diagnosis points at is thick" if self.highlight is not None else ""
        return run_figure(self.scenario, self.trace, highlight=self.highlight, key=self.key,
                          title=f"The smallest failing run (seed {self.seed}){marked}", until=self.until)

    def _repr_html_(self) -> str:
        colour = "#009E73" if self.ok else ("#0072B2" if not self.answered else "#D55E00")
        body = "<br>".join(html.escape(x) for x in self.lines()[:3])
        rest = self.lines()[3:]
        pre = f"<pre style='font-size:13px'>{html.escape(chr(10).join(rest))}</pre>" if rest else ""
        return (f'<div style="border-left:4px solid {colour};padding:4px 8px;font-size:15px">'
                f"{body}{pre}</div>")

    def _ipython_display_(self) -> None:
        from IPython.display import HTML, display

        display(HTML(self._repr_html_()))
        fig = self.figure()
        if fig is not None:
            display(fig)

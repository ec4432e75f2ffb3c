"""Chapter 6's gallery: pick a mistake, watch the grader catch it.

Each entry of ``edgekit.grade.GALLERY`` is a reference node with one mistake learners
really make. Choosing one shows the wrong code, the grader's report on the stage that must
catch it and the smallest failing run as a space-time diagram.

Grading is the real ``grade(node, stage)``: it plays the stage's seeded runs until one fails,
then shrinks that run, which takes up to a second or two (SendsTwice passes every check and
fails only on bytes over all 60 runs). So a first look grades on a thread of the app's own
(``App.act``): the kernel answers at once with "grading…" and the dropdown greyed out, and
the report shows when it is in. The report is kept: a second look is immediate. The first
view, graded while the app is built, is part of the cell's run.
"""

from __future__ import annotations

import html
import inspect

import ipywidgets as w

from edgekit.grade import GALLERY, grade
from edgekit.widgets.base import App

__all__ = ["GalleryApp"]


class GalleryApp(App):
    """A dropdown of wrong nodes; the grader's verdict on the chosen one, with its diagram."""

    def __init__(self, mistake: str = "AddsOnAnswer") -> None:
        super().__init__()
        if mistake not in GALLERY:
            raise ValueError(f"mistake={mistake!r}: expected one of {list(GALLERY)}")
        self._reports: dict = {mistake: self.grade(mistake)}
        options = [(f"stage {m.stage} · {m.what}", name) for name, m in GALLERY.items()]
        self.mistake = w.Dropdown(options=options, value=mistake, description="Wrong node",
                                  layout=w.Layout(width="560px"), style={"description_width": "initial"})
        self.start([self.mistake])

    @staticmethod
    def grade(name: str):
        """The grader's report on gallery entry ``name``, on the stage that must catch it."""
        m = GALLERY[name]
        return grade(m.node, m.stage, progress=False)

    def update(self) -> None:
        name = self.mistake.value
        if name in self._reports:
            self.render(name)
            return
        m = GALLERY[name]
        self.act(lambda: self.grade(name), f"Grading {name} on stage {m.stage}: the grader plays the stage's "
                 "seeded runs until one fails, then shrinks it (up to a second or two)…",
                 lambda r: self._graded(name, r), redraw=False)

    def _graded(self, name: str, r) -> None:
        self._reports[name] = r
        self.update()  # the chosen entry: this one, or (a value set from code meanwhile) the next to grade

    def render(self, name: str) -> None:
        r = self._reports[name]
        code = inspect.getsource(GALLERY[name].node)
        self.output.value = (
            f"<details><summary style='font-size:15px'>The code of <code>{html.escape(name)}</code> "
            f"(a reference node with one mistake)</summary><pre>{html.escape(code)}</pre></details>"
            + r._repr_html_())
        fig = r.figure()
        if fig is not None:
            self.show(fig)

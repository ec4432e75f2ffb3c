"""Chapter 6's gallery: pick a mistake, watch the grader catch it.

Each entry of ``edgekit.grade.GALLERY`` is a reference node with one mistake learners
really make. Choosing one grades it on the stage that must catch it (a second or two, then
cached) and shows the wrong code, the grader's report and the smallest failing run as a
space-time diagram.
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
        self._reports: dict = {}
        options = [(f"stage {m.stage} · {m.what}", name) for name, m in GALLERY.items()]
        self.mistake = w.Dropdown(options=options, value=mistake, description="Wrong node",
                                  layout=w.Layout(width="560px"), style={"description_width": "initial"})
        self.start([self.mistake])

    def report(self, name: str):
        if name not in self._reports:
            m = GALLERY[name]
            self._reports[name] = grade(m.node, m.stage, progress=False)
        return self._reports[name]

    def update(self) -> None:
        name = self.mistake.value
        r = self.report(name)
        code = inspect.getsource(GALLERY[name].node)
        self.output.value = (
            f"<details><summary style='font-size:15px'>The code of <code>{html.escape(name)}</code> "
            f"(a reference node with one mistake)</summary><pre>{html.escape(code)}</pre></details>"
            + r._repr_html_())
        fig = r.figure()
        if fig is not None:
            self.show(fig)

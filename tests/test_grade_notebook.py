"""Chapter 6 with the reference solutions switched on: every stage's grade cell passes.

nbval (``make test``) runs the notebook as a learner first opens it, exercises unanswered,
and its check cells say "not answered". This runs it again in a fresh kernel with
``EDGEKIT_INSTRUCTOR=1``, as an instructor would: each unanswered stage is graded with its
reference solution, which must pass, and ``solution(...)`` shows code.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "06-build-a-node.ipynb"

pytestmark = pytest.mark.timeout(300)


def _outputs(path: Path, env: dict) -> list[tuple[str, str]]:
    """(source, everything it printed or displayed as text) for each code cell, run in order."""
    return _run([c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"],
                path.parent, env)


def _run(cells: list[str], cwd: Path, env: dict) -> list[tuple[str, str]]:
    """Run ``cells`` in order in a fresh kernel: (source, its text output) for each."""
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)
    out = []
    try:
        for source in cells:
            texts: list[str] = []

            def hook(msg, texts=texts):
                c = msg["content"]
                if msg["msg_type"] == "stream":
                    texts.append(c["text"])
                elif msg["msg_type"] in ("display_data", "execute_result"):
                    texts.append(c["data"].get("text/html", c["data"].get("text/plain", "")))
                elif msg["msg_type"] == "error":
                    texts.append(f"ERROR {c['ename']}: {c['evalue']}")

            reply = kc.execute_interactive(source, timeout=240, output_hook=hook)
            assert reply["content"]["status"] == "ok", (source, texts)
            out.append((source, "".join(texts)))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return out


def test_chapter_6_runs_with_the_reference_solutions_switched_on():
    env = dict(os.environ, EDGEKIT_INSTRUCTOR="1")
    cells = _outputs(NOTEBOOK, env)
    graded = [(src, text) for src, text in cells if src.startswith("grade(Stage")]
    assert len(graded) == 5
    for k, (src, text) in enumerate(graded, 1):
        assert f"stage={k}" in src
        assert "Instructor mode" in text and "reference solution" in text, text[:300]
        assert f"Stage {k} " in text and "passed" in text, text[:500]
    shown = [text for src, text in cells if src.startswith("solution(")]
    assert len(shown) == 5 and all("class " in t and "hidden" not in t for t in shown)


def test_an_exception_in_a_learners_cell_is_shown_at_that_cells_line():
    cells = [
        "from edgekit.grade import EdgeNode, grade",
        "class Oops(EdgeNode):\n"
        "    def on_read(self, ctx, key):\n"
        "        return self.store[key]\n"
        "    def on_write(self, ctx, key, n):\n"
        "        return self.store[key]  # KeyError on the first write",
        "print(grade(Oops, stage=1, progress=False))",
    ]
    (_, text), = _run(cells, ROOT, dict(os.environ))[-1:]
    assert "your on_" in text and "raised KeyError" in text
    assert "of cell In[2]: return self.store[key]" in text, text
    assert "Traceback" not in text and "edgekit/" not in text

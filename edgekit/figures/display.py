"""Figures reach a Jupyter page as plotly's own mime bundle, without plotly's renderer machinery.

Why: plotly displays a figure through ``plotly.io.show``, and loading ``plotly.io``'s renderers
imports nbformat, only to check its version. nbformat imports jsonschema, whose format checkers
import rfc3987-syntax (installed for jupyter-events), which builds a Lark grammar at import: about
1.5 s on the first figure of every notebook (``python -X importtime -c 'import nbformat'``).

In an ipykernel plotly itself picks the ``plotly_mimetype`` renderer, whose whole output is the
figure's JSON under ``application/vnd.plotly.v1+json``; JupyterLab's plotly extension (shipped with
plotly) draws it. ``install`` registers a display hook for ``go.Figure`` that sends that same
bundle (``tests/test_figure_display.py`` compares it with plotly's renderer's). The hook steps aside,
and plotly shows the figure itself, wherever plotly might choose otherwise: ``PLOTLY_RENDERER`` set,
a hosted notebook plotly recognises (Colab, Kaggle, Azure, CoCalc, Databricks), or plotly's
renderers already loaded (someone may have chosen one, and the import is paid anyway).
``go.FigureWidget`` is a widget and is not touched.
"""

from __future__ import annotations

import json
import os
import sys

import plotly.graph_objects as go
import plotly.io as pio

__all__ = ["MIME", "mimebundle", "page_bundle", "install"]

MIME = "application/vnd.plotly.v1+json"
# Environment variables under which plotly.io._renderers (plotly 7.1) picks a renderer other than
# plotly's mime type; /kaggle/input is its Kaggle marker.
PLOTLY_ELSEWHERE = ("PLOTLY_RENDERER", "COLAB_NOTEBOOK_ID", "AZURE_NOTEBOOKS_HOST", "COCALC_PROJECT_ID",
                    "DATABRICKS_RUNTIME_VERSION")


def mimebundle(fig: go.Figure) -> dict:
    """What plotly's ``plotly_mimetype`` renderer sends for ``fig``: its JSON under plotly's mime type."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig={type(fig).__name__}: expected a plotly.graph_objects.Figure")
    return {MIME: json.loads(pio.to_json(fig, validate=False, remove_uids=False))}


def plotly_chooses_mimetype() -> bool:
    """Whether plotly would show a figure as its mime type here, without our asking its renderers."""
    if "plotly.io._renderers" in sys.modules:
        return False
    return not any(os.environ.get(v) for v in PLOTLY_ELSEWHERE) and not os.path.exists("/kaggle/input")


def page_bundle(fig: go.Figure) -> dict:
    """The bundle a page gets for ``fig``: ours where plotly would send its mime type, else plotly's own.

    For outputs set directly (an ``Output`` widget's ``outputs`` from an app's thread), where the
    display hook does not run: plotly's ``_repr_mimebundle_`` would load its renderers (nbformat and
    all) and from then on every figure of the kernel would go plotly's way.
    """
    if isinstance(fig, go.Figure) and not plotly_chooses_mimetype():
        return fig._repr_mimebundle_()
    return mimebundle(fig)  # (which names a non-figure ``fig`` in its TypeError)


def _show(fig: go.Figure) -> None:
    if plotly_chooses_mimetype():
        from IPython.display import display

        display(mimebundle(fig), raw=True)
    else:
        fig._ipython_display_()  # plotly's own path: its renderers, nbformat and all


def install(shell=None) -> bool:
    """Display every ``go.Figure`` in this kernel through ``mimebundle``; False outside a kernel."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - plotly figures in a notebook need IPython
            return False
        shell = get_ipython()
    if getattr(shell, "kernel", None) is None:
        return False
    shell.display_formatter.ipython_display_formatter.for_type(go.Figure, _show)
    return True

"""A kit figure reaches the page as plotly's own mime bundle, without importing nbformat (figures/display.py)."""

from __future__ import annotations

import os

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from jupyter_client.manager import start_new_kernel

from edgekit.figures import display
from edgekit.figures.geo import pair_figure
from edgekit.figures.style import apply


@pytest.mark.parametrize("fig", [pair_figure("LHR", "SYD"), apply(go.Figure(go.Bar(x=["a", "b"], y=[1, 2])), "t"),
                                 go.Figure(go.Scatter(x=[0.5, float("nan")], y=[1, 2], uid="kept"))])
def test_the_bundle_is_what_plotlys_own_mimetype_renderer_sends(fig):
    assert display.mimebundle(fig) == pio.renderers["plotly_mimetype"].to_mimebundle(fig.to_dict())


def test_only_a_figure_has_a_bundle():
    with pytest.raises(TypeError, match="fig=Bar: expected a plotly.graph_objects.Figure"):
        display.mimebundle(go.Bar())
    with pytest.raises(TypeError, match="fig=dict"):
        display.mimebundle({"data": []})


def test_outside_a_kernel_nothing_is_installed():
    assert display.install(object()) is False


def _kernel_outputs(cells: list[str], env: dict | None = None) -> list[list]:
    """Each cell's outputs in one fresh kernel: mime types of displays, or the printed text."""
    km, kc = start_new_kernel(kernel_name="python3", env={**os.environ, **(env or {})})
    try:
        runs = []
        for source in cells:
            outs: list = []

            def hook(msg, outs=outs):
                if msg["msg_type"] in ("display_data", "execute_result"):
                    outs.append(sorted(msg["content"]["data"]))
                elif msg["msg_type"] in ("stream", "error"):
                    outs.append(msg["content"].get("text", msg["content"].get("evalue")).strip())

            reply = kc.execute_interactive(source, timeout=120, output_hook=hook)
            assert reply["content"]["status"] == "ok", (source, outs)
            runs.append(outs)
        return runs
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


LOADED = "import sys; print('nbformat' in sys.modules, 'plotly.io._renderers' in sys.modules)"


def test_in_a_kernel_a_figure_is_shown_without_plotlys_renderers_until_someone_loads_them():
    first, loaded, again, after = _kernel_outputs([
        "from edgekit.figures.geo import pair_figure\npair_figure('LHR', 'SYD')", LOADED,
        "import plotly.io as pio\npio.renderers.default = 'json'\npair_figure('LHR', 'SYD')", LOADED])
    assert first == [[display.MIME]] and loaded == ["False False"]
    # Someone chose a renderer: plotly shows the figure its own way (the json renderer's mime type).
    assert again == [["application/json"]] and after == ["True True"]


def test_where_plotly_would_choose_another_renderer_it_does():
    shown, loaded = _kernel_outputs(["from edgekit.figures.geo import pair_figure\npair_figure('LHR', 'SYD')", LOADED],
                                    env={"PLOTLY_RENDERER": "json"})
    assert shown == [["application/json"]] and loaded == ["True True"]


def test_a_figure_an_app_shows_from_its_thread_keeps_plotlys_renderers_unloaded():
    """App.show from an action's thread sets the Output widget's outputs itself: with the kit's bundle,
    not plotly's ``_repr_mimebundle_``, which would load the renderers for every later figure."""
    shown, loaded = _kernel_outputs([
        "import threading\nfrom edgekit.figures.geo import pair_figure\nfrom edgekit.widgets.light import PairExplorer\n"
        "app = PairExplorer()\nt = threading.Thread(target=app.show, args=(pair_figure('LHR', 'SYD'),))\n"
        "t.start(); t.join()\nprint(sorted(app.plot.outputs[0]['data']))", LOADED])
    assert shown[-1] == str([display.MIME]) and loaded == ["False False"]  # (the app drew once on build)

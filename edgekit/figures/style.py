"""One look for every figure: colour-blind-safe colours, projector-sized type.

Colours are the Okabe-Ito palette (Okabe & Ito, "Color Universal Design",
2008), safe for the common colour-vision deficiencies. Figures never carry
information by colour alone: pair a colour with a marker symbol, a dash
pattern or a text label (``SYMBOLS`` and ``DASHES`` are in the same order).

The look is a plotly template, ``"edgekit"`` (``plotly_white`` with the palette
and the type size), which importing this module makes plotly's default unless
someone already chose another. Why: plotly copies the default template into
every new figure without checking it again (under a millisecond), while setting
a template on a figure checks all of it (50-90 ms here, most of a widget's
redraw). When another default is in force, ``apply`` sets the kit's template
explicitly: the same look, at the slower price. Importing it also installs ``display``'s hook, so
that a figure shown in a kernel does not wait 1.5 s for plotly's renderers to import nbformat.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

from .._checks import brief
from .display import install

install()  # in a Jupyter kernel: figures go out as plotly's mime bundle, without importing nbformat (display.py)

__all__ = ["color", "symbol", "dash", "apply", "world_map", "map_assets_js"]

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "triangle-down")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")
# Sequential scale for "more is worse" quantities such as latency (colour-blind safe).
SEQUENTIAL = "Viridis"

# Natural Earth 1:110m country shapes (see assets/README.md), so world maps draw offline.
WORLD_TOPOJSON = Path(__file__).parent / "assets" / "world_110m.json"

FONT_SIZE = 16  # readable from the back of a room on a projector
TITLE_SIZE = 20


TEMPLATE = "edgekit"
GEO = dict(projection_type="natural earth", showcountries=True, countrycolor="#bbbbbb", showland=True,
           landcolor="#f2f2f2", showocean=True, oceancolor="#ffffff")


def _template() -> go.layout.Template:
    """plotly_white with the kit's palette and type size, and a plain world map for any map."""
    # A copy of plotly's own template, which plotly checked when it loaded it: checking it again
    # (``_validate``, on by default) costs about 0.1 s at every kernel's first figure import.
    t = go.layout.Template(pio.templates["plotly_white"], _validate=False)
    t.layout.update(font=dict(size=FONT_SIZE), colorway=list(OKABE_ITO), geo=GEO)
    return t


pio.templates[TEMPLATE] = _template()
if pio.templates.default == "plotly":  # plotly's own default: nobody chose a look yet
    pio.templates.default = TEMPLATE


def _nth(items: tuple, i) -> str:
    if isinstance(i, bool) or not isinstance(i, int):
        raise TypeError(f"i={brief(i)}: expected an int (the trace's index; the list cycles)")
    return items[i % len(items)]


def color(i: int) -> str:
    """The i-th palette colour (cycles)."""
    return _nth(OKABE_ITO, i)


def symbol(i: int) -> str:
    return _nth(SYMBOLS, i)


def dash(i: int) -> str:
    return _nth(DASHES, i)


def apply(fig: go.Figure, title: str | None = None, height: int = 480) -> go.Figure:
    """Give ``fig`` the kit's layout: large type, white background, palette colours."""
    if pio.templates.default != TEMPLATE:  # another default is in force: ours, explicitly (slower)
        fig.update_layout(template=TEMPLATE)
    fig.update_layout(
        title=dict(text=title, font=dict(size=TITLE_SIZE)) if title else None,
        height=height,
        margin=dict(l=60, r=30, t=70 if title else 30, b=60),
        legend=dict(font=dict(size=FONT_SIZE - 2)),
    )
    return fig


def world_map(fig: go.Figure, title: str | None = None, height: int = 520) -> go.Figure:
    """``apply`` plus a plain world map geography (natural earth projection; ``GEO``, in the template)."""
    apply(fig, title, height)
    if pio.templates.default != TEMPLATE:
        fig.update_geos(**GEO)
    return fig


@lru_cache(maxsize=1)
def map_assets_js() -> str:
    """JavaScript that gives plotly.js its world map shapes, so maps draw without the Internet.

    plotly.js looks in ``window.PlotlyGeoAssets.topojson[name]`` before it fetches
    a map from its CDN, and creates that global only when nothing has.
    """
    topo = json.dumps(json.loads(WORLD_TOPOJSON.read_text(encoding="utf-8")), separators=(",", ":"))
    return (
        "window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
        "window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};"
        f"window.PlotlyGeoAssets.topojson.world_110m = {topo};"
    )

"""The kit's look comes from its plotly template, whichever default template is in force."""

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from edgekit.figures import style
from edgekit.figures.geo import pair_figure


def look(fig: go.Figure) -> tuple:
    t = fig.layout.template.layout
    return (t.plot_bgcolor, t.font.size, tuple(t.colorway), t.geo.projection.type, fig.layout.title.font.size)


@pytest.fixture
def default_template():
    before = pio.templates.default
    yield
    pio.templates.default = before


def test_importing_the_kit_makes_its_template_the_default_and_figures_carry_it():
    assert pio.templates.default == style.TEMPLATE
    fig = pair_figure("LHR", "SYD")
    assert look(fig) == ("white", style.FONT_SIZE, style.OKABE_ITO, "natural earth", style.TITLE_SIZE)


def test_another_default_still_gets_the_kit_look(default_template):
    kit = look(pair_figure("LHR", "SYD"))
    pio.templates.default = "plotly_dark"
    assert look(pair_figure("LHR", "SYD")) == kit
    plain = style.apply(go.Figure(), "t")
    assert plain.layout.template.layout.colorway == style.OKABE_ITO

import json
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from test_notebooks_in_browser import _open, _run_all

pytestmark = pytest.mark.browser

def _nb(path, cells):
    nb = new_notebook(cells=[new_code_cell(c) for c in cells], metadata={"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(nb, path)

@pytest.mark.parametrize("exp", ["a", "b"])
def test_debug(exp, lab_server, browser, artifacts):
    if exp == "a":
        cells = ["import plotly.graph_objects as go"] + [f"go.FigureWidget(go.Bar(y=[1, 2, {i}]))" for i in range(5)]
    else:
        cells = ["import plotly.graph_objects as go\nimport ipywidgets as w\nfrom IPython.display import display"] + [
            f"o = w.Output()\nwith o:\n    display(go.Figure(go.Bar(y=[1, 2, {i}])))\no" for i in range(5)]
    _nb(lab_server["dir"] / f"exp_{exp}.ipynb", cells)
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    _open(page, lab_server, f"exp_{exp}.ipynb")
    _run_all(page)
    for k in range(3):
        page.wait_for_timeout(2000)
        print(exp, k, page.evaluate("() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => (el.data||[]).length)"))
    context.close()

"""edgekit: reference implementations behind a teaching kit about state at the edge.

The core (geo, clocks, crdt, sim, consistency, checkers, edge) is standard-library
Python; figures (plotly) and widgets (ipywidgets) sit on top.
"""

__version__ = "0.1.0"

"""Figures for the text CRDT: the trace benchmark's ratios and the two-editors story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgekit.crdt.text import demo_two_editors
from edgekit.figures.text import trace_benchmark_figure, two_editors_figure

RESULTS = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "text_trace.json"


def record(**times):
    results = {name: {"cpu_s": t, "rss_growth_bytes": 10e6 * t, "encoded_bytes": 1000 * t}
               for name, t in times.items()}
    return {"baseline": "automerge", "repeats": 3, "results": results,
            "trace": {"name": "automerge-paper.json.gz", "edits": 259778}}


def test_benchmark_figure_shows_ratios_to_automerge_and_the_list_floor():
    fig = trace_benchmark_figure(record(edgekit=1.0, automerge=2.0, pycrdt=8.0, list=0.5))
    bars = [t for t in fig.data if t.type == "bar"]
    assert len(bars) == 3 * 3  # three peers (the list is a line) in three panels
    edgekit = [b for b in bars if b.legendgroup == "edgekit"]
    assert [b.y[0] for b in edgekit] == [0.5, 0.5, 0.5] and edgekit[0].text[0] == "0.50x"
    floors = [s for s in fig.layout.shapes if s.line.dash == "dash"]
    assert len(floors) == 3 and {round(s.y0, 6) for s in floors} == {0.25}
    assert "259,778 edits" in fig.layout.title.text
    patterns = {b.marker.pattern.shape for b in bars}
    assert len(patterns) == 3  # not colour alone


def test_benchmark_figure_reads_the_committed_results():
    if not RESULTS.exists():
        pytest.skip("no benchmark results committed yet")
    rec = json.loads(RESULTS.read_text())
    fig = trace_benchmark_figure(rec)
    automerge = [b for b in fig.data if b.legendgroup == "automerge"]
    assert [b.y[0] for b in automerge] == [1.0, 1.0, 1.0]


def test_two_editors_figure_spells_out_each_stage():
    demo = demo_two_editors(1)
    fig = two_editors_figure(demo)
    rows = {}
    for trace in fig.data:
        rows.setdefault(trace.y[0], []).extend(trace.text)
    spelled = ["".join(rows[-y]).replace("·", " ") for y in range(4)]
    assert spelled == [demo.alice_before, demo.bob_before, demo.alice_after, demo.naive]
    names = {t.name for t in fig.data if t.showlegend}
    assert {"typed by alice", "typed by bob", "shared start"} <= names
    symbols = {t.marker.symbol for t in fig.data}
    assert len(symbols) >= 3  # authors differ by symbol as well as colour

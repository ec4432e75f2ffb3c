"""The chapter map: one place that the welcome notebook, the README and the tests read.

Minutes are the time a workshop gives each chapter (reading, widgets and
exercises); a notebook that states its time says the same (a test checks).
Measured run times are in ``benchmarks/results/notebook_times.json``
(``python benchmarks/notebook_times.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._checks import brief

__all__ = ["Chapter", "CHAPTERS", "APPENDICES", "chapter", "markdown_table"]


@dataclass(frozen=True)
class Chapter:
    number: int | str  # "A1" for an appendix
    notebook: str
    title: str
    objectives: tuple[str, ...]
    minutes: int  # workshop time for reading, widgets and exercises


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(0, "00-welcome.ipynb", "Welcome", (
        "know what the kit teaches and how the chapters fit together",
        "check that widgets and figures work on your machine",
    ), 5),
    Chapter(1, "01-speed-of-light.ipynb", "The speed of light", (
        "compute great-circle distances and light-speed round-trip bounds between real places",
        "compare the bounds with measured round-trip times and explain the gap",
        "price coordination: local writes against a primary and a majority quorum",
    ), 13),
    Chapter(2, "02-time-and-order.ipynb", "Time and order", (
        "explain why skewed wall clocks cannot order events across the planet",
        "use Lamport, vector and hybrid logical clocks to capture happens-before",
        "see last-writer-wins silently lose a causally later write",
    ), 12),
    Chapter(3, "03-cap-and-quorums.ipynb", "CAP and quorums", (
        "watch a partition force a choice between availability and consistency",
        "check histories for linearizability and read a counterexample",
        "trade latency against staleness with N/R/W quorums and PBS",
    ), 12),
    Chapter(4, "04-crdts.ipynb", "CRDTs", (
        "explain why merges must be associative, commutative and idempotent",
        "use counters, sets, registers, maps, sketches and text that converge",
        "check a CRDT you write yourself against the laws",
    ), 18),
    Chapter(5, "05-edge-state.ipynb", "State at the edge", (
        "build the talk's hub-and-spoke, pull-sync edge state system",
        "compare it with an asynchronous primary and a gossip mesh on the same workload",
        "look inside a PoP (LRU with pinned writes, replicas, scatter-gather) and up the fractal tree",
        "say what a client reads and must send, and which guarantees hold within and across PoPs",
        "reason about epochs, read misses, hot keys and bytes on the wire",
    ), 30),
    Chapter(6, "06-build-a-node.ipynb", "Build your own edge node", (
        "write the site's half of the talk's system as a sans-IO node, graded stage by stage",
        "keep a key owed until an answer to a request that carried it arrives, under loss and duplicates",
        "survive partitions, crashes and a store of finite size without losing an acknowledged write",
        "read a grader's minimal counterexample and its space-time diagram",
    ), 60),
)


# Appendices: read on your own after the chapter they extend; no workshop time, no widgets needed.
APPENDICES: tuple[Chapter, ...] = (
    Chapter("A1", "A1-text-crdt-performance.ipynb", "Appendix: a text CRDT on a real trace", (
        "read a side-by-side benchmark of edgekit's Text, automerge and Yrs on 260,000 real edits",
    ), 0),
)


def chapter(notebook: str) -> Chapter:
    """The chapter (or appendix) whose notebook file is ``notebook``."""
    for c in CHAPTERS + APPENDICES:
        if c.notebook == notebook:
            return c
    raise ValueError(f"notebook={brief(notebook)}: expected one of {[c.notebook for c in CHAPTERS + APPENDICES]}")


def markdown_table() -> str:
    """The chapter map as a Markdown table (used by the welcome notebook and README)."""
    rows = ["| # | Notebook | You will | Minutes |", "|---|---|---|---|"]
    for c in CHAPTERS:
        rows.append(f"| {c.number} | `{c.notebook}` {c.title} | {'; '.join(c.objectives)} | {c.minutes} |")
    for c in APPENDICES:
        rows.append(f"| {c.number} | `{c.notebook}` {c.title} | {'; '.join(c.objectives)} | on your own |")
    return "\n".join(rows)

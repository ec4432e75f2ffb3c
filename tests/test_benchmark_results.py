"""The README's Measurements table quotes only stored results.

Each row of the table names the command that ran and the results file it wrote
(``benchmarks/results_io.py``); every figure in the row's result cell must be in
that file: a number as rounded in the README (a percentage as a fraction or as
percent), a version string such as 4.1.2 among the file's strings. So a README
figure cannot outlive its measurement, and a re-measurement shows up as a failing
row until the README quotes it.
"""

import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("command", "date", "machine", "python", "peers", "load_average", "results")
# A version (4.1.2), or a number (1,234.5, 97.4%, 1.65x), but not digits inside a name (2P-Set, etcd_002).
FIGURE = re.compile(r"(?<![\w.])(?:\d+(?:\.\d+){2,}|(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?)(?![A-Za-wyz_])")


HEADER = "| what | command | results file | result |"


def measurement_rows(readme: str) -> list[dict]:
    """The rows of the table headed ``HEADER`` under '## Measurements': what, command, file and
    result, backticks removed. Every line of that table must have those four cells."""
    section = readme.split("\n## Measurements\n", 1)[1].split("\n## ", 1)[0]
    lines = section.split("\n" + HEADER + "\n", 1)[1].splitlines()
    rows = []
    for line in lines[1:]:  # after the |---| line
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"README Measurements: a row without four cells: {line}"
        rows.append(dict(zip(("what", "command", "file", "result"), cells, strict=True)))
    return rows


def leaves(value):
    """Every number and string inside a JSON value."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    elif value is not None:
        yield value


def backed(figure: str, values: list) -> bool:
    """Whether the README's ``figure`` is one of ``values`` as the README rounds it."""
    if figure.count(".") >= 2:
        return figure in [v for v in values if isinstance(v, str)]
    percent = figure.endswith("%")
    text = figure.rstrip("%").replace(",", "")
    decimals = len(text.split(".")[1]) if "." in text else 0
    quoted = float(text)
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
    scales = (100, 1) if percent else (1,)
    return any(round(v * s, decimals) == quoted for v in numbers for s in scales)


def unbacked(result: str, record: dict) -> list[str]:
    values = list(leaves(record["results"])) + list(leaves(record["peers"]))
    return [f for f in FIGURE.findall(result) if not backed(f, values)]


ROWS = measurement_rows((ROOT / "README.md").read_text())


def test_the_table_is_there_and_parsed():
    assert len(ROWS) >= 6, ROWS
    assert all(r["file"].startswith("benchmarks/results/") and r["file"].endswith(".json") for r in ROWS), ROWS


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] + ":" + r["what"][:30] for r in ROWS])
def test_each_row_quotes_its_results_file_written_by_its_command(row):
    path = ROOT / row["file"]
    assert path.is_file(), f"{row['file']}: no such results file; run {row['command']}"
    record = json.loads(path.read_text())
    assert [k for k in KEYS if k not in record] == [], f"{row['file']}: keys missing (benchmarks/results_io.py)"
    assert record["command"] == row["command"], f"{row['file']} was written by {record['command']!r}"
    assert FIGURE.findall(row["result"]), f"{row['what']}: the result cell quotes no figure"
    assert unbacked(row["result"], record) == [], f"{row['file']}: these figures are not in the file"


def test_a_figure_that_is_not_in_the_file_is_caught():
    record = {"results": {"ratio": {"median": 1.7349, "min": 1.43, "max": 1.93}, "share": 0.9745, "n": 200_000},
              "peers": {"simpy": "4.1.2"}}
    assert unbacked("1.73x [1.43-1.93] of SimPy 4.1.2; 97.45%, 200,000 events", record) == []
    assert unbacked("1.74x [1.43-1.93]", record) == ["1.74"]
    assert unbacked("97.6% of SimPy 4.1.3", record) == ["97.6%", "4.1.3"]
    assert unbacked("2,000 events", record) == ["2,000"]
    assert FIGURE.findall("2P-Set 1,234 bytes, N=3, etcd_002.log 0.65x [0.59-0.69]") == ["1,234", "3", "0.65", "0.59", "0.69"]


def test_the_table_parser_reads_the_rows_of_its_table_only():
    text = ("# x\n\n## Measurements\n\nprose | with a bar\n\n" + HEADER + "\n|---|---|---|---|\n"
            "| a | `run a` | `benchmarks/results/a.json` | 1.5x |\n\n| other | table | here |\n\n## Next\n")
    assert measurement_rows(text) == [{"what": "a", "command": "run a", "file": "benchmarks/results/a.json",
                                       "result": "1.5x"}]
    with pytest.raises(AssertionError, match="four cells"):
        measurement_rows(text.replace("| 1.5x |", "|"))


def test_the_writer_stores_every_key_and_refuses_what_json_cannot_hold(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import results_io

    monkeypatch.setattr(results_io, "RESULTS", tmp_path)
    rec = results_io.Recorder("demo", argv=[str(ROOT / "benchmarks" / "demo.py"), "--repeats", "3"])
    record = json.loads(rec.write({"ratio": 1.5}, peers={"simpy": "4.1.2"}).read_text())
    assert tuple(record) == KEYS == results_io.KEYS
    assert record["command"].endswith("benchmarks/demo.py --repeats 3") and "/work" not in record["command"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["date"])
    assert set(record["machine"]) == {"platform", "cpu", "cores"} and record["peers"] == {"simpy": "4.1.2"}
    assert set(record["load_average"]) == {"before", "after"} and record["results"] == {"ratio": 1.5}
    with pytest.raises(ValueError):
        rec.write({"ratio": float("nan")})
    with pytest.raises(ValueError, match="name='a/b'"):
        results_io.Recorder("a/b")

"""The README's Measurements table quotes only stored results.

Each row of the table names the command that ran and the results file it wrote
(``benchmarks/results_io.py``); every figure in the row's result cell must be in
that file (its results, its peers' versions or its load average): a number as rounded
in the README (a percentage as a fraction or as percent), a version string such as
4.1.2 among the file's strings. So a README figure cannot outlive its measurement, and
a re-measurement shows up as a failing row until the README quotes it. The same holds
for the tables of docs/workshop.md's "Measured figures", and for the README's sentences
on install sizes and Python versions.
"""

import json
import math
import re
import shlex
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
    """The figures of ``result`` that are not in the record's results, peers' versions or load average."""
    values = list(leaves(record["results"])) + list(leaves(record["peers"])) + list(leaves(record["load_average"]))
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
              "peers": {"simpy": "4.1.2"}, "load_average": {"before": [6.36, 6.25, 4.65], "after": []}}
    assert unbacked("at a load average of 6.4", record) == []
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
    # The script is named from the repository root (the interpreter too, when it lives inside it).
    assert shlex.split(record["command"])[1:] == ["benchmarks/demo.py", "--repeats", "3"], record["command"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", record["date"])
    assert set(record["machine"]) == {"platform", "cpu", "cores"} and record["peers"] == {"simpy": "4.1.2"}
    assert set(record["load_average"]) == {"before", "after"} and record["results"] == {"ratio": 1.5}
    with pytest.raises(ValueError):
        rec.write({"ratio": float("nan")})
    with pytest.raises(ValueError, match="name='a/b'"):
        results_io.Recorder("a/b")


# -- the workshop guide's "Measured figures" ---------------------------------------------------

GUIDE_BLOCK = re.compile(r"```bash\n(?P<code>.*?)```\n\n(?P<table>(?:\|[^\n]*\n)+)(?P<after>.*?)(?=\n\*\*|\n## |\Z)", re.S)


def guide_tables(guide: str) -> list[dict]:
    """Each table of the guide's '## Measured figures' that follows a ```bash block naming the
    results file it quotes: the file, the table's rows (cells, backticks and bold removed) and
    the prose after it."""
    section = guide.split("\n## Measured figures\n", 1)[1].split("\n## ", 1)[0]
    tables = []
    for m in GUIDE_BLOCK.finditer(section):
        named = re.findall(r"benchmarks/results/\w+\.json", m["code"])
        assert len(named) == 1, f"workshop guide: a measured table's command block names no results file:\n{m['code']}"
        rows = [[c.strip().replace("`", "").replace("**", "") for c in line.strip().strip("|").split(" | ")]
                for line in m["table"].splitlines()[2:]]
        tables.append({"file": named[0], "rows": rows, "after": m["after"]})
    return tables


GUIDE = (ROOT / "docs" / "workshop.md").read_text()
TABLES = guide_tables(GUIDE)


def test_the_guide_has_its_measured_tables():
    assert {t["file"].rsplit("/", 1)[1] for t in TABLES} >= {
        "install_sizes.json", "notebook_times.json", "grade_times.json", "widget_latency.json"}, TABLES


@pytest.mark.parametrize("table", TABLES, ids=[t["file"] for t in TABLES])
def test_each_guide_table_quotes_its_results_file_and_its_date(table):
    """Every figure in a row (but its first cell, which names the row, and goals such as '< 10 s')
    is in the file; the prose under the table gives the run's date."""
    record = json.loads((ROOT / table["file"]).read_text())
    for row in table["rows"]:
        cells = " ; ".join(c for c in row[1:] if not c.startswith("<") and "goal" not in c)
        assert unbacked(cells, record) == [], f"{table['file']}: {row} quotes figures not in the file"
    assert record["date"][:10] in table["after"], f"{table['file']}: the text under the table should say {record['date'][:10]}"


def test_the_guide_table_parser():
    text = ("# g\n\n## Measured figures\n\nprose\n\n```bash\nrun x   # writes benchmarks/results/x.json\n```\n\n"
            "| a | b |\n|---|---|\n| `one` | **1.5 s** |\n\nMeasured on 2026-01-02.\n\n**Next** thing\n")
    assert guide_tables(text) == [{"file": "benchmarks/results/x.json", "rows": [["one", "1.5 s"]],
                                   "after": "\nMeasured on 2026-01-02.\n"}]


# -- sentences of the README that quote a results file -----------------------------------------

README = (ROOT / "README.md").read_text()


def paragraph(text: str, marker: str) -> str:
    """The paragraph (blank-line separated) of ``text`` that contains ``marker``."""
    found = [p for p in text.split("\n\n") if marker in p]
    assert len(found) == 1, f"expected one paragraph naming {marker}, found {len(found)}"
    return found[0]


def test_the_readme_install_sizes_are_the_measured_ones():
    record = json.loads((ROOT / "benchmarks" / "results" / "install_sizes.json").read_text())
    said = paragraph(README, "benchmarks/install_sizes.py")
    assert len(FIGURE.findall(said)) >= 4 and unbacked(said, record) == [], said


def test_the_readme_names_each_python_tested_with_its_outcome_and_the_date():
    """The quick start's Python sentence says what benchmarks/pythons.py found, and when."""
    record = json.loads((ROOT / "benchmarks" / "results" / "pythons.json").read_text())
    said = paragraph(README, "benchmarks/pythons.py")
    assert record["date"][:10] in said and "CI runs 3.11" in said, said
    for version in record["results"]["pythons"]:
        assert version in said, f"README: Python {version} was tested; say how it went"
        outcome = " ".join(said.split(version, 1)[1][:80].split())
        if version not in record["results"]["all_passed"]:
            assert "fail" in outcome or "not install" in outcome, f"README: Python {version} did not pass: say so"
            continue
        counts = re.match(r"passed \(([\d,]+) unit tests, (\d+) notebook cells\)", outcome)
        row = record["results"]["pythons"][version]
        assert counts and [int(c.replace(",", "")) for c in counts.groups()] == [
            row["unit"]["passed"], row["notebooks"]["passed"]], (version, outcome)

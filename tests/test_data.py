"""data/: enough real places and measurements, every row sourced, nothing faster than light in fibre."""

import csv
import re
from pathlib import Path

import pytest

from edgekit import geo

DATA = Path(__file__).resolve().parents[1] / "data"
PLACE_COLUMNS = ["code", "name", "city", "country", "continent", "kind", "provider", "lat", "lon", "coord_basis", "source"]
RTT_COLUMNS = ["from", "to", "rtt_ms", "statistic", "source", "period"]
CONTINENTS = {"Africa", "Asia", "Europe", "North America", "Oceania", "South America"}


def rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_places_have_the_documented_columns_and_enough_rows():
    cols, rs = rows("places.csv")
    assert cols == PLACE_COLUMNS
    assert len(rs) >= 60
    assert {r["continent"] for r in rs} == CONTINENTS  # six continents, no stray spellings
    assert sum(r["kind"] == "pop" for r in rs) >= 30 and sum(r["kind"] == "cloud" for r in rs) >= 10


def test_every_place_is_sourced_and_well_formed():
    _, rs = rows("places.csv")
    codes = [r["code"] for r in rs]
    assert len(codes) == len({c.upper() for c in codes}), "codes must be unique (case-insensitive)"
    for r in rs:
        assert r["kind"] in ("pop", "cloud"), r
        assert r["coord_basis"] in ("airport", "provider"), r
        assert len(r["source"]) > 40, f"{r['code']}: source too vague"
        assert -90 <= float(r["lat"]) <= 90 and -180 <= float(r["lon"]) <= 180, r
        if r["kind"] == "pop":
            assert re.fullmatch(r"[A-Z]{3}", r["code"]), r["code"]
            assert r["coord_basis"] == "airport" and f"of {r['code']} " in r["source"]
        else:
            assert re.fullmatch(r"[a-z]+:[a-z0-9-]+", r["code"]), r["code"]
        for col in ("name", "city", "country", "provider"):
            assert r[col].strip(), (r["code"], col)


def test_pop_metros_are_distinct_and_enough_for_the_scale_run():
    _, rs = rows("places.csv")
    pops = [r for r in rs if r["kind"] == "pop"]
    assert len(pops) >= 100  # benchmarks/edge_scale.py runs 100 distinct real PoPs
    metros = [(r["city"].casefold(), r["country"].casefold()) for r in pops]
    assert len(metros) == len(set(metros)), "one row per metro"
    for r in pops:
        assert r["provider"] in ("Fastly", "Cloudflare"), r["code"]
        assert r["provider"] in r["source"], r["code"]


def test_places_agree_with_what_geo_loads():
    _, rs = rows("places.csv")
    loaded = geo.places()
    assert [p.code for p in loaded] == [r["code"] for r in rs]
    assert all(isinstance(p, geo.Place) for p in loaded)


def test_rtts_have_the_documented_columns_and_enough_rows():
    cols, rs = rows("rtt.csv")
    assert cols == RTT_COLUMNS
    assert len(rs) >= 30
    for r in rs:
        assert r["statistic"] in ("p50", "ping"), r
        assert len(r["source"]) > 40 and len(r["period"]) > 10, r
        assert float(r["rtt_ms"]) > 0, r
        assert r["from"] != r["to"], r


def test_every_measurement_is_between_known_places_and_listed_once():
    _, rs = rows("rtt.csv")
    pairs = [frozenset((geo.place(r["from"]).code, geo.place(r["to"]).code)) for r in rs]
    assert len(pairs) == len(set(pairs)), "each pair once (one direction kept)"


@pytest.mark.parametrize("m", geo.measurements(), ids=lambda m: f"{m.a}-{m.b}")
def test_no_measured_round_trip_beats_light_in_fibre(m):
    bound = geo.min_rtt_ms(m.a, m.b)
    assert m.rtt_ms >= bound, (
        f"{m.a}-{m.b}: measured {m.rtt_ms} ms is below the fibre bound {bound:.1f} ms: "
        "a coordinate or a number is wrong"
    )


def test_readme_documents_every_column_and_source():
    text = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    for col in PLACE_COLUMNS + RTT_COLUMNS:
        assert f"`{col}`" in text, col
    for src in ("airportsdata", "fastly-edge-locations", "cloudflare-edge-locations", "az account list-locations",
                "Azure network round-trip latency statistics", "WonderProxy"):
        assert src in text, src


def test_readme_counts_match_the_files():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    _, places = rows("places.csv")
    _, rtts = rows("rtt.csv")
    pops = sum(r["kind"] == "pop" for r in places)
    assert f"{len(places)} places ({pops} edge PoP metros, {len(places) - pops} cloud regions)" in text
    assert f"{len(rtts)} measured round trips" in text


def test_the_counts_the_two_readmes_quote_are_the_files_counts():
    """data/README.md's breakdown and the top README's package map, counted from the CSVs."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    top = (DATA.parent / "README.md").read_text(encoding="utf-8")
    _, places = rows("places.csv")
    _, rtts = rows("rtt.csv")
    pops = [r for r in places if r["kind"] == "pop"]
    by = {p: [r for r in pops if r["provider"] == p] for p in ("Fastly", "Cloudflare")}
    assert len(by["Fastly"]) + len(by["Cloudflare"]) == len(pops)
    assert f"The {len(pops)} PoP metros are {len(by['Fastly'])} from Fastly's list and {len(by['Cloudflare'])} more" in text
    cf = by["Cloudflare"]
    africa = sum(r["continent"] == "Africa" for r in cf)
    south = sum(r["continent"] == "South America" for r in cf)
    assert f"({africa} in Africa, {south} in South" in text
    azure = sum(r["from"].startswith("azure:") and r["to"].startswith("azure:") for r in rtts)
    assert f"{azure} rows, Azure region to region" in text and f"{len(rtts) - azure} rows, city to city" in text
    assert (f"places.csv ({len(pops)} PoP metros, {len(places) - len(pops)} cloud regions), "
            f"rtt.csv ({len(rtts)} measured round trips)") in top

"""edgekit.coordination against brute-force oracles; bad input; chapter 1 exercises' feedback."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit import coordination as co
from edgekit import geo
from edgekit.exercises import REGISTRY, ch1, check

SITES = ("LHR", "IAD", "NRT", "SYD", "GRU", "JNB", "SIN")


def table_rtt(table):
    return lambda a, b: table[frozenset((a, b))]


@st.composite
def scenarios(draw):
    """Random replica sets, a primary, a client, and a random symmetric RTT table (any numbers, not a metric)."""
    n = draw(st.integers(1, 6))
    replicas = draw(st.permutations(SITES))[:n]
    primary = draw(st.sampled_from(replicas))
    client = draw(st.sampled_from(SITES))
    table = {frozenset(p): draw(st.floats(1, 400, allow_nan=False)) for p in itertools.combinations(SITES, 2)}
    return replicas, primary, client, table_rtt(table)


def oracle_primary(client, primary, replicas, rtt):
    to_primary = 0.0 if client == primary else rtt(client, primary)
    return to_primary + max([rtt(primary, r) for r in replicas if r != primary] or [0.0])


def oracle_quorum(client, replicas, rtt):
    """Try every replica as coordinator and every majority containing it: the best the nearest can do."""
    d = {r: 0.0 if r == client else rtt(client, r) for r in replicas}
    coord = min(replicas, key=lambda r: d[r])
    majority = len(replicas) // 2 + 1
    others = [r for r in replicas if r != coord]
    best = min(
        max([0.0] + [rtt(coord, r) for r in subset])
        for subset in itertools.combinations(others, majority - 1)
    )
    return d[coord] + best


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_primary_and_quorum_match_brute_force(s):
    replicas, primary, client, rtt = s
    assert co.primary_write_ms(client, primary, replicas, rtt) == pytest.approx(oracle_primary(client, primary, replicas, rtt))
    assert co.quorum_write_ms(client, replicas, rtt) == pytest.approx(oracle_quorum(client, replicas, rtt))


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.lists(st.integers(0, 5), min_size=len(SITES), max_size=len(SITES)))
def test_best_primary_is_the_brute_force_argmin_and_scale_free(s, ws):
    replicas, _, _, rtt = s
    mix = {c: w for c, w in zip(SITES, ws, strict=True) if w}
    if not mix:
        return
    mean = {p: sum(w * oracle_primary(c, p, replicas, rtt) for c, w in mix.items()) / sum(mix.values()) for p in replicas}
    ranking = co.primary_ranking(replicas, mix, rtt)
    assert [p for p, _ in ranking] == sorted(replicas, key=lambda p: (mean[p], replicas.index(p)))
    assert co.best_primary(replicas, mix, rtt) == co.best_primary(replicas, {c: 10 * w for c, w in mix.items()}, rtt)


def test_local_write_is_free_and_never_worse():
    for c in co.write_costs(SITES[:5], "IAD"):
        assert c.local_ms == 0 <= c.quorum_ms <= c.primary_ms
        assert c.coordinator == c.client  # a client at a replica site coordinates its own quorum write


def test_single_replica_and_two_replicas():
    assert co.primary_write_ms("LHR", "LHR", ["LHR"]) == 0
    assert co.quorum_write_ms("SYD", ["LHR"]) == pytest.approx(geo.estimate_rtt_ms("SYD", "LHR"))
    # Two replicas: a majority is both of them.
    assert co.quorum_write_ms("LHR", ["LHR", "SYD"]) == pytest.approx(geo.estimate_rtt_ms("LHR", "SYD"))


def test_a_quorum_write_from_sydney_crosses_an_ocean():
    c = {x.client: x for x in co.write_costs(("LHR", "IAD", "NRT", "SYD", "GRU"), "IAD")}
    # Sydney's quorum needs two of the others: Tokyo and the next nearest, at least Tokyo's fibre bound.
    assert c["SYD"].quorum_ms >= geo.min_rtt_ms("SYD", "IAD")
    assert c["SYD"].primary_ms > c["SYD"].quorum_ms


def test_clients_other_than_replicas_and_custom_rtt():
    flat = lambda a, b: 50.0  # noqa: E731
    costs = co.write_costs(["LHR", "FRA", "AMS"], "FRA", clients=["JNB"], rtt=flat)
    assert costs == (co.WriteCost("JNB", 0.0, 50.0, 100.0, 100.0, 100.0, "LHR"),)


def oracle_write(client, replicas, leader, acks, rtt):
    """Brute force: the coordinator waits for the cheapest set of acks of the size it needs."""
    d = {r: 0.0 if r == client else rtt(client, r) for r in replicas}
    coord = leader or min(replicas, key=lambda r: d[r])
    others = [r for r in replicas if r != coord]
    need = {"none": 0, "majority": len(replicas) // 2, "all": len(replicas) - 1}[acks]
    best = min(max([0.0] + [rtt(coord, r) for r in subset]) for subset in itertools.combinations(others, need))
    return d[coord] + best


@settings(max_examples=300, deadline=None)
@given(scenarios(), st.sampled_from(co.ACKS), st.booleans())
def test_write_ms_and_write_costs_match_brute_force_for_every_design(s, acks, led):
    replicas, primary, client, rtt = s
    leader = primary if led else None
    want = oracle_write(client, replicas, leader, acks, rtt)
    assert co.write_ms(client, replicas, leader=leader, acks=acks, rtt=rtt) == pytest.approx(want)
    (c,) = co.write_costs(replicas, primary, clients=[client], rtt=rtt)
    attr = {("none", True): "async_primary_ms", ("majority", True): "leader_majority_ms",
            ("all", True): "sync_primary_ms", ("majority", False): "leaderless_majority_ms"}.get((acks, led))
    if attr:
        assert getattr(c, attr) == pytest.approx(want)


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_each_variable_alone_never_makes_a_write_slower(s):
    """Fewer acks never cost more; with majority acks, the nearest coordinator never costs more
    than a fixed leader under a metric (here: any table, so only the ack count is guaranteed)."""
    replicas, primary, client, rtt = s
    (c,) = co.write_costs(replicas, primary, clients=[client], rtt=rtt)
    assert c.local_ms <= c.async_primary_ms <= c.leader_majority_ms <= c.sync_primary_ms
    grid = co.design_grid([c])
    assert grid[("leader", "all")] == c.sync_primary_ms and grid[("nearest", "majority")] == c.quorum_ms


def test_the_vocabulary_names_every_design_once():
    assert list(co.DESIGNS) == ["local write", "asynchronous primary", "synchronous primary", "majority quorum",
                                "leaderless N/R/W"]
    with pytest.raises(ValueError, match=r"acks='some': expected one of \['none', 'majority', 'all'\]"):
        co.write_ms("LHR", ["LHR"], acks="some")
    with pytest.raises(ValueError, match=r"leader='NRT': expected one of the replica sites"):
        co.write_ms("LHR", ["LHR", "SYD"], leader="NRT")
    assert "35 µs request" not in co.BUDGETS_MS  # 35 µs is a cold start (COLD_START_MS), not a request budget
    assert co.COLD_START_MS == 0.035


@pytest.mark.parametrize("call, err, match", [
    (lambda: co.write_costs([], "LHR"), ValueError, r"replicas=\[\]: expected at least one replica site code"),
    (lambda: co.write_costs("LHR", "LHR"), TypeError, r"replicas='LHR': expected a list of place codes"),
    (lambda: co.write_costs(["LHR", "XXQ"], "LHR"), ValueError, r"replicas: code='XXQ': unknown place"),
    (lambda: co.write_costs(["LHR", "LHR"], "LHR"), ValueError, r"LHR listed twice"),
    (lambda: co.write_costs(["LHR", "SYD"], "NRT"), ValueError, r"primary='NRT': expected one of the replica sites"),
    (lambda: co.write_costs(["LHR"], "LHR", clients=[]), ValueError, r"clients=\[\]"),
    (lambda: co.primary_write_ms(3, "LHR", ["LHR"]), TypeError, r"client=3"),
    (lambda: co.best_primary(["LHR"], ["LHR"]), TypeError, r"clients=\['LHR'\]: expected a mapping"),
    (lambda: co.best_primary(["LHR"], {"LHR": -1}), ValueError, r"clients\['LHR'\]=-1: expected a finite weight >= 0"),
    (lambda: co.best_primary(["LHR"], {"LHR": 0}), ValueError, r"at least one site with a weight > 0"),
    (lambda: co.round_trips_within(-1, 10), ValueError, r"budget_ms=-1"),
    (lambda: co.round_trips_within(10, 0), ValueError, r"rtt_ms=0: expected a round trip > 0 ms"),
    (lambda: co.round_trips_within("1s", 10), TypeError, r"budget_ms='1s'"),
])
def test_bad_input_names_parameter_value_and_expectation(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_round_trips_within_counts_whole_trips():
    assert co.round_trips_within(1000, 100) == 10
    assert co.round_trips_within(999.9, 100) == 9
    assert co.round_trips_within(0.035, geo.min_rtt_ms("LHR", "CDG", medium="vacuum")) == 0
    assert co.round_trips_within(0, 5) == 0


# Chapter 1 exercises: a typical wrong answer gets a message that says what is wrong.

def test_exercises_are_registered():
    assert {"ch1.fibre_rtt", "ch1.round_trips", "ch1.trust_the_ranking"} <= set(REGISTRY)


def test_fibre_rtt_wrong_answers_are_explained():
    assert "one way" in check("ch1.fibre_rtt", lambda km: km / (299_792.458 / 1.47) * 1000).message
    assert "vacuum" in check("ch1.fibre_rtt", lambda km: 2 * km / 299_792.458 * 1000).message
    assert "seconds" in check("ch1.fibre_rtt", lambda km: 2 * km / (299_792.458 / 1.47)).message
    assert "microseconds" in check("ch1.fibre_rtt", lambda km: 2 * km / (299_792.458 / 1.47) * 1e6).message
    assert "divide the speed" in check("ch1.fibre_rtt", lambda km: 2 * km / (299_792.458 / 1.47 ** 3) * 1000).message
    assert "expected a function" in check("ch1.fibre_rtt", 42).message
    assert "raised ZeroDivisionError" in check("ch1.fibre_rtt", lambda km: 1 / 0).message
    # A small wrong number is printed with its significant figures, never as "0.01, expected 0.01".
    fb = check("ch1.fibre_rtt", lambda km: 2 * km / 200_000 * 1000)
    assert "= 0.01 ms, expected 0.0098 ms" in fb.message or "= 0.01 ms, expected 0.00981 ms" in fb.message


def test_round_trips_wrong_answers_are_explained():
    rtt = geo.estimate_rtt_ms("LHR", "SYD")
    physics = co.round_trips_within(1000, geo.min_rtt_ms("LHR", "SYD"))
    fb = check("ch1.round_trips", physics)
    assert not fb.ok and "physics" in fb.message and "estimate_rtt_ms" in fb.message
    assert "one-way" in check("ch1.round_trips", co.round_trips_within(1000, rtt / 2)).message
    assert "rounds up" in check("ch1.round_trips", co.round_trips_within(1000, rtt) + 1).message
    assert "round down" in check("ch1.round_trips", 1000 / rtt).message
    assert not check("ch1.round_trips", "three").ok


def test_trust_the_ranking_names_each_misconception():
    facts = ch1.ranking_facts()
    # The fact behind the exercise: IAD's lead over LHR is smaller than one route's typical error,
    # and in plausible worlds neither wins most of the time.
    assert 0 < facts["gap"] < facts["err"] and max(facts["iad"], facts["lhr"]) < 0.6
    assert facts["bad"] > 100  # the far end of the ranking is not in doubt
    assert check("ch1.trust_the_ranking", "C").ok
    assert "coin toss" in check("ch1.trust_the_ranking", "a").message
    assert "slowest replica" in check("ch1.trust_the_ranking", "b").message
    assert "matters a lot" in check("ch1.trust_the_ranking", "d").message
    assert "not an option" in check("ch1.trust_the_ranking", "e").message
    assert "expected one letter" in check("ch1.trust_the_ranking", 3).message


def test_primary_win_shares_add_up_and_a_clear_winner_wins_everywhere():
    shares = co.primary_win_shares(ch1.REPLICAS, ch1.CLIENT_MIX, trials=50)
    assert sum(shares.values()) == pytest.approx(1)
    # All clients in Sydney and an asynchronous primary: Sydney (0 ms) wins in every plausible world.
    assert co.primary_win_shares(("SYD", "LHR", "GRU"), {"SYD": 1}, trials=30, acks="none")["SYD"] == 1
    with pytest.raises(ValueError, match=r"trials=0: expected an int from 1 to 10,000"):
        co.primary_win_shares(ch1.REPLICAS, ch1.CLIENT_MIX, trials=0)

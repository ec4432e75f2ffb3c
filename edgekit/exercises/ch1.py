"""Chapter 1 exercises: a light-speed bound by hand, round trips in a budget, placing a primary."""

from __future__ import annotations

import math

from edgekit import coordination as co
from edgekit import geo
from edgekit.exercises import Feedback, exercise, unanswered

# The client mix of the placement exercise: a London-heavy audience with a few elsewhere.
REPLICAS = ("LHR", "IAD", "NRT", "SYD", "GRU")
CLIENT_MIX = {"LHR": 5, "IAD": 3, "NRT": 1, "SYD": 1, "GRU": 1}


@exercise(
    "ch1.fibre_rtt",
    "Write fibre_rtt_ms(km): the fastest round trip over `km` of fibre",
    "Light in vacuum covers 299,792.458 km per second; in fibre divide that by n = 1.47. "
    "A round trip covers the distance twice, and the answer is in milliseconds.",
)
def check_fibre_rtt(fn) -> Feedback:
    if not callable(fn):
        return Feedback(False, f"expected a function such as `def fibre_rtt_ms(km): ...`, got {type(fn).__name__}")
    for km in (0.0, 1.0, 5_554.3, 20_003.9):
        want = 2 * km / (geo.C_VACUUM_KM_S / geo.FIBER_REFRACTIVE_INDEX) * 1000
        got = fn(km)
        if unanswered(got):
            return Feedback(False, "replace NOT_ANSWERED in fibre_rtt_ms with your formula, then run this cell again",
                            answered=False)
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return Feedback(False, f"fibre_rtt_ms({km}) returned {got!r}; expected a number of milliseconds")
        if math.isclose(got, want, rel_tol=1e-3, abs_tol=1e-9):
            continue
        if want and math.isclose(got, want / 2, rel_tol=1e-3):
            return Feedback(False, f"fibre_rtt_ms({km}) = {got:.2f}: that is one way; a round trip goes there and back")
        if want and math.isclose(got, want / geo.FIBER_REFRACTIVE_INDEX, rel_tol=1e-3):
            return Feedback(False, f"fibre_rtt_ms({km}) = {got:.2f}: that is the vacuum speed; light in glass is n = 1.47 times slower")
        if want and math.isclose(got, want / 1000, rel_tol=1e-3):
            return Feedback(False, f"fibre_rtt_ms({km}) = {got:.5f}: that looks like seconds; multiply by 1000 for ms")
        return Feedback(False, f"fibre_rtt_ms({km}) = {got!r}, expected about {want:.2f} ms")
    return Feedback(True, "your function agrees with edgekit.geo.min_rtt_ms over London-New York and the antipodes")


@check_fibre_rtt.reference
def fibre_rtt_reference():
    def fibre_rtt_ms(km):
        speed_km_per_s = 299_792.458 / 1.47
        return 2 * km / speed_km_per_s * 1000

    return fibre_rtt_ms


@exercise(
    "ch1.round_trips",
    "How many sequential round trips London (LHR) ↔ Sydney (SYD) fit in 1 second?",
    "Use the realistic round trip, geo.estimate_rtt_ms('LHR', 'SYD'), and count whole round trips only.",
)
def check_round_trips(answer) -> Feedback:
    rtt = geo.estimate_rtt_ms("LHR", "SYD")
    want = co.round_trips_within(1000, rtt)
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return Feedback(False, f"expected a whole number of round trips, got {answer!r}")
    if answer == want:
        return Feedback(True, f"{want}: each round trip takes about {rtt:.0f} ms, so a chatty protocol "
                              "between these two cities gets only a handful of exchanges per second")
    if not float(answer).is_integer():
        return Feedback(False, f"{answer} is not whole: a half-finished round trip does not count, round down")
    bound = co.round_trips_within(1000, geo.min_rtt_ms("LHR", "SYD"))
    vacuum = co.round_trips_within(1000, geo.min_rtt_ms("LHR", "SYD", medium="vacuum"))
    if answer in (bound, vacuum):
        return Feedback(False, f"{int(answer)} is what pure physics allows (a straight fibre or vacuum); real routes "
                               "are longer, so use the calibrated geo.estimate_rtt_ms")
    return Feedback(False, f"{answer} is not it: divide 1000 ms by the estimated round trip and round down")


@check_round_trips.reference
def round_trips_reference():
    from edgekit import geo

    return int(1000 // geo.estimate_rtt_ms("LHR", "SYD"))


@exercise(
    "ch1.best_primary",
    "Pick the primary (one of LHR, IAD, NRT, SYD, GRU) that minimises the mean write latency "
    "for the client mix {LHR: 5, IAD: 3, NRT: 1, SYD: 1, GRU: 1}",
    "A primary write costs client→primary plus the primary's slowest round trip to the other replicas. "
    "coordination.primary_write_ms computes one; weigh each client site by its share.",
)
def check_best_primary(answer) -> Feedback:
    if not isinstance(answer, str):
        return Feedback(False, f"expected a place code string such as 'LHR', got {answer!r}")
    ranking = dict(co.primary_ranking(REPLICAS, CLIENT_MIX))
    code = answer.strip().upper()
    if code not in ranking:
        return Feedback(False, f"{answer!r} is not one of the replica sites {list(REPLICAS)}")
    best = co.best_primary(REPLICAS, CLIENT_MIX)
    if code == best:
        return Feedback(True, f"{best}: mean write {ranking[best]:.0f} ms. The primary's slowest replica link is "
                              "part of every write, so a central site can beat the busiest one")
    worse = ranking[code] - ranking[best]
    why = " Most clients are in London, but every write also waits for the primary's farthest replica." \
        if code == "LHR" else ""
    return Feedback(False, f"{code} gives a mean of {ranking[code]:.0f} ms, {worse:.0f} ms slower than the best.{why}")


@check_best_primary.reference
def best_primary_reference():
    from edgekit import coordination as co

    replicas = ("LHR", "IAD", "NRT", "SYD", "GRU")
    mix = {"LHR": 5, "IAD": 3, "NRT": 1, "SYD": 1, "GRU": 1}

    def mean_write_ms(primary):
        return sum(w * co.primary_write_ms(c, primary, replicas) for c, w in mix.items()) / sum(mix.values())

    return min(replicas, key=mean_write_ms)

"""Chapter 1 exercises: a light-speed bound by hand, round trips in a budget, and whether to trust a ranking."""

from __future__ import annotations

import math

from edgekit import coordination as co
from edgekit import geo
from edgekit.exercises import Feedback, choose, exercise, unanswered

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
        case = f"fibre_rtt_ms({km:g}) = {_ms(got)} ms, expected {_ms(want)} ms"
        if want and math.isclose(got, want / 2, rel_tol=1e-3):
            return Feedback(False, f"{case}: that is one way; a round trip goes there and back")
        if want and math.isclose(got, want / geo.FIBER_REFRACTIVE_INDEX, rel_tol=1e-3):
            return Feedback(False, f"{case}: that is the vacuum speed; light in glass is n = 1.47 times slower")
        if want and math.isclose(got, want * geo.FIBER_REFRACTIVE_INDEX ** 2, rel_tol=1e-3):
            return Feedback(False, f"{case}: you multiplied by n where you should divide the speed by it "
                                   "(or the other way round): slower light means a longer trip, by n once")
        if want and math.isclose(got, want / 1000, rel_tol=1e-3):
            return Feedback(False, f"{case}: that looks like seconds; multiply by 1000 for ms")
        if want and math.isclose(got, want * 1000, rel_tol=1e-3):
            return Feedback(False, f"{case}: that looks like microseconds (or km/ms mixed with km/s); "
                                   "divide by 1000")
        return Feedback(False, case)
    return Feedback(True, "your function agrees with edgekit.geo.min_rtt_ms over London-New York and the antipodes")


def _ms(x: float) -> str:
    """Three significant figures, so that 0.0098 ms is not printed as 0.01."""
    return f"{x:.3g}" if abs(x) < 100 else f"{x:,.1f}"


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
                               "are longer, so use the estimate, geo.estimate_rtt_ms")
    if answer == co.round_trips_within(1000, rtt / 2):
        return Feedback(False, f"{int(answer)} counts one-way trips ({rtt / 2:.0f} ms each). A round trip is there "
                               f"and back, {rtt:.0f} ms: a request and its answer")
    if answer == math.ceil(1000 / rtt):
        return Feedback(False, f"{int(answer)} rounds up: the last of those round trips would still be on its way "
                               "when the second is over. Count whole round trips only (round down)")
    return Feedback(False, f"{answer} is not it: divide 1000 ms by the estimated round trip ({rtt:.0f} ms) "
                           "and round down")


@check_round_trips.reference
def round_trips_reference():
    from edgekit import geo

    return int(1000 // geo.estimate_rtt_ms("LHR", "SYD"))


RANKING_CHOICES = {
    "a": "IAD: it has the lowest mean, so it is the better primary",
    "b": "LHR: most clients are in London, so the primary belongs there",
    "c": "IAD and LHR tie: the gap is smaller than the estimate's error, so measure those routes first",
    "d": "it hardly matters where the primary goes",
}
_RANKING_WHY = {
    "a": "the ranking is right on the model's numbers, but IAD wins by about {gap:.0f} ms while a single route's "
         "estimate is off by {err:.0f} ms (median) and up to {worst:.0f} ms. Redrawn with plausible route errors, "
         "IAD is best in {iad:.0%} of worlds and LHR in {lhr:.0%}: a coin toss, not a fact",
    "b": "every synchronous write also waits for the primary's slowest replica (London to Sydney is about {far:.0f} "
         "ms), so where the clients are is only half of the cost; that is why LHR and IAD come out so close",
    "c": "",
    "d": "it matters a lot at the far end: with SYD as primary the mean is {syd:.0f} ms, {bad:.0f} ms worse than the "
         "best. Only the top two are too close to call",
}


def ranking_facts() -> dict[str, float]:
    """The numbers the ranking exercise quotes, computed from the kit (tested)."""
    rank = dict(co.primary_ranking(REPLICAS, CLIENT_MIX))
    shares = co.primary_win_shares(REPLICAS, CLIENT_MIX, trials=200, seed=0)
    cal = geo.calibration()
    return dict(gap=rank["LHR"] - rank["IAD"], err=cal.median_abs_residual_ms, worst=cal.max_abs_residual_ms,
                iad=shares["IAD"], lhr=shares["LHR"], far=geo.estimate_rtt_ms("LHR", "SYD"), syd=rank["SYD"],
                bad=rank["SYD"] - min(rank.values()),
                floor=min(c.sync_primary_ms for c in co.write_costs(REPLICAS, "IAD")))


@exercise(
    "ch1.trust_the_ranking",
    "Replicas at LHR, IAD, NRT, SYD, GRU; clients 5 : 3 : 1 : 1 : 1 from those sites; a synchronous primary. "
    "primary_ranking puts IAD first and LHR second. Which statement is right? Answer one letter.",
    "Compare the gap between the first two with the estimate's error (geo.calibration().median_abs_residual_ms). "
    "co.primary_win_shares redraws every route within its error and counts who wins.",
)
def check_trust_the_ranking(answer) -> Feedback:
    facts = ranking_facts()
    why = {k: v.format(**facts) for k, v in _RANKING_WHY.items()}
    return choose(answer, RANKING_CHOICES, "c", why,
                  f"a {facts['gap']:.0f} ms gap under a {facts['err']:.0f} ms typical route error decides nothing: "
                  f"in plausible worlds IAD wins {facts['iad']:.0%} and LHR {facts['lhr']:.0%}. What the model does "
                  f"say firmly: a synchronous primary costs every client its slowest replica link, {facts['floor']:.0f} ms "
                  "or more for every write here")


@check_trust_the_ranking.reference
def trust_the_ranking_reference():
    return "c"

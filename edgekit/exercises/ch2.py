"""Chapter 2 exercises: read happens-before off a diagram, write HLC's receive rule, find LWW's breaking skew."""

from __future__ import annotations

import math
import random

from edgekit import geo
from edgekit.clocks import HLC
from edgekit.exercises import Feedback, choose, exercise, unanswered
from edgekit.sim.causality import Causality
from edgekit.sim.lww import loss_threshold_ms
from edgekit.sim.workloads import EXCHANGE_ORDER, exchange_run

PAIRS = (("a", "f"), ("d", "c"), ("e", "b"), ("b", "f"), ("f", "e"))
RELATIONS = ("before", "after", "concurrent")


def _exchange() -> Causality:
    return Causality.from_network(exchange_run(), exclude=("timer",))


def relations_truth() -> dict[str, str]:
    """The relation of the first local event of each pair to the second, from the simulator."""
    cz = _exchange()
    idx = {e.record.data["label"]: e.index for e in cz.events if e.kind == "local"}
    return {f"{x},{y}": cz.relation(idx[x], idx[y]) for x, y in PAIRS}


def _why(cz: Causality, x: str, y: str) -> str:
    idx = {e.record.data["label"]: e.index for e in cz.events if e.kind == "local"}
    i, j = idx[x], idx[y]
    path = cz.path(i, j) or cz.path(j, i)
    if path:
        steps = " → ".join(cz.events[k].label().split(": ", 1)[1] + f" at {cz.events[k].node}" for k in path)
        return f"there is a chain: {steps}"
    vx = "[" + ",".join(str(cz.events[i].vector[n]) for n in EXCHANGE_ORDER) + "]"
    vy = "[" + ",".join(str(cz.events[j].vector[n]) for n in EXCHANGE_ORDER) + "]"
    return f"no chain of messages links them; their vector clocks {vx} and {vy} are incomparable"


@exercise(
    "ch2.relations",
    "For each pair of local events in the exchange (a ... f), is the first 'before', 'after' or 'concurrent' "
    "with the second?",
    "Follow the arrows: x happened before y if you can walk from x to y along node lines (forwards in time) "
    "and message arrows. Wall-clock numbers do not decide it. Answer a dict such as {'a,f': 'before', ...}.",
)
def check_relations(answer) -> Feedback:
    if not isinstance(answer, dict):
        return Feedback(False, f"expected a dict like {{'a,f': 'before', 'd,c': ...}}, got {type(answer).__name__}")
    truth = relations_truth()
    missing = [k for k in truth if k not in answer or unanswered(answer[k])]
    if len(missing) == len(truth):
        return Feedback(False, "fill in a relation for every pair, then run this cell again", answered=False)
    if missing:
        return Feedback(False, f"no answer yet for {', '.join(missing)}")
    bad = [k for k, v in answer.items() if k in truth and v not in RELATIONS]
    if bad:
        return Feedback(False, f"{bad[0]}: {answer[bad[0]]!r} is not one of {list(RELATIONS)}")
    wrong = [k for k in truth if answer[k] != truth[k]]
    if not wrong:
        return Feedback(True, "all five right: happens-before is about chains of messages, not about clock readings")
    cz = _exchange()
    k = wrong[0]
    x, y = k.split(",")
    return Feedback(False, f"{len(wrong)} of {len(truth)} wrong. {x} vs {y} is '{truth[k]}', not '{answer[k]}': "
                           f"{_why(cz, x, y)}")


@check_relations.reference
def relations_reference():
    return {"a,f": "before", "d,c": "concurrent", "e,b": "before", "b,f": "concurrent", "f,e": "after"}


def _cases(n: int = 300, seed: int = 2):
    rng = random.Random(seed)
    cases = [(5, 2, 5, 7, 1), (6, 2, 5, 7, 1), (4, 2, 5, 7, 1), (4, 2, 5, 7, 9), (5, 0, 5, 0, 5)]
    for _ in range(n):
        base = rng.randint(0, 20)
        cases.append((base + rng.randint(0, 3), rng.randint(0, 4), base + rng.randint(0, 3), rng.randint(0, 4),
                      base + rng.randint(-2, 5)))
    return cases


@exercise(
    "ch2.hlc_receive",
    "Write hlc_receive(l, c, l_m, c_m, pt): the HLC (l, c) after receiving a message stamped (l_m, c_m) "
    "when the physical clock reads pt",
    "l' = max(l, l_m, pt). Then c' depends on which of them l' came from: from both l and l_m → max(c, c_m) + 1; "
    "from l only → c + 1; from l_m only → c_m + 1; from pt alone → 0.",
)
def check_hlc_receive(fn) -> Feedback:
    if not callable(fn):
        return Feedback(False, f"expected a function hlc_receive(l, c, l_m, c_m, pt), got {type(fn).__name__}")
    for l, c, lm, cm, pt in _cases():  # noqa: E741 - the paper's names
        want = HLC(l, c).receive(HLC(lm, cm), pt)
        got = fn(l, c, lm, cm, pt)
        if unanswered(got):
            return Feedback(False, "your function still returns NOT_ANSWERED", answered=False)
        if isinstance(got, HLC):
            got = (got.l, got.c)
        if not (isinstance(got, tuple) and len(got) == 2):
            return Feedback(False, f"hlc_receive{(l, c, lm, cm, pt)} returned {got!r}; expected a pair (l, c)")
        if tuple(got) == (want.l, want.c):
            continue
        case = f"hlc_receive(l={l}, c={c}, l_m={lm}, c_m={cm}, pt={pt}) = {tuple(got)}, expected ({want.l}, {want.c})"
        if got[0] != want.l:
            hint = " l must be the largest of l, l_m and pt: the clock never goes back and never ignores news"
        elif want.l == pt and want.l not in (l, lm):
            hint = " the physical clock moved past everything seen, so the counter restarts at 0"
        elif want.l == l == lm:
            hint = " l came from both your clock and the message: count past both counters, max(c, c_m) + 1"
        elif want.l == lm:
            hint = " l came from the message: continue the message's counter, c_m + 1"
        else:
            hint = " l is your own: continue your counter, c + 1"
        return Feedback(False, case + "." + hint)
    return Feedback(True, f"agrees with edgekit.clocks.HLC.receive on {len(_cases())} cases, including every branch")


@check_hlc_receive.reference
def hlc_receive_reference():
    def hlc_receive(l, c, l_m, c_m, pt):  # noqa: E741 - the paper's names
        new_l = max(l, l_m, pt)
        if new_l == l == l_m:
            return new_l, max(c, c_m) + 1
        if new_l == l:
            return new_l, c + 1
        if new_l == l_m:
            return new_l, c_m + 1
        return new_l, 0

    return hlc_receive


@exercise(
    "ch2.lww_threshold",
    "London writes v1 at true time 0; Sydney reads it and writes v2 20 ms later. How many ms ahead must "
    "London's clock run for wall-clock last-writer-wins to keep v1 and lose v2?",
    "Sydney's clock is exact, so v2 is stamped with the true time it is written: one-way LHR → SYD latency "
    "(half of geo.estimate_rtt_ms) plus the 20 ms. v1 is stamped with London's clock at true time 0.",
)
def check_lww_threshold(answer) -> Feedback:
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
        return Feedback(False, f"expected a number of milliseconds, got {answer!r}")
    want = loss_threshold_ms("LHR", "SYD", 20.0)
    if abs(answer - want) <= 1.0:
        return Feedback(True, f"about {want:.0f} ms: any lead above that, and a write made after reading v1 "
                              "is silently overwritten by v1 on both replicas. NTP across oceans can be off by that much.")
    one_way = want - 20.0
    if abs(answer - (2 * one_way + 20)) <= 2 or abs(answer - 2 * one_way) <= 2:
        return Feedback(False, f"{answer:.0f} ms uses the round trip; v1 only travels one way to Sydney "
                               f"({one_way:.0f} ms) before Sydney reads it")
    if abs(answer - one_way) <= 1.0:
        return Feedback(False, f"{answer:.0f} ms is the one-way latency alone; Sydney also waits 20 ms before writing")
    fibre = geo.min_rtt_ms("LHR", "SYD") / 2 + 20
    if abs(answer - fibre) <= 2 or abs(answer - (fibre - 20)) <= 2:
        return Feedback(False, f"{answer:.0f} ms uses the fibre bound: that is how fast a straight cable could be. "
                               f"Real routes are longer; use the estimate (geo.estimate_rtt_ms, {2 * one_way:.0f} ms "
                               "round trip)")
    if abs(answer - 20) <= 1:
        return Feedback(False, "20 ms is only Sydney's pause. v2 is written after v1 has *travelled* to Sydney, so "
                               "the gap between the two true times is the one-way trip plus the pause")
    if abs(answer - want) <= 15:
        return Feedback(False, f"{answer:.0f} ms is close, {abs(answer - want):.0f} ms off: v2's stamp is the true time "
                               f"it is written, half of geo.estimate_rtt_ms('LHR', 'SYD') ({one_way:.1f} ms) plus "
                               "20 ms. Check the half and the 20")
    return Feedback(False, f"{answer:.0f} ms is not it. Work out v2's stamp (when is it written, on an exact clock?) "
                           "and how big v1's stamp must be to beat it")


@check_lww_threshold.reference
def lww_threshold_reference():
    from edgekit import geo

    return geo.estimate_rtt_ms("LHR", "SYD") / 2 + 20.0


FIX_CHOICES = {
    "a": "synchronise the clocks better (NTP to a nearer server)",
    "b": "stamp writes with a hybrid logical clock (HLC) instead of the wall clock",
    "c": "stamp writes with a Lamport clock",
    "d": "let each replica stamp a write with the time it arrives there",
}
_FIX_WHY = {
    "a": "better clocks only shrink the skew. LWW still loses v2 whenever the skew exceeds the gap between two "
         "causally related writes, and after NTP over an ocean that uncertainty is up to half a round trip",
    "b": "an HLC never runs behind anything its node has heard of: Sydney read v1, so v2's stamp is larger "
         "whatever the wall clocks say, and it still reads like a time",
    "c": "a Lamport clock also respects happens-before (if x → y then L(x) < L(y)), so the reply is stamped "
         "after v1 and wins; it just no longer says anything about wall time",
    "d": "then each replica orders the two writes by when *it* heard of them, and London and Sydney can keep "
         "different winners forever: the merge is no longer the same everywhere, so replicas never converge",
}


@exercise(
    "ch2.keeps_the_reply",
    "Which of these changes would make last-writer-wins keep Sydney's reply v2 however fast London's clock runs? "
    "Answer a set of letters.",
    "The reply v2 happened after v1: Sydney read v1 first. Which stamps are guaranteed to grow along "
    "happens-before, whatever the wall clocks read?",
)
def check_keeps_the_reply(answer) -> Feedback:
    return choose(answer, FIX_CHOICES, {"b", "c"}, _FIX_WHY,
                  "HLC and Lamport stamps both follow happens-before, so a write made after reading another is "
                  "always stamped later. Neither saves two *concurrent* writes: LWW still keeps one of them, which "
                  "is why chapter 4 keeps both as siblings")


@check_keeps_the_reply.reference
def keeps_the_reply_reference():
    return {"b", "c"}

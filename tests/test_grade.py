"""edgekit.grade: references pass, untrusted nodes get words not tracebacks, runs are deterministic,
shrinking finds minimal runs, and a design other than the reference passes too."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edgekit.exercises as ex
from edgekit.edge import Interest, MemoryStore
from edgekit.grade import GALLERY, NOT_ANSWERED, EdgeNode, GCounter, SyncRequest, grade
from edgekit.grade import grader as grader_module
from edgekit.grade.adapter import edge_verdict
from edgekit.grade.checks import first_failure
from edgekit.grade.reference import Bounded, MatchById, PullSync, Serve, reference
from edgekit.grade.scenario import Op, Scenario, generate
from edgekit.grade.shrink import shrink
from edgekit.grade.world import run

# -- the references -----------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [1, 2, 3, 4])
def test_the_last_reference_passes_every_stage(stage):
    """Each stage's own reference passing its stage is checked by tests/test_exercises.py (ch6.stageN)."""
    r = grade(Bounded, stage, progress=False)
    assert r.ok, str(r)


def test_an_earlier_reference_fails_the_stage_that_teaches_what_it_lacks():
    assert grade(PullSync, 3, progress=False).misconception == "stale-answer"
    assert grade(MatchById, 4, progress=False).misconception == "crash-lost-state"
    assert not grade(reference(4), 5, progress=False).ok


class KitInterestNode(EdgeNode):
    """Another design: the kit's own ``edgekit.edge.Interest`` (touched, unacknowledged and dirty keys
    with write marks) instead of the reference's touch numbers. It must pass every stage."""

    def on_start(self, ctx):
        self.store = ctx.disk.setdefault("store", {})
        self.own = ctx.disk.setdefault("own", {})
        self.book = ctx.disk.setdefault("interest", Interest(MemoryStore()))  # its dirty marks only
        self.interest = _Owed(self.book)

    def on_read(self, ctx, key):
        self.book.touch(key)
        if key in self.store:
            self.store[key] = self.store.pop(key)
        return self.store.get(key)

    def on_write(self, ctx, key, n):
        cur = self.store.pop(key, None) or GCounter.of({ctx.node_id: self.own.get(key, 0)})
        self.store[key] = cur.increment(ctx.node_id, n)
        self.own[key] = self.store[key].get(ctx.node_id)
        self.book.wrote(key)
        self.evict(ctx)
        return self.store[key]

    def on_epoch(self, ctx):
        if len(self.book):
            sid, keys = self.book.begin()
            ctx.send(ctx.upstream, SyncRequest(sid, {k: self.store.get(k) for k in keys}))

    def on_sync_response(self, ctx, msg):
        late = self.book.settle(msg.sync_id, msg.entries)  # a None asks again by itself
        for k, v in msg.entries.items():
            if v is None:
                continue
            if k in self.store:
                self.store[k] = self.store[k] | v
            elif k not in late:
                self.store[k] = v
        self.evict(ctx)

    def evict(self, ctx):
        for k in list(self.store):
            if ctx.capacity is None or len(self.store) <= ctx.capacity:
                break
            if k not in self.interest:
                del self.store[k]


class _Owed:
    def __init__(self, book):
        self.book = book

    def __contains__(self, k):
        return k in self.book.touched or k in self.book.unacked or k in self.book.dirty


@pytest.mark.parametrize("stage", [1, 2, 3, 4, 5])
def test_a_design_other_than_the_reference_passes(stage):
    r = grade(KitInterestNode, stage, progress=False)
    assert r.ok, str(r)


# -- untrusted nodes: a report in words, never a traceback from the kit ----------------------


class _Base(Bounded):
    pass


class RaisesInWrite(_Base):
    def on_write(self, ctx, key, n):
        return 1 // 0  # the learner's line


class SendsADict(_Base):
    def on_epoch(self, ctx):
        if self.interest:
            ctx.send(ctx.upstream, {"a": 1})


class SendsElsewhere(_Base):
    def on_epoch(self, ctx):
        if self.interest:
            ctx.send("root:FRA" if ctx.upstream != "root:FRA" else "IAD", SyncRequest(1, {}))


class SendsAnInt(_Base):
    def on_epoch(self, ctx):
        if self.interest:
            ctx.send(ctx.upstream, SyncRequest(1, {k: 7 for k in self.interest}))


class SendsTooMany(_Base):
    def on_epoch(self, ctx):
        for _ in range(10):
            super().on_epoch(ctx)


class ReadReturnsAnInt(_Base):
    def on_read(self, ctx, key):
        super().on_read(ctx, key)
        return 3


class ReturnsTheRequest(_Base):
    def on_epoch(self, ctx):
        return SyncRequest(1, {})


class StoreIsAList(_Base):
    def on_start(self, ctx):
        super().on_start(ctx)
        self.store = []


class Slow(_Base):
    def on_read(self, ctx, key):
        time.sleep(1.05)
        return super().on_read(ctx, key)


class NeedsArguments(_Base):
    def __init__(self, size):
        self.size = size


@pytest.mark.parametrize(("node", "stage", "check", "words"), [
    (RaisesInWrite, 1, "exception", "your on_write raised ZeroDivisionError"),
    (SendsADict, 2, "bad-message", "expected SyncRequest(sync_id, entries)"),
    (SendsElsewhere, 2, "bad-message", "a site sends only to its upstream"),
    (SendsAnInt, 2, "bad-message", "expected a GCounter"),
    (SendsTooMany, 2, "budget", "too many messages"),
    (ReadReturnsAnInt, 1, "bad-return", "on_read('"),
    (ReturnsTheRequest, 2, "bad-return", "ctx.send(ctx.upstream, msg)"),
    (StoreIsAList, 1, "bad-state", "self.store is []"),
    (Slow, 1, "budget", "a handler must return"),
    (NeedsArguments, 1, "exception", "NeedsArguments() raised TypeError"),
])
def test_a_misbehaving_node_gets_a_report_in_plain_words(node, stage, check, words):
    r = grade(node, stage, progress=False)
    assert not r.ok and r.check == check, str(r)
    assert words in r.message, r.message
    assert "Traceback" not in str(r) and "edgekit/" not in str(r)


def test_an_exception_is_shown_at_the_learners_line():
    r = grade(RaisesInWrite, 1, progress=False)
    assert "return 1 // 0  # the learner's line" in r.message and "test_grade.py" in r.message


def test_a_handler_that_never_returns_is_stopped_by_the_grading_budget(monkeypatch):
    class Loops(_Base):
        def on_read(self, ctx, key):
            while True:
                pass

    monkeypatch.setattr(grader_module, "MAX_GRADE_S", 0.5)
    r = grade(Loops, 1, progress=False)
    assert r.check == "budget" and "loop forever" in r.message


def test_a_message_changed_after_sending_does_not_change_what_was_sent():
    class Scribbles(Bounded):
        def on_epoch(self, ctx):
            if self.interest:
                entries = {k: self.store.get(k) for k in self.interest}
                ctx.send(ctx.upstream, SyncRequest(self.request(), entries))
                entries.clear()  # the grader delivers its own copy

    assert grade(Scribbles, 3, progress=False).ok


def test_bad_arguments_raise_naming_the_parameter():
    with pytest.raises(ValueError, match="stage=9"):
        grade(Serve, 9)
    with pytest.raises(ValueError, match="seed=-1"):
        grade(Serve, 1, seed=-1)
    r = grade(Serve(), 1, progress=False)
    assert r.check == "bad-node" and "grade(MyNode, stage=1)" in r.message


# -- unanswered, and instructor mode ----------------------------------------------------------


class Template(EdgeNode):
    pass


class HalfDone(EdgeNode):
    def on_read(self, ctx, key):
        return NOT_ANSWERED

    def on_write(self, ctx, key, n):
        return NOT_ANSWERED


@pytest.mark.parametrize("node", [NOT_ANSWERED, ..., Template, HalfDone])
def test_an_unanswered_exercise_says_so(node, monkeypatch):
    monkeypatch.delenv("EDGEKIT_INSTRUCTOR", raising=False)
    ex.instructor(False)
    r = grade(node, 2, progress=False)
    assert not r.answered and not r.ok and "not answered" in str(r)
    assert r.figure() is None


def test_instructor_mode_grades_the_reference_instead():
    ex.instructor(True)
    try:
        r = grade(HalfDone, 2, progress=False)
    finally:
        ex.instructor(False)
    assert r.ok and r.node == "PullSync" and "reference solution PullSync" in str(r)


# -- determinism and the record ------------------------------------------------------------------


def test_the_same_seed_gives_the_same_run():
    s = generate(4, 11)
    assert s == generate(4, 11) and s != generate(4, 12)
    one, _ = run(s, Bounded, Bounded)
    two, _ = run(s, Bounded, Bounded)
    assert [(m.time, m.src, m.dst, m.entries, m.delivered) for m in one.messages] == \
        [(m.time, m.src, m.dst, m.entries, m.delivered) for m in two.messages]
    assert [(o.time, o.value) for o in one.ops] == [(o.time, o.value) for o in two.ops]


def test_the_checks_catch_a_lost_write_from_the_record_alone():
    """Drop every request the learner sends: the root never hears of its write."""
    class NeverSends(Bounded):
        def on_epoch(self, ctx):
            pass

    s = Scenario(2, 0, "LHR", "root:FRA", (("IAD", "root:FRA"),), (Op(10.0, "LHR", "write", "a", 2),),
                 phases=(("LHR", 50.0), ("IAD", 60.0), ("hub:SIN", 70.0), ("root:FRA", 80.0)),
                 ops_end=200.0, faults_end=200.0, keys=("a",))
    trace, fault = run(s, NeverSends, Bounded)
    f = first_failure(s, trace)
    assert fault is None and f.check == "lost-write" and "holds 0 of the 2 increments" in f.message
    writes = [(o.site, o.key, o.n, o.time) for o in trace.ops if o.kind == "write" and o.ok]
    assert edge_verdict(writes, trace.root_at_drain).lost == 2  # the edge package's own judge agrees
    trace, _ = run(s, Bounded, Bounded)
    assert first_failure(s, trace) is None
    assert edge_verdict(writes, trace.root_at_drain).ok


def test_the_edge_packages_judge_catches_a_lost_and_a_phantom_increment():
    writes = [("LHR", "a", 2, 10.0), ("IAD", "a", 1, 20.0)]
    assert edge_verdict(writes, {"a": GCounter.of({"LHR": 2, "IAD": 1})}).ok
    lost = edge_verdict(writes, {"a": GCounter.of({"LHR": 1, "IAD": 1})})
    assert lost.lost == 1 and "not in the final state" in lost.problems[0]
    extra = edge_verdict(writes, {"a": GCounter.of({"LHR": 3, "IAD": 1})})
    assert not extra.ok and extra.lost == 0 and dict(extra.kinds).get("phantom")


# -- shrinking -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 24), data=st.data())
def test_shrinking_finds_exactly_the_operations_that_matter(n, data):
    ops = tuple(Op(float(t), "LHR", "write", f"k{t}", 1 + t % 3) for t in range(n))
    needed = data.draw(st.sets(st.integers(0, n - 1), min_size=1))
    keys = {f"k{i}" for i in needed}

    def fails(s):
        return keys <= {o.key for o in s.ops}

    small = shrink(Scenario(1, 0, "LHR", None, ops=ops), fails)
    assert fails(small)
    assert {o.key for o in small.ops} == keys  # 1-minimal: every operation left is needed
    assert all(o.n == 1 for o in small.ops)  # and as simple as it can be


def test_shrinking_respects_its_budget_and_always_returns_a_failing_run():
    calls = []

    def fails(s):
        calls.append(1)
        return len(s.ops) >= 3

    ops = tuple(Op(float(t), "LHR", "read", "a") for t in range(40))
    small = shrink(Scenario(1, 0, "LHR", None, ops=ops), fails, max_runs=5)
    assert len(calls) <= 5 and fails(small)


# -- what the learner sees -----------------------------------------------------------------------


def test_a_report_draws_its_run_with_the_offending_message_highlighted():
    from edgekit.figures.grade import _HOT

    r = grade(GALLERY["ClearsOnSend"].node, 3, progress=False)
    fig = r.figure()
    assert r.highlight is not None
    hot = [a for a in fig.layout.annotations if a.arrowcolor == _HOT]
    lost = [t for t in fig.data if t.line is not None and t.line.color == _HOT]
    assert hot or lost
    assert "seed" in fig.layout.title.text and "<" not in r.story[0]
    html = r._repr_html_()
    assert "Likely misconception" in html and "<script" not in html


def test_the_gallery_widget_grades_the_chosen_mistake():
    from edgekit.widgets.grade import GalleryApp

    app = GalleryApp("AddsOnAnswer")
    before = app.figure.to_json()
    assert app.job is None  # the first view was graded while the app was built
    app.mistake.value = "ForgetsReadMisses"  # a first look grades on the app's thread
    app.wait()
    assert app.last_error is None and app.figure.to_json() != before
    assert "Stage 1 · Serve locally: ✘" in app.output.value and "ForgetsReadMisses" in app.output.value
    assert not app.mistake.disabled
    graded = app.job
    app.mistake.value = "AddsOnAnswer"  # a second look shows the kept report at once: no action
    assert app.job is graded and "counted twice" in app.output.value
    with pytest.raises(ValueError, match="mistake='Nope'"):
        GalleryApp("Nope")


def test_grading_a_stage_before_the_one_it_builds_on_says_so(monkeypatch):
    monkeypatch.setattr(grader_module, "_PASSED", set())  # nothing passed yet in this "session"

    class Mine(Bounded):
        pass

    class MineNext(Mine):
        pass

    assert "Stage 1 has not passed yet" in str(grade(Mine, 2, progress=False))
    assert grade(Mine, 1, progress=False).ok
    assert "has not passed yet" not in str(grade(MineNext, 2, progress=False))

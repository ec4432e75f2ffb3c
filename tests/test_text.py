"""edgekit.crdt.Text: a string model, Fugue's tree as stated in the paper, and pycrdt as oracles."""

from __future__ import annotations

import json
import random
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edgekit.crdt.text.local as text_module
import edgekit.crdt.text.runs as runs_module
from edgekit.crdt.text import Delete, Insert, Text, demo_two_editors, op_from_json

NAMES = ("alice", "bob", "carol")
ALPHABET = "ab xyé😀"


class FugueTree:
    """Fugue exactly as the paper states it, one node per character (slow, obviously right)."""

    def __init__(self, ops=()):
        self.kids = {}  # (parent id or None, side) -> child ids
        self.char = {}
        self.dead = set()
        for op in ops:
            self.add(op)

    def add(self, op):
        if isinstance(op, Delete):
            self.dead.update((r, s + k) for r, s, n in op.spans for k in range(n))
            return
        for k, ch in enumerate(op.text):
            node = (op.replica, op.seq + k)
            if node not in self.char:
                where = (op.parent, op.side) if k == 0 else ((op.replica, op.seq + k - 1), "R")
                self.char[node] = ch
                self.kids.setdefault(where, []).append(node)

    def order(self):
        """Every node, tombstones too, by the in-order walk (siblings sorted by id)."""
        out, stack = [], [(None, False)]
        while stack:
            node, visited = stack.pop()
            if visited:
                out.append(node)
                stack.extend((c, False) for c in sorted(self.kids.get((node, "R"), []), reverse=True))
            else:
                stack.append((node, True))
                stack.extend((c, False) for c in sorted(self.kids.get((node, "L"), []), reverse=True))
        return out[1:]  # drop the root

    def text(self):
        return "".join(self.char[n] for n in self.order() if n not in self.dead)

    def where_insert(self, index):
        """(parent, side) for an insert before visible character ``index``, after any tombstones."""
        order = self.order()
        visible = [i for i, n in enumerate(order) if n not in self.dead]
        pos = visible[index] if index < len(visible) else len(order)
        left = order[pos - 1] if pos else None
        if not self.kids.get((left, "R")):
            return left, "R"
        return order[pos], "L"


@contextmanager
def chunks_of(n: int):
    """Chunks of at most ``n`` runs, so that small tests split chunks and edit across them."""
    old = runs_module.MAX_RUNS
    runs_module.MAX_RUNS = text_module.MAX_RUNS = n
    try:
        yield
    finally:
        runs_module.MAX_RUNS = text_module.MAX_RUNS = old


def check_chars(doc: Text, ops) -> None:
    """Character by character (id, text, deleted, in document order), ``doc`` holds what the
    paper's tree builds from ``ops``: run splits and merges never change an id."""
    held = [((replica, seq + k), ch, bool(deleted)) for replica, seq, _, _, text, deleted in doc.to_json()["runs"]
            for k, ch in enumerate(text)]
    tree = FugueTree(ops)
    assert held == [(node, tree.char[node], node in tree.dead) for node in tree.order()]


def check_runs(doc: Text) -> None:
    """The chunked run list agrees with itself: cached counts, cursor, run bookkeeping."""
    lst = doc._list
    total = 0
    for ci, chunk in enumerate(lst.chunks):
        assert chunk.vis == sum(run.vis for run in chunk.runs)
        assert len(chunk.runs) <= runs_module.MAX_RUNS
        for run in chunk.runs:
            assert run.chunk is chunk and run.text and run.vis in (0, len(run.text))
        if ci == lst.ci:
            assert lst.cpos == total
            if lst.ri >= 0:
                assert lst.rpos == total + sum(run.vis for run in chunk.runs[: lst.ri])
        total += chunk.vis
    assert total == lst.length == len(str(doc))


# One edit: (insert?, position seed, length, text); positions are taken modulo the length.
edits = st.lists(
    st.tuples(st.booleans(), st.integers(0, 10**6), st.integers(1, 6), st.text(ALPHABET, min_size=1, max_size=5)),
    max_size=60,
)


def deliver_everything(docs, made, rnd) -> None:
    """Every replica gets every operation, a few twice, in a shuffled order: all converge to the
    oracle's text (a Fugue tree built from the operations alone)."""
    everything = [op for ops in made for op in ops]
    for doc in docs:
        ops = everything + rnd.sample(everything, min(5, len(everything)))
        rnd.shuffle(ops)
        doc.apply(ops)
        assert not doc.buffered
        check_runs(doc)
    assert len({str(doc) for doc in docs}) == 1
    assert str(docs[0]) == FugueTree(everything).text()


def do_edit(doc: Text, model: str, edit) -> tuple[list, str]:
    is_insert, pos, n, text = edit
    if is_insert or not model:
        i = pos % (len(model) + 1)
        return doc.insert(i, text), model[:i] + text + model[i:]
    i = pos % len(model)
    n = min(n, len(model) - i)
    return doc.delete(i, n), model[:i] + model[i + n:]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([2, 64]), edits)
def test_one_replica_is_a_string(max_runs, steps):
    doc, model = Text("alice"), ""
    with chunks_of(max_runs):
        for step in steps:
            _, model = do_edit(doc, model, step)
            assert str(doc) == model and len(doc) == len(model)
        check_runs(doc)


@pytest.mark.parametrize("seed", range(3))
def test_many_random_edits_stay_a_string(seed):
    # Thousands of runs in dozens of chunks: chunk splits and long cursor moves at full size.
    rnd = random.Random(seed)
    doc, model = Text("alice"), ""
    for _ in range(6000):
        step = (rnd.random() < 0.6 or len(model) < 100, rnd.randrange(10**6), rnd.randint(1, 30), "xyz"[rnd.randrange(3)])
        _, model = do_edit(doc, model, step)
    assert str(doc) == model
    check_runs(doc)
    assert len(doc._list.chunks) > 10


@settings(max_examples=100, deadline=None)
@given(edits)
def test_sequential_edits_match_pycrdt(steps):
    pycrdt = pytest.importorskip("pycrdt")
    ydoc = pycrdt.Doc()
    ytext = ydoc.get("text", type=pycrdt.Text)
    doc, model = Text("alice"), ""
    for step in steps:
        ops, new = do_edit(doc, model, step)
        # pycrdt counts UTF-8 bytes, we count code points
        if ops and isinstance(ops[0], Insert):
            i = step[1] % (len(model) + 1)
            ytext.insert(len(model[:i].encode()), step[3])
        elif ops:
            i = step[1] % len(model)
            n = len(model) - len(new)
            a, b = len(model[:i].encode()), len(model[: i + n].encode())
            del ytext[a:b]
        model = new
    assert str(doc) == str(ytext) == model


# A concurrent session: each step edits one replica or sends some of one replica's ops to another.
sessions = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.integers(0, 2), st.booleans(), st.integers(0, 10**6), st.integers(1, 4),
                  st.text("abcxyz", min_size=1, max_size=3)),
        st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2)),
    ),
    max_size=40,
)


@settings(max_examples=120, deadline=None)
@given(st.integers(2, 3), st.sampled_from([2, 64]), sessions, st.randoms(use_true_random=False))
def test_concurrent_replicas_converge_to_fugue(n, max_runs, steps, rnd):
    with chunks_of(max_runs):
        concurrent_session(n, steps, rnd)


def concurrent_session(n, steps, rnd):
    docs = [Text(name) for name in NAMES[:n]]
    made = [[] for _ in docs]  # ops each replica made
    known = [set() for _ in docs]  # ops each replica was given or made
    for step in steps:
        if step[0] == "sync":
            src, dst = step[1] % n, step[2] % n
            # any subset, in any order, some twice: missing causes get buffered
            ops = rnd.sample(made[src], rnd.randint(0, len(made[src])))
            ops += rnd.sample(ops, min(2, len(ops)))
            rnd.shuffle(ops)
            docs[dst].apply(ops)
            known[dst].update(ops)
        else:
            _, i, is_insert, pos, length, text = step
            i %= n
            doc = docs[i]
            held = FugueTree(known[i] - set(doc.buffered))
            assert held.text() == str(doc)
            ops, _ = do_edit(doc, str(doc), (is_insert, pos, length, text))
            if ops and isinstance(ops[0], Insert):
                # the local insert follows Fugue's rule for choosing parent and side
                assert (ops[0].parent, ops[0].side) == held.where_insert(pos % (len(doc) - len(text) + 1))
            made[i] += ops
            known[i].update(ops)
    deliver_everything(docs, made, rnd)
    # the whole state survives both encodings, tombstones and tree included
    first = docs[0]
    for name, load in (("copy1", lambda: Text.load(first.save(), "copy1")),
                       ("copy2", lambda: Text.from_json(first.to_json(), "copy2"))):
        copy = load()
        assert str(copy) == str(first) and copy.version == first.version
        mine = copy.delete(0, 1) if len(copy) else copy.insert(0, "<")
        theirs = first.insert(len(first), name)
        first.apply(mine)
        copy.apply(theirs)
        assert str(first) == str(copy)


@settings(max_examples=80, deadline=None)
@given(sessions, st.randoms(use_true_random=False))
def test_out_of_order_delivery_gives_the_in_order_result(steps, rnd):
    docs = [Text(name) for name in NAMES]
    log = []  # every op in the order it was made: a causal order
    for step in steps:
        if step[0] == "sync":
            docs[step[2]].apply(log)
        else:
            _, i, is_insert, pos, length, text = step
            ops, _ = do_edit(docs[i], str(docs[i]), (is_insert, pos, length, text))
            log += ops
    in_order, shuffled = Text("in-order"), Text("shuffled")
    in_order.apply(log)
    mixed = log + log[: len(log) // 2]
    rnd.shuffle(mixed)
    for k in range(0, len(mixed), 3):  # a few ops at a time, buffering in between
        shuffled.apply(mixed[k:k + 3])
    assert str(shuffled) == str(in_order)
    assert shuffled.version == in_order.version and not shuffled.buffered


def test_no_interleaving_of_concurrent_typing_forwards_or_backwards():
    a, b = Text("alice"), Text("bob")
    b.apply(a.insert(0, "[]"))
    x, y = [], []
    for ch in "abc":  # forwards
        x += a.insert(len(a) - 1, ch)
    for ch in "zyx":  # backwards: each key before the previous one (RGA would interleave here)
        y += b.insert(1, ch)
    a.apply(y)
    b.apply(x)
    assert str(a) == str(b) and str(a) in ("[abcxyz]", "[xyzabc]")


def test_ops_are_plain_json_values():
    doc = Text("alice")
    ops = doc.insert(0, "héllo") + doc.insert(2, "X") + doc.delete(1, 3)
    wire = json.loads(json.dumps([op.to_json() for op in ops]))
    back = [op_from_json(d) for d in wire]
    assert back == ops
    other = Text("bob")
    other.apply(wire)  # the JSON forms are accepted directly too
    assert str(other) == str(doc) == "hlo"


def test_state_round_trips_through_json():
    a, b = Text("alice"), Text("bob")
    b.apply(a.insert(0, "hello world"))
    a.apply(b.delete(0, 6) + b.insert(0, "brave new "))
    bang = a.insert(5, "!")
    saved = json.loads(json.dumps(a.to_json()))
    c = Text.from_json(saved, replica="carol")
    assert str(c) == str(a) and c.version == a.version
    assert Text.from_json(saved).to_json() == saved  # same runs, same tombstones
    # the copy edits on in step with the others
    ops = c.insert(0, ">") + c.delete(3, 2)
    a.apply(ops)
    more = a.insert(len(a), "?")
    b.apply(ops + more + bang)
    c.apply(more + bang + more)  # bang is a duplicate for c, more arrives twice
    assert str(a) == str(b) == str(c) == ">bre! new world?"


def test_save_and_load_compactly():
    a, b = Text("alice"), Text("bob")
    b.apply(a.insert(0, "hello world"))
    a.apply(b.delete(0, 6) + b.insert(0, "brave new ") + b.insert(3, "x"))
    data = a.save()
    c = Text.load(data, replica="carol")
    assert str(c) == str(a) and c.version == a.version and c.authors() == a.authors()
    assert Text.load(data).replica == "alice"
    assert len(data) < len(json.dumps(a.to_json()))
    with pytest.raises(ValueError, match="data: not a Text.save"):
        Text.load(b"junk")
    with pytest.raises(TypeError, match="data="):
        Text.load("text")
    with pytest.raises(ValueError, match=r"run=\[1, 2\]"):
        Text.from_json({"replica": "a", "runs": [[1, 2]]})
    with pytest.raises(ValueError, match="d="):
        Text.from_json([])


def test_duplicates_and_buffering():
    a, b = Text("alice"), Text("bob")
    first = a.insert(0, "ab")
    second = a.insert(1, "X")  # needs first's characters
    gone = a.delete(0, 1)
    b.apply(second + gone)
    assert str(b) == "" and len(b.buffered) == 2  # waiting for first
    b.apply(first + first)
    assert str(b) == str(a) == "Xb" and not b.buffered
    b.apply(first + second + gone)  # all duplicates now
    assert str(b) == "Xb"


def test_version_and_authors():
    a, b = Text("alice"), Text("bob")
    b.apply(a.insert(0, "hi"))
    b.insert(2, "!")
    assert b.version == {"alice": 2, "bob": 1}
    assert b.authors() == [("alice", "hi"), ("bob", "!")]
    assert "Text('bob', 'hi!')" == repr(b)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda d: d.insert(4, "x"), ValueError, "index=4"),
        (lambda d: d.insert(-1, "x"), ValueError, "index=-1"),
        (lambda d: d.insert("0", "x"), TypeError, "index='0'"),
        (lambda d: d.insert(0, 5), TypeError, "text=5"),
        (lambda d: d.delete(0, -1), ValueError, "length=-1"),
        (lambda d: d.delete(0, 1.0), TypeError, "length=1.0"),
        (lambda d: d.delete(2, 2), ValueError, "length=2"),
        (lambda d: d.delete(9, 0), ValueError, "index=9"),
        (lambda d: d.apply(["x"]), TypeError, "op='x'"),
        (lambda d: d.apply([Insert("b", 0, None, "L", "x")]), ValueError, "side='L'"),
        (lambda d: d.apply([Insert("b", -1, None, "R", "x")]), ValueError, "seq="),
        (lambda d: d.apply([Insert("b", 0, ("a", 0), "R", "")]), TypeError, "text=''"),
        (lambda d: d.apply([Delete((("a", 0, 0),))]), ValueError, "span="),
        (lambda d: d.apply([{"type": "move"}]), ValueError, "op="),
    ],
)
def test_bad_input_names_the_parameter(call, error, words):
    doc = Text("alice")
    doc.insert(0, "abc")
    with pytest.raises(error, match=words.replace("(", r"\(")):
        call(doc)


def test_bad_replica():
    for bad in ("", 3, None):
        with pytest.raises(TypeError, match="replica="):
            Text(bad)


def test_empty_edits_make_no_ops():
    doc = Text("alice")
    assert doc.insert(0, "") == [] and doc.delete(0, 0) == [] and str(doc) == ""


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("same_place", [True, False])
def test_two_editors_demo(seed, same_place):
    d = demo_two_editors(seed, same_place)
    assert d.converged and d.alice_after == "".join(text for _, text in d.merged_pieces)
    assert d.bob_before == "".join(text for _, text in d.bob_pieces)
    # each word arrives in one piece, and Bob's deletion holds in the merge
    words = {text.strip() for who, text in d.merged_pieces if who in ("alice", "bob")}
    assert all(w in d.alice_after.split() for w in words) and len(words) == 2
    assert d.alice_after.endswith(".") and d.start.split()[-1] not in d.alice_after
    assert d.naive != d.alice_after
    assert demo_two_editors(seed, same_place) == d  # seeded: same story every time


def test_the_text_package_has_no_import_circle():
    """Each module of edgekit.crdt.text imports only modules below it (demo used to import text back)."""
    import ast
    from graphlib import TopologicalSorter
    from pathlib import Path

    folder = Path(text_module.__file__).parent
    graph = {}
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text())
        graph[path.stem] = {node.module or alias.name for node in ast.walk(tree)
                            if isinstance(node, ast.ImportFrom) and node.level == 1 for alias in node.names}
    assert {"ops", "runs", "tree", "document", "codec", "demo"} <= set(graph)
    list(TopologicalSorter(graph).static_order())  # raises CycleError on a circle


# A typing session: each replica has a cursor and mostly types on, backspaces or deletes forward
# there (the local fast paths), sometimes jumps; deliveries are random subsets, out of order, some twice.
typing = st.lists(
    st.one_of(
        st.tuples(st.just("type"), st.integers(0, 2), st.text("abxy", min_size=1, max_size=4)),
        st.tuples(st.sampled_from(["back", "forward"]), st.integers(0, 2), st.integers(1, 5)),
        st.tuples(st.just("jump"), st.integers(0, 2), st.integers(0, 10**6)),
        st.tuples(st.just("sync"), st.integers(0, 2), st.integers(0, 2)),
    ).map(lambda step: [step] * 2 if step[0] in ("type", "back", "forward")
          else [step, ("forward", step[1], 3)] if step[0] == "jump" else [step]),
    max_size=50,
).map(lambda groups: [step for group in groups for step in group])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([2, 3, 64]), typing, st.randoms(use_true_random=False))
def test_typing_sessions_converge_under_any_delivery(max_runs, steps, rnd):
    """Concurrent replicas whose edits run the typing and erasing fast paths, between random
    deliveries with duplicates, hold what the paper's tree says and converge."""
    with chunks_of(max_runs):
        docs = [Text(name) for name in NAMES]
        models, cursors = ["", "", ""], [0, 0, 0]
        made = [[] for _ in docs]
        known = [[] for _ in docs]
        for kind, i, arg in steps:
            doc = docs[i]
            if kind == "sync":
                ops = rnd.sample(made[i], rnd.randint(0, len(made[i])))
                ops += rnd.sample(ops, min(2, len(ops)))
                rnd.shuffle(ops)
                docs[arg].apply(ops)
                known[arg] += ops
                models[arg] = str(docs[arg])
                cursors[arg] = min(cursors[arg], len(models[arg]))
                continue
            model, at = models[i], min(cursors[i], len(models[i]))
            if kind == "jump":
                cursors[i] = arg % (len(model) + 1)
                continue
            if kind == "type":
                ops = doc.insert(at, arg)
                model, at = model[:at] + arg + model[at:], at + len(arg)
            elif kind == "back":
                ops = []
                for _ in range(min(arg, at)):
                    ops += doc.delete(at - 1)
                    model, at = model[:at - 1] + model[at:], at - 1
            else:
                ops = []
                for _ in range(min(arg, len(model) - at)):
                    ops += doc.delete(at)
                    model = model[:at] + model[at + 1:]
            made[i] += ops
            known[i] += ops
            models[i], cursors[i] = model, at
            assert str(doc) == model
            check_runs(doc)
            check_chars(doc, [op for op in known[i] if op not in doc.buffered])
        deliver_everything(docs, made, rnd)
        assert Text.from_json(docs[0].to_json()).to_json() == docs[0].to_json()
        assert str(Text.load(docs[1].save())) == str(docs[0])


def test_fast_edits_keep_every_id_and_the_check_sees_one_that_slips(monkeypatch):
    doc = Text("a")
    ops = doc.insert(0, "abc") + doc.insert(3, "def")  # typing on
    ops += doc.delete(5) + doc.delete(4)  # backspaces over what was just typed
    ops += doc.delete(1) + doc.delete(1)  # a delete inside the run, then forward
    ops += doc.insert(1, "X") + doc.delete(1) + doc.delete(0)  # typed, erased, erased on
    assert str(doc) == "d" and len(doc._list.runs()) < 8
    check_chars(doc, ops)
    check_runs(doc)
    real = Text._erase

    def slips(self, index):  # the mutation: a forward delete leaves the next run's first id behind
        out = real(self, index)
        if out and self._rest is not None and index == self._end:
            self._rest.seq -= 1
        return out

    monkeypatch.setattr(Text, "_erase", slips)
    doc = Text("a")
    ops = doc.insert(0, "abcdef") + doc.delete(1) + doc.delete(1)
    assert str(doc) == "adef"
    with pytest.raises(AssertionError):
        check_chars(doc, ops)

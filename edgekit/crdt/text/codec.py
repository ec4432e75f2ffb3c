"""A Text's whole state, readable (one JSON list per run) or compact (columns, then DEFLATE).

``Text.to_json()`` is readable, one list per run. Stored as columns (one per
field, in document order) nearly every value becomes a 0 or a 1, because most
runs are the continuation of the run before them: same replica, next seq,
parent = the previous character. Runs of equal values collapse to
``[value, count]`` pairs and zlib does the rest; automerge's file format uses
the same two ideas.
"""

from __future__ import annotations

import json
import zlib

from .ops import Delete, Insert, show
from .tree import origin

FORMAT = "edgekit-text/1"
MAX_INFLATED = 32 << 20  # bytes: Text.load's default cap on what ``data`` may inflate to
# How a run's first character hangs in the tree. CONTINUES: right child of
# the same replica's previous character, the common case, which needs no ids.
CONTINUES, ROOT, RIGHT, LEFT = range(4)


def state_to_json(doc) -> dict:
    """Every run, tombstones too, in document order: [replica, seq, parent, side, text, deleted]."""
    runs = []
    root = doc._list.root
    for run in doc._list.runs():
        parent, side = origin(run, root)
        runs.append([run.replica, run.seq, parent and list(parent), side, run.text, int(not run.vis)])
    return {"replica": doc.replica, "version": doc.version, "runs": runs}


def state_from_json(d: dict):
    """The saved replica id, the ops that rebuild a ``state_to_json`` state, and its saved version."""
    if not isinstance(d, dict) or not isinstance(d.get("runs"), list):
        raise ValueError(f"d={show(d)}: expected a dict from Text.to_json() with a list of runs")
    replica, version = d.get("replica"), d.get("version")
    if not isinstance(replica, str) or not replica:
        raise ValueError(f"d: replica={show(replica)}: expected a non-empty str")
    if version is not None and not (isinstance(version, dict) and all(
            isinstance(r, str) and type(n) is int and n > 0 for r, n in version.items())):
        raise ValueError(f"d: version={show(version)}: expected a dict of replica -> count > 0")
    inserts, spans = [], []
    for entry in d["runs"]:
        if not (isinstance(entry, list) and len(entry) == 6 and entry[5] in (0, 1)
                and type(entry[5]) in (int, bool)
                and (entry[2] is None or isinstance(entry[2], list) and len(entry[2]) == 2)):
            raise ValueError(f"d: run={show(entry)}: expected [replica, seq, parent or null, side, text, 0 or 1]")
        replica, seq, parent, side, text, deleted = entry
        try:
            inserts.append(Insert.from_json({"type": "insert", "replica": replica, "seq": seq, "parent": parent,
                                             "side": side, "text": text}))
        except (TypeError, ValueError) as e:
            raise ValueError(f"d: run={show(entry)}: {e}") from None
        if deleted:
            spans.append((replica, seq, len(text)))
    return d["replica"], inserts, [Delete(tuple(spans))] if spans else [], version


def _rle(values):
    out = []
    for v in values:
        if out and out[-2] == v:
            out[-1] += 1
        else:
            out += [v, 1]
    return out


def _unrle(pairs, name, total):
    """Expand ``[value, count, ...]`` pairs, first checking that the counts add up to ``total``."""
    if not (isinstance(pairs, list) and len(pairs) % 2 == 0
            and all(type(c) is int and c > 0 for c in pairs[1::2]) and sum(pairs[1::2]) == total):
        raise ValueError(f"column {name}={show(pairs)}: expected [value, count > 0, ...] with counts adding "
                         f"up to {total}, the number of runs")
    out = []
    for i in range(0, len(pairs), 2):
        out += [pairs[i]] * pairs[i + 1]
    return out


def _ints(columns, name, low=None):
    values = columns.get(name)
    if not (isinstance(values, list) and all(type(v) is int and (low is None or v >= low) for v in values)):
        raise ValueError(f"column {name}={show(values)}: expected a list of ints" + (f" >= {low}" if low is not None else ""))
    return values


def inflate(data: bytes, max_size: int) -> dict:
    """The columns ``encode`` wrote, inflating at most ``max_size`` bytes (a zlib bomb stops there)."""
    inflater = zlib.decompressobj()
    raw, tail = bytearray(), data
    try:
        while not inflater.eof:  # a megabyte at a time, so that memory never passes the cap by much
            piece = inflater.decompress(tail, 1 << 20)
            tail = inflater.unconsumed_tail
            if len(raw) + len(piece) > max_size:
                raise ValueError(f"data: inflates to more than max_size={max_size} bytes")
            raw += piece
            if not piece and not tail:
                raise ValueError("data: not a Text.save() encoding (the compressed stream is cut short)")
    except zlib.error as e:
        raise ValueError(f"data: not a Text.save() encoding (zlib: {e})") from None
    try:
        columns = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ValueError(f"data: the inflated bytes are not UTF-8 (byte {e.start}: {e.reason})") from None
    except RecursionError:
        raise ValueError("data: the inflated JSON is nested too deeply") from None
    except ValueError as e:
        raise ValueError(f"data: the inflated bytes are not JSON ({e})") from None
    if not isinstance(columns, dict) or columns.get("format") != FORMAT:
        raise ValueError(f"data: not a Text.save() encoding (expected the format {FORMAT!r})")
    return columns


def encode(doc) -> bytes:
    """Every run of ``doc`` (tombstones too), as compressed columns."""
    lst = doc._list
    root = lst.root
    replicas = {}
    last = {}  # replica -> seq after its previous run in document order
    rep, seq, kind, lens, gone, prep, pseq, texts = [], [], [], [], [], [], [], []
    for run in lst.runs():
        r = replicas.setdefault(run.replica, len(replicas))
        rep.append(r)
        seq.append(run.seq - last.get(r, 0))
        last[r] = run.seq + len(run.text)
        parent, side = origin(run, root)
        if parent is None:
            kind.append(ROOT)
        elif side == "R" and parent == (run.replica, run.seq - 1):
            kind.append(CONTINUES)
        else:
            kind.append(RIGHT if side == "R" else LEFT)
            prep.append(replicas.setdefault(parent[0], len(replicas)))
            pseq.append(parent[1])
        lens.append(len(run.text))
        gone.append(0 if run.vis else 1)
        texts.append(run.text)
    columns = {"format": FORMAT, "replica": doc.replica, "replicas": list(replicas), "rep": _rle(rep),
               "seq": seq, "kind": _rle(kind), "len": lens, "deleted": _rle(gone), "prep": prep,
               "pseq": pseq, "text": "".join(texts)}
    return zlib.compress(json.dumps(columns, separators=(",", ":")).encode(), 9)


def decode(data: bytes, max_size: int = MAX_INFLATED):
    """The saved replica id, the ops that rebuild the state ``encode`` saved, and no version."""
    columns = inflate(data, max_size)
    names, text = columns.get("replicas"), columns.get("text")
    if not (isinstance(names, list) and all(isinstance(n, str) and n for n in names)):
        raise ValueError(f"data: replicas={show(names)}: expected a list of non-empty str")
    if not isinstance(text, str):
        raise ValueError(f"data: text={show(text)}: expected a str")
    lens, deltas = _ints(columns, "len", 1), _ints(columns, "seq")
    prep, pseq = _ints(columns, "prep", 0), _ints(columns, "pseq", 0)
    runs = len(lens)
    if sum(lens) != len(text) or len(deltas) != runs or len(prep) != len(pseq):
        raise ValueError(f"data: columns of different lengths (len: {runs} runs holding {sum(lens)} "
                         f"characters, text: {len(text)}, seq: {len(deltas)}, prep/pseq: {len(prep)}/{len(pseq)})")
    rep = _unrle(columns.get("rep"), "rep", runs)
    kind = _unrle(columns.get("kind"), "kind", runs)
    gone = _unrle(columns.get("deleted"), "deleted", runs)
    if not all(type(r) is int and 0 <= r < len(names) for r in rep + prep):
        raise ValueError(f"data: a replica number outside 0..{len(names) - 1}")
    if kind.count(RIGHT) + kind.count(LEFT) != len(prep) or not set(kind) <= {CONTINUES, ROOT, RIGHT, LEFT}:
        raise ValueError(f"data: column kind={show(columns['kind'])}: expected one of 0..3 per run and "
                         "one parent (prep, pseq) per RIGHT or LEFT")
    parents = iter(zip(prep, pseq, strict=True))
    at = 0
    last = {}
    inserts, spans = [], []
    for r, delta, k, n, dead in zip(rep, deltas, kind, lens, gone, strict=True):
        replica = names[r]
        seq = last.get(r, 0) + delta
        last[r] = seq + n
        if k == CONTINUES:
            if not seq:
                raise ValueError(f"data: run {len(inserts)} continues a run before seq 0")
            parent, side = (replica, seq - 1), "R"
        elif k == ROOT:
            parent, side = None, "R"
        else:
            p, s = next(parents)
            parent, side = (names[p], s), "R" if k == RIGHT else "L"
        inserts.append(Insert(replica, seq, parent, side, text[at:at + n]))
        at += n
        if dead:
            spans.append((replica, seq, n))
    replica = columns.get("replica")
    if not isinstance(replica, str) or not replica:
        raise ValueError(f"data: replica={show(replica)}: expected a non-empty str")
    return replica, inserts, [Delete(tuple(spans))] if spans else [], None

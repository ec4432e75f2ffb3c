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

from .ops import Delete, Insert

FORMAT = "edgekit-text/1"
# How a run's first character hangs in the tree. CONTINUES: right child of
# the same replica's previous character, the common case, which needs no ids.
CONTINUES, ROOT, RIGHT, LEFT = range(4)


def state_to_json(doc) -> dict:
    """Every run, tombstones too, in document order: [replica, seq, parent, side, text, deleted]."""
    runs = []
    root = doc._list.root
    for run in doc._list.runs():
        par = run.parent
        if par is root:
            parent = None
        elif run.right:
            parent = [par.replica, par.seq + len(par.text) - 1]
        else:
            parent = [par.replica, par.seq]
        runs.append([run.replica, run.seq, parent, "R" if run.right else "L", run.text, int(not run.vis)])
    return {"replica": doc.replica, "runs": runs}


def state_from_json(d: dict):
    """The saved replica id and the ops that rebuild a ``state_to_json`` state."""
    if not isinstance(d, dict) or not isinstance(d.get("runs"), list):
        raise ValueError(f"d={str(d)[:60]!r}: expected a dict from Text.to_json()")
    inserts, spans = [], []
    for entry in d["runs"]:
        try:
            replica, seq, parent, side, text, deleted = entry
            inserts.append(Insert(replica, seq, None if parent is None else tuple(parent), side, text))
        except (TypeError, ValueError):
            raise ValueError(f"d: run={entry!r}: expected [replica, seq, parent, side, text, deleted]") from None
        if deleted:
            spans.append((replica, seq, len(text)))
    return d.get("replica"), inserts, [Delete(tuple(spans))] if spans else []


def _rle(values):
    out = []
    for v in values:
        if out and out[-2] == v:
            out[-1] += 1
        else:
            out += [v, 1]
    return out


def _unrle(pairs):
    out = []
    for i in range(0, len(pairs), 2):
        out += [pairs[i]] * pairs[i + 1]
    return out


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
        par = run.parent
        if par is root:
            kind.append(ROOT)
        elif run.right and par.replica == run.replica and par.seq + len(par.text) == run.seq:
            kind.append(CONTINUES)
        else:
            kind.append(RIGHT if run.right else LEFT)
            prep.append(replicas.setdefault(par.replica, len(replicas)))
            pseq.append(par.seq + len(par.text) - 1 if run.right else par.seq)
        lens.append(len(run.text))
        gone.append(0 if run.vis else 1)
        texts.append(run.text)
    columns = {"format": FORMAT, "replica": doc.replica, "replicas": list(replicas), "rep": _rle(rep),
               "seq": seq, "kind": _rle(kind), "len": lens, "deleted": _rle(gone), "prep": prep,
               "pseq": pseq, "text": "".join(texts)}
    return zlib.compress(json.dumps(columns, separators=(",", ":")).encode(), 9)


def decode(data: bytes):
    """The saved replica id and the ops that rebuild the state ``encode`` saved."""
    try:
        columns = json.loads(zlib.decompress(data))
        if columns.get("format") != FORMAT:
            raise ValueError(columns.get("format"))
        names = columns["replicas"]
        rep, kind, gone = _unrle(columns["rep"]), _unrle(columns["kind"]), _unrle(columns["deleted"])
        parents = iter(zip(columns["prep"], columns["pseq"], strict=True))
        text, at = columns["text"], 0
        last = {}
        inserts, spans = [], []
        for r, delta, k, n, dead in zip(rep, columns["seq"], kind, columns["len"], gone, strict=True):
            replica = names[r]
            seq = last.get(r, 0) + delta
            last[r] = seq + n
            if k == CONTINUES:
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
        return columns["replica"], inserts, [Delete(tuple(spans))] if spans else []
    except (ValueError, KeyError, TypeError, IndexError, StopIteration, zlib.error) as e:
        raise ValueError(f"data: not a Text.save() encoding ({type(e).__name__}: {e})") from None

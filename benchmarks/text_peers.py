"""The replicas that benchmarks/text_trace.py replays a trace into, each behind the same two calls.

Every peer offers ``insert(pos, text)`` and ``delete(pos, count)`` (the
harness calls exactly one of them per edit, in the same loop for everyone),
``commit()`` (timed: the end of the peer's transaction, where it has one) and
``result()`` (untimed: the final text and the peer's encodings). Where a
library's own call has that shape it is used as it is (a bound method); where
it does not, the adapter is the thinnest Python function that fits, and its
docstring says so.
"""

from __future__ import annotations

BATCHING = {
    "edgekit": "no transactions: every edit returns its op at once (one change per edit)",
    "loro": "one implicit transaction, committed once after the replay (Loro batches until commit)",
    "automerge": "one transaction around the whole replay (one change)",
    "automerge-per-edit": "one transaction (one change) per edit",
    "pycrdt": "one implicit transaction per edit (one around the replay is pathologically slow)",
    "list": "no CRDT: a Python list of characters",
    "chunked-list": "no CRDT: chunks of at most 512 characters with a cursor",
}


class Edgekit:
    """edgekit.crdt.Text, pure Python; each op it returns is dropped."""

    def __init__(self):
        from edgekit.crdt.text import Text

        self.doc = Text("bench")
        self.insert, self.delete = self.doc.insert, self.doc.delete

    def commit(self):
        pass

    def result(self):
        import json

        readable = json.dumps(self.doc.to_json(), separators=(",", ":")).encode()
        return str(self.doc), {"history": len(self.doc.save()), "readable_json": len(readable)}


class Loro:
    """Loro (Rust, loro on PyPI): LoroText.insert and .delete are the calls themselves."""

    def __init__(self):
        from loro import LoroDoc

        self.doc = LoroDoc()
        self.doc.peer_id = 1  # a fixed id: the same encoding every run
        text = self.text = self.doc.get_text("text")
        self.insert, self.delete = text.insert, text.delete

    def commit(self):
        self.doc.commit()

    def result(self):
        from loro import ExportMode

        doc = self.doc
        shallow = doc.export(ExportMode.ShallowSnapshot(doc.oplog_frontiers))
        return self.text.to_string(), {"history": len(doc.export(ExportMode.Snapshot())),
                                       "no_history": len(shallow)}


class Automerge:
    """automerge (Rust core): its Python API inserts and deletes one character per call, so the
    adapters loop over the edit's characters (one Python call per edit, like every peer)."""

    def __init__(self, per_edit=False):
        from automerge.core import ROOT, Document, ObjType, ScalarType

        self.doc = doc = Document()
        with doc.transaction() as tx:
            self.obj = obj = tx.put_object(ROOT, "text", ObjType.Text)
        STR = ScalarType.Str
        if per_edit:
            def insert(pos, text):
                with doc.transaction() as tx:
                    for ch in text:
                        tx.insert(obj, pos, STR, ch)
                        pos += 1

            def delete(pos, count):
                with doc.transaction() as tx:
                    for _ in range(count):
                        tx.delete(obj, pos)
            self.tx = None
        else:
            self.tx = doc.transaction()
            tx = self.tx.__enter__()
            tx_insert, tx_delete = tx.insert, tx.delete

            def insert(pos, text):
                for ch in text:
                    tx_insert(obj, pos, STR, ch)
                    pos += 1

            def delete(pos, count):
                for _ in range(count):
                    tx_delete(obj, pos)
        self.insert, self.delete = insert, delete

    def commit(self):
        if self.tx is not None:
            self.tx.__exit__(None, None, None)

    def result(self):
        return self.doc.text(self.obj), {"history": len(self.doc.save())}


class Pycrdt:
    """pycrdt (Yrs, Rust): ``Text.insert`` is the call; deleting is ``del text[a:b]``, so an adapter.
    pycrdt counts UTF-8 bytes: the harness checks the trace is ASCII."""

    def __init__(self):
        from pycrdt import Doc, Text

        self.doc = Doc()
        text = self.text = self.doc.get("text", type=Text)
        self.insert = text.insert

        def delete(pos, count):
            del text[pos:pos + count]
        self.delete = delete

    def commit(self):
        pass

    def result(self):
        # Yjs keeps the ids of deleted characters but drops their content: no history.
        return str(self.text), {"no_history": len(self.doc.get_update())}


class PlainList:
    """The floor for Python: a list of characters, no CRDT metadata."""

    def __init__(self):
        self.chars = chars = []

        def insert(pos, text):
            chars[pos:pos] = text

        def delete(pos, count):
            del chars[pos:pos + count]
        self.insert, self.delete = insert, delete

    def commit(self):
        pass

    def result(self):
        text = "".join(self.chars)
        return text, {"no_history": len(text.encode())}


class ChunkedList:
    """The simplest chunked list: lists of at most 512 characters, a cursor on the last chunk used."""

    SIZE = 512

    def __init__(self):
        self.chunks = [[]]
        self.ci = 0  # cursor: a chunk and the position where it starts
        self.start = 0

    def find(self, pos):
        chunks, ci, start = self.chunks, self.ci, self.start
        while pos < start:
            ci -= 1
            start -= len(chunks[ci])
        while pos > start + len(chunks[ci]) and ci + 1 < len(chunks):
            start += len(chunks[ci])
            ci += 1
        self.ci, self.start = ci, start
        return chunks[ci], pos - start

    def insert(self, pos, text):
        chunk, at = self.find(pos)
        chunk[at:at] = text
        if len(chunk) > self.SIZE:
            half = len(chunk) // 2
            self.chunks.insert(self.ci + 1, chunk[half:])
            del chunk[half:]

    def delete(self, pos, count):
        while count:
            chunk, at = self.find(pos)
            if at == len(chunk):  # the characters start in the next chunk
                self.start += len(chunk)
                self.ci += 1
                chunk, at = self.chunks[self.ci], 0
            n = min(count, len(chunk) - at)
            del chunk[at:at + n]
            count -= n

    def commit(self):
        pass

    def result(self):
        text = "".join(ch for chunk in self.chunks for ch in chunk)
        return text, {"no_history": len(text.encode())}


PEERS = {
    "edgekit": Edgekit,
    "loro": Loro,
    "automerge": Automerge,
    "automerge-per-edit": lambda: Automerge(per_edit=True),
    "pycrdt": Pycrdt,
    "list": PlainList,
    "chunked-list": ChunkedList,
}
MODULES = {"edgekit": "edgekit.crdt.text", "loro": "loro", "automerge": "automerge.core",
           "automerge-per-edit": "automerge.core", "pycrdt": "pycrdt"}

"""A replica's disk in SQLite: the ``Store`` interface, durable across ``kill -9``.

``SQLiteStore`` is ``edgekit.edge.store.MemoryStore`` (the same LRU, the same
pinning of dirty keys, the same eviction code) with every change written
through to one SQLite file per replica, in WAL mode. Nothing is written while a
handler runs: the driver calls ``commit()`` after every handler and before any
message the handler sent leaves the process (``edgekit.live.host``), so a
replica answers ``Stored`` only for a write that is on disk. With
``synchronous="NORMAL"`` (the default) a commit survives the death of the
process (``kill -9``), the failure this kit injects; ``"FULL"`` also survives a
power cut, at the price of an fsync per commit.

Three tables: ``kv`` (key, CRDT state as JSON, a write counter for LRU order),
``dirty`` (key, sequence number of its latest unacknowledged write) and
``meta`` (the write sequence ``wseq``, which must never go back).

Where it departs from a real store: values are also kept in memory (a PoP's
working set is small; the file is the durable copy, not a cache backend), and a
read does not persist recency, so after a restart the LRU order is the order of
the last writes.

>>> import tempfile, os
>>> from edgekit.crdt import GCounter
>>> path = os.path.join(tempfile.mkdtemp(), "LHR_r0.sqlite")
>>> s = SQLiteStore(path, "gcounter", capacity=10)
>>> s.dirty["a"] = s.next_seq(); s.put("a", GCounter.of({"LHR.1": 2})); s.commit()
True
>>> s.close(); again = SQLiteStore(path, "gcounter")
>>> again.get("a").value, dict(again.dirty), again.wseq
(2, {'a': 1}, 1)
"""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict

from edgekit.edge.codec import as_value_type
from edgekit.edge.store import MemoryStore

from .._checks import brief

__all__ = ["SQLiteStore", "SYNCHRONOUS"]

SYNCHRONOUS = ("NORMAL", "FULL")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, used INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS dirty (key TEXT PRIMARY KEY, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class _Values(OrderedDict):
    """The LRU map, noting which keys changed (a put or an eviction) since the last commit."""

    def __init__(self) -> None:
        super().__init__()
        self.changed: dict = {}  # key -> None, in the order of the changes
        self.cleared = False

    def __setitem__(self, key, value) -> None:
        OrderedDict.__setitem__(self, key, value)
        self.changed.pop(key, None)
        self.changed[key] = None

    def __delitem__(self, key) -> None:
        OrderedDict.__delitem__(self, key)
        self.changed[key] = None

    def clear(self) -> None:
        OrderedDict.clear(self)
        self.changed.clear()
        self.cleared = True

    def pop(self, key, *default):  # not used by MemoryStore; kept honest for any caller
        self.changed[key] = None
        return OrderedDict.pop(self, key, *default)


class _Marks(dict):
    """The dirty marks, noting which keys changed since the last commit."""

    def __init__(self) -> None:
        super().__init__()
        self.changed: set = set()
        self.cleared = False

    def __setitem__(self, key, seq) -> None:
        dict.__setitem__(self, key, seq)
        self.changed.add(key)

    def __delitem__(self, key) -> None:
        dict.__delitem__(self, key)
        self.changed.add(key)

    def pop(self, key, *default):
        self.changed.add(key)
        return dict.pop(self, key, *default)

    def clear(self) -> None:
        dict.clear(self)
        self.changed.clear()
        self.cleared = True

    def update(self, *args, **kw) -> None:
        for k, v in dict(*args, **kw).items():
            self[k] = v

    def setdefault(self, key, seq=None):
        if key not in self:
            self[key] = seq
        return self[key]


class SQLiteStore(MemoryStore):
    """``MemoryStore`` written through to SQLite (``path``); ``commit()`` makes the changes durable."""

    __slots__ = ("path", "vtype", "db", "used", "_saved_wseq")

    def __init__(self, path: str, value_type, capacity: int | None = None, synchronous: str = "NORMAL") -> None:
        super().__init__(capacity)
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"synchronous={brief(synchronous)}: expected one of {SYNCHRONOUS}")
        self.path = str(path)
        self.vtype = as_value_type(value_type)
        self._use(_Values())
        self.dirty = _Marks()
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.executescript(_SCHEMA)
        self.used = 0
        self._load()

    def _load(self) -> None:
        cls, db = self.vtype.cls, self.db
        for key, text, used in db.execute("SELECT key, value, used FROM kv ORDER BY used"):
            try:
                value = cls.from_json(json.loads(text))
            except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as e:
                raise ValueError(f"{self.path}: key {brief(key)} does not hold a valid {cls.__name__} ({e})") from None
            OrderedDict.__setitem__(self.data, key, value)
            self.used = used
        for key, seq in db.execute("SELECT key, seq FROM dirty"):
            dict.__setitem__(self.dirty, key, seq)
        row = db.execute("SELECT value FROM meta WHERE name = 'wseq'").fetchone()
        self.wseq = self._saved_wseq = row[0] if row else 0

    def commit(self) -> bool:
        """Write every change since the last commit in one transaction; False if there was none."""
        data, dirty = self.data, self.dirty
        if not (data.changed or data.cleared or dirty.changed or dirty.cleared or self.wseq != self._saved_wseq):
            return False
        db = self.db
        db.execute("BEGIN")
        try:
            if data.cleared:
                db.execute("DELETE FROM kv")
            if dirty.cleared:
                db.execute("DELETE FROM dirty")
            gone = [(k,) for k in data.changed if k not in data]
            if gone:
                db.executemany("DELETE FROM kv WHERE key = ?", gone)
            rows = []
            for k in data.changed:
                if k in data:
                    self.used += 1
                    rows.append((k, json.dumps(data[k].to_json(), separators=(",", ":")), self.used))
            if rows:
                db.executemany("INSERT OR REPLACE INTO kv (key, value, used) VALUES (?, ?, ?)", rows)
            marks = [(k, dirty[k]) for k in dirty.changed if k in dirty]
            if marks:
                db.executemany("INSERT OR REPLACE INTO dirty (key, seq) VALUES (?, ?)", marks)
            cleaned = [(k,) for k in dirty.changed if k not in dirty]
            if cleaned:
                db.executemany("DELETE FROM dirty WHERE key = ?", cleaned)
            if self.wseq != self._saved_wseq:
                db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('wseq', ?)", (self.wseq,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        data.changed.clear()
        dirty.changed.clear()
        data.cleared = dirty.cleared = False
        self._saved_wseq = self.wseq
        return True

    def close(self) -> None:
        """Commit what is pending and close the file."""
        self.commit()
        self.db.close()

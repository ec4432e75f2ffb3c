"""The Text replica: its state, what it shows, and how it is saved and loaded.

How the tree and its storage work is in the package's docstring
(``edgekit.crdt.text``). The methods live beside this module by concern:
``local`` (insert, delete) and ``remote`` (apply, and rebuilding a saved state).
"""

from __future__ import annotations

from .codec import MAX_INFLATED, decode, encode, state_from_json, state_to_json
from .local import LocalEdits
from .ops import show
from .remote import RemoteOps
from .runs import RunList
from .tree import IdIndex

__all__ = ["Text"]


class Text(LocalEdits, RemoteOps):
    """A replicated text: local ``insert``/``delete`` return ops, ``apply`` takes others' ops.

    >>> a, b = Text("alice"), Text("bob")
    >>> b.apply(a.insert(0, "Hi"))
    >>> x = a.insert(2, " Ann")  # both type at the end, concurrently
    >>> y = b.insert(2, " Bob")
    >>> a.apply(y); b.apply(x)
    >>> str(a), str(b)
    ('Hi Ann Bob', 'Hi Ann Bob')
    """

    max_buffered = 100_000  # ops waiting for causes that have not arrived (see apply)

    def __init__(self, replica: str, *, max_buffered: int = max_buffered):
        if not isinstance(replica, str) or not replica:
            raise TypeError(f"replica={show(replica)}: expected a non-empty str (unique per replica)")
        if type(max_buffered) is not int or max_buffered < 0:
            raise ValueError(f"max_buffered={show(max_buffered)}: expected an int >= 0")
        self.replica = replica
        self.max_buffered = max_buffered
        self._list = RunList()
        self._next = {replica: 0}  # replica -> how many of its characters we hold
        self._index = IdIndex()
        self._own = self._index.of(replica)
        self._waiting = {}  # replica -> heap of (seq we wait for, tiebreak, op)
        self._waits = 0
        self._n_waiting = 0
        # What the last local edit left, for the next one to go on from without a search:
        # the run it typed into, or the tombstone run it erased into, and where that ends.
        self._typed = self._erased = self._rest = None
        self._end = -1
        self._back = False  # whether the tombstone's first id may move (see _erase)

    def __str__(self) -> str:
        return "".join(self._list.texts())

    def __len__(self) -> int:
        return self._list.length

    def __repr__(self) -> str:
        text = str(self)
        shown = text if len(text) <= 40 else text[:37] + "..."
        return f"Text({self.replica!r}, {shown!r})"

    def authors(self) -> list[tuple[str, str]]:
        """The visible text as ``(replica, text)`` pieces in order: who typed what.

        >>> a = Text("a"); b = Text("b"); b.apply(a.insert(0, "hi"))
        >>> _ = b.insert(1, "-"); b.authors()
        [('a', 'h'), ('b', '-'), ('a', 'i')]
        """
        out = []
        for run in self._list.runs():
            if run.vis:
                if out and out[-1][0] == run.replica:
                    out[-1] = (run.replica, out[-1][1] + run.text)
                else:
                    out.append((run.replica, run.text))
        return out

    @property
    def version(self) -> dict[str, int]:
        """How many characters of each replica this replica holds (its version vector)."""
        return {r: n for r, n in self._next.items() if n}

    @property
    def buffered(self) -> list:
        """Operations received but waiting for a causal predecessor."""
        return [entry[2] for heap in self._waiting.values() for entry in sorted(heap)]

    def to_json(self) -> dict:
        """The whole state as plain JSON: every run (tombstones too) in document order."""
        return state_to_json(self)

    @classmethod
    def from_json(cls, d: dict, replica: str | None = None) -> Text:
        """Rebuild a state saved by ``to_json``, as ``replica`` (default: the saved one).

        Raises ValueError when a run is malformed, refers to characters no run
        holds, or the runs disagree with the saved ``version``: nothing is kept hidden.
        """
        saved, inserts, deletes, version = state_from_json(d)
        return cls._rebuild(saved, inserts, deletes, replica, version, "d")

    def save(self) -> bytes:
        """The whole state in a compact form: columns of small numbers, zlib-compressed.

        >>> doc = Text("a"); _ = doc.insert(0, "hello"); _ = doc.delete(0, 1)
        >>> str(Text.load(doc.save(), replica="b"))
        'ello'
        """
        return encode(self)

    @classmethod
    def load(cls, data: bytes, replica: str | None = None, *, max_size: int = MAX_INFLATED) -> Text:
        """Rebuild a state saved by ``save``, as ``replica`` (default: the saved one).

        ``data`` is checked before anything is allocated for it: it may inflate
        to at most ``max_size`` bytes (32 MiB by default, a few hundred times
        a long paper's state) and its run lengths must add up.
        """
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"data={show(data)}: expected bytes from Text.save()")
        if type(max_size) is not int or max_size < 1:
            raise ValueError(f"max_size={show(max_size)}: expected an int >= 1 (bytes)")
        saved, inserts, deletes, version = decode(bytes(data), max_size)
        return cls._rebuild(saved, inserts, deletes, replica, version, "data")

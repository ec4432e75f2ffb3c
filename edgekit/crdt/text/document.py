"""The Text replica: local edits that return ops, and ``apply`` for other replicas' ops.

How the tree and its storage work is in the package's docstring
(``edgekit.crdt.text``); this module holds the replica's bookkeeping: its
version vector, the buffer of ops waiting for their causes, and the checks
at the trust boundary (``apply``, ``from_json``, ``load``).
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush

from .codec import MAX_INFLATED, decode, encode, state_from_json, state_to_json
from .ops import Delete, Insert, check_delete, check_insert, op_from_json, show
from .runs import MAX_RUNS, Run, RunList
from .tree import IdIndex, integrate_delete, integrate_insert, same_content

__all__ = ["Text"]

_DUPLICATE = object()
_CONFLICT = object()
_new = tuple.__new__  # builds an op without NamedTuple's Python-level __new__


class Text:
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

    def insert(self, index: int, text: str) -> list[Insert]:
        """Insert ``text`` before visible character ``index``; return the op (a list of one).

        >>> Text("a").insert(0, "hi")
        [Insert(replica='a', seq=0, parent=None, side='R', text='hi')]
        """
        run = self._typed
        if index == self._end and run is not None and type(index) is int and type(text) is str and text:
            # Typing on: right after the run this replica typed last, and nothing
            # has happened since, so the new characters extend it: no search at all.
            n = len(text)
            replica = self.replica
            seq = self._next[replica]
            self._next[replica] = seq + n
            run.text += text
            run.vis += n
            run.chunk.vis += n
            self._list.length += n
            self._end = index + n
            return [_new(Insert, (replica, seq, (replica, seq - 1), "R", text))]
        if type(text) is not str:
            raise TypeError(f"text={show(text)}: expected a str")
        lst = self._list
        if type(index) is not int or not 0 <= index <= lst.length:
            _bad_index("index", index, lst.length)
        n = len(text)
        if not n:
            return []
        replica = self.replica
        seq = self._next[replica]
        self._next[replica] = seq + n
        chunk, ci, ri, off = lst.seek(index)
        runs = chunk.runs
        if off:
            # Inside a run: its next character is our right neighbour and the
            # left one already has it as right child, so we become its left child.
            right = lst.split(runs[ri], off, chunk, ri)
            new = Run(replica, seq, text, right, False)
            right.lefts = [new]
            parent, side = (right.replica, right.seq), "L"
            ri += 1
        else:
            if not ri and ci:  # keep the left neighbour in the same chunk
                ci -= 1
                chunk = lst.chunks[ci]
                runs = chunk.runs
                ri = len(runs)
                lst.ci, lst.cpos = ci, lst.cpos - chunk.vis
            left = runs[ri - 1] if ri else lst.root
            if left.rights is None:
                parent = None if left is lst.root else (left.replica, left.seq + len(left.text) - 1)
                if left.replica == replica and left.vis and left.seq + left.vis == seq:
                    # Typing on: the new characters extend the run they follow.
                    left.text += text
                    left.vis += n
                    chunk.vis += n
                    lst.length += n
                    lst.ri, lst.rpos = ri - 1, index + n - left.vis
                    self._typed, self._erased, self._end = left, None, index + n
                    return [_new(Insert, (replica, seq, parent, "R", text))]
                new = Run(replica, seq, text, left, True)
                left.rights = [new]
                side = "R"
            else:
                right = runs[ri] if ri < len(runs) else lst.chunks[ci + 1].runs[0]
                new = Run(replica, seq, text, right, False)
                right.lefts = [new]
                parent, side = (right.replica, right.seq), "L"
        runs.insert(ri, new)
        new.chunk = chunk
        chunk.vis += n
        lst.length += n
        lst.ri, lst.rpos = ri, index
        starts, firsts = self._own
        starts.append(seq)
        firsts.append(new)
        if len(runs) > MAX_RUNS:
            lst.split_chunk(ci)
        self._typed, self._erased, self._end = new, None, index + n
        return [_new(Insert, (replica, seq, parent, side, text))]

    def delete(self, index: int, length: int = 1) -> list[Delete]:
        """Delete ``length`` visible characters from ``index``; return the op (a list of one).

        >>> doc = Text("a"); _ = doc.insert(0, "hello")
        >>> doc.delete(1, 3), str(doc)
        ([Delete(spans=(('a', 1, 3),))], 'ho')
        """
        if length == 1 and 0 <= self._end - index <= 1 and type(index) is int and type(length) is int:
            op = self._erase(index)
            if op is not None:
                return op
        self._typed = self._erased = None
        lst = self._list
        if type(length) is not int:
            raise TypeError(f"length={show(length)}: expected an int >= 0")
        if length < 0:
            raise ValueError(f"length={length}: expected an int >= 0")
        if type(index) is not int or not 0 <= index <= lst.length:
            _bad_index("index", index, lst.length)
        if index + length > lst.length:
            raise ValueError(
                f"length={length!r}: expected at most {lst.length - index} (the characters after index={index})"
            )
        if not length:
            return []
        chunk, ci, ri, off = lst.seek(index)
        runs = chunk.runs
        run = runs[ri]
        if off + length <= run.vis:  # inside one run, like a backspace: the common case
            rest = None
            if off:
                run = lst.split(run, off, chunk, ri)
                ri += 1
            if length < run.vis:
                rest = lst.split(run, length, chunk, ri)
            # the next backspace or forward delete may go on from here (see _erase)
            self._erased, self._back, self._rest, self._end = run, off > 0, rest, index
            run.vis = 0
            chunk.vis -= length
            lst.length -= length
            lst.ri, lst.rpos = ri, index
            if len(runs) > MAX_RUNS:
                lst.split_chunk(ci)
            return [_new(Delete, (((run.replica, run.seq, length),),))]
        spans = []
        touched = [ci]
        first = -1
        todo = length
        while True:
            if ri == len(runs):
                ci += 1
                chunk = lst.chunks[ci]
                runs = chunk.runs
                ri = 0
                touched.append(ci)
            run = runs[ri]
            v = run.vis
            if v:
                if off:
                    run = lst.split(run, off, chunk, ri)
                    ri += 1
                    v -= off
                    off = 0
                if todo < v:
                    lst.split(run, todo, chunk, ri)
                    v = todo
                if first < 0:
                    first = ri
                run.vis = 0
                chunk.vis -= v
                if spans and spans[-1][0] == run.replica and spans[-1][1] + spans[-1][2] == run.seq:
                    spans[-1][2] += v
                else:
                    spans.append([run.replica, run.seq, v])
                todo -= v
                if not todo:
                    break
            ri += 1
        lst.length -= length
        lst.ri, lst.rpos = first, index
        for ci in reversed(touched):
            if len(lst.chunks[ci].runs) > MAX_RUNS:
                lst.split_chunk(ci)
        return [Delete(tuple(map(tuple, spans)))]

    def _erase(self, index):
        """Delete the character at ``index`` without a search when it is next to what the last
        local edit typed or erased; None when the general path must do it.

        A tombstone run that a local delete split off (so that nothing else
        refers to its first id yet) takes over the deleted character from its
        neighbour: a streak of backspaces or forward deletes stays one run.
        """
        tomb = self._erased
        lst = self._list
        if tomb is None:  # a backspace over the character just typed
            run = self._typed
            if run is None or index != self._end - 1 or run.vis < 2:
                return None
            chunk = run.chunk
            runs, ri = chunk.runs, lst.ri
            if (not 0 <= ri < len(runs) or runs[ri] is not run or lst.chunks[lst.ci] is not chunk
                    or len(runs) >= MAX_RUNS):
                return None
            tomb = lst.split(run, run.vis - 1, chunk, ri)
            tomb.vis = 0
            chunk.vis -= 1
            self._typed, self._erased, self._back, self._rest = None, tomb, True, None
            seq = tomb.seq
        elif index < self._end:  # a backspace: the tombstone grows to the left
            head = tomb.parent
            if not self._back or head.vis < 2:
                return None
            text = head.text
            head.text = text[:-1]
            head.vis -= 1
            head.chunk.vis -= 1
            tomb.text = text[-1] + tomb.text
            seq = tomb.seq = tomb.seq - 1
            lst.ri = -1
        else:  # a forward delete: the tombstone grows to the right
            rest = self._rest
            if rest is None or rest.vis < 2:
                return None
            text = rest.text
            rest.text = text[1:]
            rest.vis -= 1
            rest.chunk.vis -= 1
            seq = rest.seq
            rest.seq = seq + 1
            tomb.text += text[0]
            lst.ri = -1
        lst.length -= 1
        self._end = index
        return [_new(Delete, (((tomb.replica, seq, 1),),))]

    def apply(self, ops) -> None:
        """Integrate other replicas' ops (or their ``to_json()`` dicts), in any order, duplicates included.

        An op whose causes have not arrived waits in ``buffered`` until they
        do, up to ``max_buffered`` ops: beyond that an op is refused. An op
        that names a character this replica holds with different content
        (another text or place) is refused too. Every other op is integrated,
        then a ValueError names what was refused.

        Replica ids are trusted: each must name one writer that never uses a
        sequence number twice (one id per process or device; a random one is
        safest). A refused conflict shows that some writer broke that rule;
        replicas that each saw only one version of the reused id differ until
        they meet. Peers that cannot be trusted need authenticated ops
        (Kleppmann, "Making CRDTs Byzantine fault tolerant", PaPoC 2022).
        """
        todo = deque()
        for op in ops:
            kind = type(op)
            if kind is Insert:
                todo.append(check_insert(op))
            elif kind is Delete:
                todo.append(check_delete(op))
            elif kind is dict:
                todo.append(op_from_json(op))
            else:
                raise TypeError(f"ops: op={show(op)}: expected an Insert, a Delete or their to_json() dict")
        self._typed = self._erased = None  # positions may move: local edits must search again
        conflicts, refused = [], []
        while todo:
            op = todo.popleft()
            need = self._needs(op)
            if need is _DUPLICATE:
                continue
            if need is not None:
                if need is _CONFLICT:
                    conflicts.append(op)
                elif self._n_waiting >= self.max_buffered:
                    refused.append(op)
                else:
                    self._waits += 1
                    self._n_waiting += 1
                    heappush(self._waiting.setdefault(need[0], []), (need[1], self._waits, op))
                continue
            if type(op) is Delete:
                integrate_delete(self._list, self._index, op.spans)
                continue
            replica, seq, parent, side, text = op
            have = self._next.get(replica, 0)
            if seq < have:  # partly a duplicate (checked equal): keep the characters we lack
                text, seq, parent, side = text[have - seq:], have, (replica, have - 1), "R"
            integrate_insert(self._list, self._index, replica, seq, parent, side, text)
            have = self._next[replica] = seq + len(text)
            heap = self._waiting.get(replica)
            while heap and heap[0][0] < have:
                todo.append(heappop(heap)[2])
                self._n_waiting -= 1
        if conflicts:
            raise ValueError(f"ops: {len(conflicts)} op(s) name characters this replica holds with different "
                             f"content, first {show(conflicts[0])}: a replica id was reused (ids are trusted, "
                             "see Text.apply); they were refused, the other ops applied")
        if refused:
            raise ValueError(f"ops: {len(refused)} op(s) refused, first {show(refused[0])}: max_buffered="
                             f"{self.max_buffered} ops already wait for causes that have not arrived; "
                             "deliver those first (or raise max_buffered)")

    def _needs(self, op):
        """None if ``op`` can be integrated now, _DUPLICATE, _CONFLICT, or the id it waits for."""
        nxt = self._next
        if type(op) is Delete:
            for replica, seq, count in op.spans:
                if seq + count > nxt.get(replica, 0):
                    return (replica, seq + count - 1)
            return None
        have = nxt.get(op.replica, 0)
        if op.seq < have and not same_content(self._list, self._index, op, have):
            return _CONFLICT
        if op.seq + len(op.text) <= have:
            return _DUPLICATE
        if op.seq > have:
            return (op.replica, op.seq - 1)
        parent = op.parent
        if parent is not None and parent[1] >= nxt.get(parent[0], 0):
            return parent
        return None

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

    @classmethod
    def _rebuild(cls, saved, inserts, deletes, replica, version, name):
        doc = cls(saved if replica is None else replica)
        doc.max_buffered = len(inserts) + len(deletes)  # in document order: the buffer sorts out causes
        try:
            doc.apply(inserts)
            doc.apply(deletes)
        except ValueError as e:
            raise ValueError(f"{name}: the saved runs contradict each other ({e})") from None
        doc.max_buffered = cls.max_buffered
        if doc._n_waiting:
            op = doc.buffered[0]
            raise ValueError(f"{name}: {doc._n_waiting} saved run(s) refer to characters no run holds "
                             f"(truncated or gapped), first {show(op)}")
        if version is not None and doc.version != version:
            raise ValueError(f"{name}: the runs hold version {show(doc.version)}, the saved version "
                             f"says {show(version)} (truncated?)")
        return doc


def _bad_index(name, value, hi):
    if type(value) is not int:
        raise TypeError(f"{name}={show(value)}: expected an int in 0..{hi}")
    raise ValueError(f"{name}={value}: expected an int in 0..{hi}")

"""The Text replica: local edits that return ops, and ``apply`` for other replicas' ops.

How the tree and its storage work is in the package's docstring
(``edgekit.crdt.text``); this module holds the replica's bookkeeping: its
version vector, the buffer of ops waiting for their causes, and the checks
at the trust boundary (``apply``, ``from_json``, ``load``).
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush

from .codec import decode, encode, state_from_json, state_to_json
from .ops import Delete, Insert, check_delete, check_insert, op_from_json
from .runs import MAX_RUNS, Run, RunList
from .tree import IdIndex, integrate_delete, integrate_insert

__all__ = ["Text"]

_DUPLICATE = object()
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

    def __init__(self, replica: str):
        if not isinstance(replica, str) or not replica:
            raise TypeError(f"replica={replica!r}: expected a non-empty str (unique per replica)")
        self.replica = replica
        self._list = RunList()
        self._next = {replica: 0}  # replica -> how many of its characters we hold
        self._index = IdIndex()
        self._own = self._index.of(replica)
        self._waiting = {}  # replica -> heap of (seq we wait for, tiebreak, op)
        self._waits = 0

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
        if type(text) is not str:
            raise TypeError(f"text={text!r}: expected a str")
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
        return [_new(Insert, (replica, seq, parent, side, text))]

    def delete(self, index: int, length: int = 1) -> list[Delete]:
        """Delete ``length`` visible characters from ``index``; return the op (a list of one).

        >>> doc = Text("a"); _ = doc.insert(0, "hello")
        >>> doc.delete(1, 3), str(doc)
        ([Delete(spans=(('a', 1, 3),))], 'ho')
        """
        lst = self._list
        if type(length) is not int:
            raise TypeError(f"length={length!r}: expected an int >= 0")
        if length < 0:
            raise ValueError(f"length={length!r}: expected an int >= 0")
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
            if off:
                run = lst.split(run, off, chunk, ri)
                ri += 1
            if length < run.vis:
                lst.split(run, length, chunk, ri)
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

    def apply(self, ops) -> None:
        """Integrate other replicas' ops (or their ``to_json()`` dicts), in any order, duplicates included.

        An op whose causes have not arrived waits in ``buffered`` until they do.
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
                raise TypeError(f"ops: op={op!r}: expected an Insert, a Delete or their to_json() dict")
        while todo:
            op = todo.popleft()
            need = self._needs(op)
            if need is _DUPLICATE:
                continue
            if need is not None:
                self._waits += 1
                heappush(self._waiting.setdefault(need[0], []), (need[1], self._waits, op))
                continue
            if type(op) is Delete:
                integrate_delete(self._list, self._index, op.spans)
                continue
            replica, seq, parent, side, text = op
            have = self._next.get(replica, 0)
            if seq < have:  # partly a duplicate: keep the characters we lack
                text, seq, parent, side = text[have - seq:], have, (replica, have - 1), "R"
            integrate_insert(self._list, self._index, replica, seq, parent, side, text)
            have = self._next[replica] = seq + len(text)
            heap = self._waiting.get(replica)
            while heap and heap[0][0] < have:
                todo.append(heappop(heap)[2])

    def _needs(self, op):
        """None if ``op`` can be integrated now, _DUPLICATE, or the id it waits for."""
        nxt = self._next
        if type(op) is Delete:
            for replica, seq, count in op.spans:
                if seq + count > nxt.get(replica, 0):
                    return (replica, seq + count - 1)
            return None
        have = nxt.get(op.replica, 0)
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
        """Rebuild a state saved by ``to_json``, as ``replica`` (default: the saved one)."""
        return cls._rebuild(*state_from_json(d), replica)

    def save(self) -> bytes:
        """The whole state in a compact form: columns of small numbers, zlib-compressed.

        >>> doc = Text("a"); _ = doc.insert(0, "hello"); _ = doc.delete(0, 1)
        >>> str(Text.load(doc.save(), replica="b"))
        'ello'
        """
        return encode(self)

    @classmethod
    def load(cls, data: bytes, replica: str | None = None) -> Text:
        """Rebuild a state saved by ``save``, as ``replica`` (default: the saved one)."""
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"data={str(data)[:40]!r}: expected bytes from Text.save()")
        return cls._rebuild(*decode(bytes(data)), replica)

    @classmethod
    def _rebuild(cls, saved, inserts, deletes, replica):
        doc = cls(saved if replica is None else replica)
        doc.apply(inserts)  # in document order: the buffer sorts out causes
        doc.apply(deletes)
        return doc


def _bad_index(name, value, hi):
    if type(value) is not int:
        raise TypeError(f"{name}={value!r}: expected an int in 0..{hi}")
    raise ValueError(f"{name}={value!r}: expected an int in 0..{hi}")

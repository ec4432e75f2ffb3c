"""How a Text takes other replicas' ops: causal buffering, duplicates, conflicts, saved states.

An op can be integrated once its causes are held: the same replica's
earlier characters, the parent character, the characters a delete names.
Until then it waits in a buffer (per replica, a heap by the seq it waits
for), which ``max_buffered`` caps. An op naming characters already held is
a duplicate if it says the same about them and a conflict if not.
"""

from __future__ import annotations

from collections import deque
from heapq import heappop, heappush

from .ops import Delete, Insert, check_delete, check_insert, op_from_json, show
from .tree import integrate_delete, integrate_insert, same_content

_DUPLICATE = object()
_CONFLICT = object()


class RemoteOps:
    """The receiving methods of ``Text`` (a mixin: the state lives in ``Text.__init__``)."""

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
        if isinstance(ops, (Insert, Delete, dict, str, bytes)) or not hasattr(ops, "__iter__"):
            raise TypeError(f"ops={show(ops)}: expected a list of ops (Insert, Delete or their to_json() dicts)")
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

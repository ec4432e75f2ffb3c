"""Where another replica's characters go: Fugue's tree rules applied to runs.

An insert names the parent character and the side; the new characters go
among that parent's children on that side, which are ordered by id
``(replica, seq)``. In document order a node's subtree is contiguous, so
the place to put a new run is next to a sibling's subtree: after the last
run under the sibling that sorts just before it (right side), or before the
first run under the sibling that sorts just after it (left side).
"""

from __future__ import annotations

from bisect import bisect_right

from .runs import Run, RunList


class IdIndex:
    """Find the run holding character ``(replica, seq)``.

    Per replica, the first seq and first run of every range of characters it
    inserted, in seq order; a range that was later split is followed through
    ``Run.nxt``. Local edits only append (they must stay fast); when a lookup
    has to walk far along a range, that range's pieces are added to the index.
    """

    def __init__(self):
        self.ranges = {}  # replica -> ([first seq of each range], [its first run])

    def of(self, replica):
        """The (seqs, runs) lists of one replica, to append new ranges to."""
        lists = self.ranges.get(replica)
        if lists is None:
            lists = self.ranges[replica] = ([], [])
        return lists

    def find(self, replica, seq):
        starts, firsts = self.ranges[replica]
        i = bisect_right(starts, seq) - 1
        run = firsts[i]
        steps = 0
        while seq >= run.seq + len(run.text):
            run = run.nxt
            steps += 1
        if steps > 8:
            # Index every piece of this entry's range up to the next entry.
            end = starts[i + 1] if i + 1 < len(starts) else None
            pieces = []
            piece = firsts[i]
            while piece is not None and (end is None or piece.seq < end):
                pieces.append(piece)
                piece = piece.nxt
            starts[i:i + 1] = [piece.seq for piece in pieces]
            firsts[i:i + 1] = pieces
        return run


def integrate_insert(lst: RunList, index: IdIndex, replica, seq, parent, side, text) -> None:
    """Add characters whose parent (and predecessors) ``lst`` already holds."""
    right = side == "R"
    if parent is None:
        par = lst.root
    else:
        # Make the parent character the last (right side) or first (left side) of its run.
        par = index.find(*parent)
        k = parent[1] - par.seq
        if right and k < len(par.text) - 1:
            lst.split(par, k + 1, par.chunk, lst.locate(par))
            lst.check(par.chunk, 0)
        elif not right and k:
            par = lst.split(par, k, par.chunk, lst.locate(par))
            lst.check(par.chunk, 0)
    n = len(text)
    if right and par.rights is None and par.replica == replica and par.vis and par.seq + par.vis == seq:
        # The only right child of the run's last character: the run just grows.
        par.text += text
        par.vis += n
        par.chunk.vis += n
        lst.length += n
        lst.check(par.chunk, n)
        return
    new = Run(replica, seq, text, par, right)
    sibs = par.rights if right else par.lefts
    if sibs is None:
        sibs = [new]
        if right:
            par.rights = sibs
        else:
            par.lefts = sibs
        j = 0
    else:
        key = (replica, seq)
        j = 0
        for sib in sibs:
            if (sib.replica, sib.seq) > key:
                break
            j += 1
        sibs.insert(j, new)
    if right:
        anchor = par if j == 0 else rightmost(sibs[j - 1])
    else:
        anchor = par if j == len(sibs) - 1 else leftmost(sibs[j + 1])
    lst.place(new, anchor, right)
    starts, firsts = index.of(replica)
    starts.append(seq)
    firsts.append(new)


def integrate_delete(lst: RunList, index: IdIndex, spans) -> None:
    """Mark the characters in ``spans`` deleted (already deleted ones stay so)."""
    for replica, seq, count in spans:
        while count:
            run = index.find(replica, seq)
            k = seq - run.seq
            if k:
                run = lst.split(run, k, run.chunk, lst.locate(run))
            m = len(run.text)
            if m > count:
                lst.split(run, count, run.chunk, lst.locate(run))
                m = count
            gone = run.vis
            run.vis = 0
            run.chunk.vis -= gone
            lst.length -= gone
            lst.check(run.chunk, -gone)
            seq += m
            count -= m


def rightmost(run: Run) -> Run:
    """The last run under ``run``'s first character (it ends that subtree)."""
    while run.rights:
        run = run.rights[-1]
    return run


def leftmost(run: Run) -> Run:
    """The first run under ``run``'s first character (it starts that subtree)."""
    while run.lefts:
        run = run.lefts[0]
    return run


def origin(run: Run, root: Run):
    """Where ``run``'s first character hangs: ``(parent id or None, side)``."""
    par = run.parent
    if par is root:
        return None, "R"
    if run.right:
        return (par.replica, par.seq + len(par.text) - 1), "R"
    return (par.replica, par.seq), "L"


def same_content(lst: RunList, index: IdIndex, op, have: int) -> bool:
    """Whether the characters of insert ``op`` that are already held (seq < ``have``) hold the
    same text at the same place in the tree: an id seen again must mean the same character."""
    replica, seq, parent, side, text = op
    upto = min(seq + len(text), have)
    at = seq
    while at < upto:
        run = index.find(replica, at)
        k = at - run.seq
        held = origin(run, lst.root) if k == 0 else ((replica, at - 1), "R")
        if held != ((parent, side) if at == seq else ((replica, at - 1), "R")):
            return False
        n = min(upto, run.seq + len(run.text)) - at
        if run.text[k:k + n] != text[at - seq:at - seq + n]:
            return False
        at += n
    return True

"""The document order of a Text: runs of characters in chunks, with a cursor.

A *run* is a stretch of characters inserted by one replica with consecutive
sequence numbers, each the right child of the one before it in Fugue's tree:
exactly what typing produces, so a paragraph typed in one go is one run, not
hundreds of characters. Runs are split when an edit lands inside one (a
delete, or an insert between two of its characters) and never merged again.

Runs sit in document order (tombstones included) in a list of *chunks* of at
most ``MAX_RUNS`` runs, each chunk caching how many visible characters it
holds. Finding the run that holds visible character ``i`` walks from a cursor
left by the previous edit, first chunk by chunk, then run by run: editing is
local (people type where they just typed), so a walk is a step or two.
"""

from __future__ import annotations

# Big enough that chunks are few, small enough that list.insert into a chunk
# and the run-by-run walk inside one stay cheap.
MAX_RUNS = 64


class Run:
    """Characters ``(replica, seq)``, ``(replica, seq + 1)``, ... holding ``text``."""

    __slots__ = ("replica", "seq", "text", "vis", "parent", "right", "lefts", "rights", "nxt", "chunk")

    def __init__(self, replica, seq, text, parent, right):
        self.replica = replica
        self.seq = seq
        self.text = text
        self.vis = len(text)  # visible characters: len(text), or 0 once deleted
        # Fugue's tree at run granularity: the first character is the left or
        # right child of ``parent``'s first or last character. Only the first
        # character of a run has left children and only the last has right
        # children (a run is split to keep it so); lists are sorted by id.
        self.parent = parent
        self.right = right
        self.lefts = None
        self.rights = None
        self.nxt = None  # the run holding seq + len(text) when this one was split
        self.chunk = None

    def __repr__(self):
        state = "" if self.vis else " deleted"
        return f"Run({self.replica!r}, {self.seq}, {self.text!r}{state})"


class Chunk:
    """A slice of the document's runs and how many visible characters they hold."""

    __slots__ = ("runs", "vis", "at")

    def __init__(self, runs, vis):
        self.runs = runs
        self.vis = vis
        self.at = 0  # its index in RunList.chunks when last numbered (see RunList.index_of)


class RunList:
    """All runs in document order, chunked, with a cursor for nearby edits."""

    def __init__(self):
        # The virtual root of Fugue's tree: it only ever has right children,
        # and "immediately after the root" is the start of the first chunk.
        self.root = Run(None, -1, "", None, True)
        self.chunks = [Chunk([], 0)]
        self.root.chunk = self.chunks[0]
        self.length = 0  # visible characters
        self.reset_cursor()

    def reset_cursor(self):
        # Chunk index, visible position where it starts, run index in it
        # (-1: unknown) and visible position where that run starts.
        self.ci, self.cpos, self.ri, self.rpos = 0, 0, -1, 0

    def seek(self, index):
        """Find visible character ``index``: return (chunk, ci, ri, offset in run).

        At the end of the document, ri is past the last run of the last chunk.
        """
        chunks = self.chunks
        ci, cpos = self.ci, self.cpos
        chunk = chunks[ci]
        if index < cpos or index >= cpos + chunk.vis:
            if index < cpos:
                while index < cpos:
                    ci -= 1
                    chunk = chunks[ci]
                    cpos -= chunk.vis
            else:
                last = len(chunks) - 1
                while ci < last and index >= cpos + chunk.vis:
                    cpos += chunk.vis
                    ci += 1
                    chunk = chunks[ci]
            self.ci, self.cpos = ci, cpos
            ri, rpos = 0, cpos
        else:
            ri, rpos = self.ri, self.rpos
            if ri < 0:
                ri, rpos = 0, cpos
        runs = chunk.runs
        while rpos > index:
            ri -= 1
            rpos -= runs[ri].vis
        n = len(runs)
        while ri < n:
            v = runs[ri].vis
            if index < rpos + v:
                break
            rpos += v
            ri += 1
        self.ri, self.rpos = ri, rpos
        return chunk, ci, ri, index - rpos

    def split(self, run, k, chunk, ri):
        """Cut ``run`` (at ``chunk.runs[ri]``) after k characters; return the new tail."""
        text = run.text
        tail = Run(run.replica, run.seq + k, text[k:], run, True)
        run.text = text[:k]
        if not run.vis:
            tail.vis = 0
        else:
            run.vis = k
        # The tail's first character is the right child of the head's last
        # character; the head's right children belong to the tail's last one.
        rights = run.rights
        if rights:
            for child in rights:
                child.parent = tail
            tail.rights = rights
        run.rights = [tail]
        tail.nxt = run.nxt
        run.nxt = tail
        tail.chunk = chunk
        chunk.runs.insert(ri + 1, tail)
        return tail

    def split_chunk(self, ci):
        """Halve chunk ``ci`` once it holds more than MAX_RUNS runs."""
        chunk = self.chunks[ci]
        runs = chunk.runs
        half = len(runs) // 2
        moved = runs[half:]
        del runs[half:]
        vis = 0
        new = Chunk(moved, 0)
        for run in moved:
            run.chunk = new
            vis += run.vis
        new.vis = vis
        chunk.vis -= vis
        self.chunks.insert(ci + 1, new)
        if ci == self.ci:
            self.ri = -1
        elif ci < self.ci:
            self.ci += 1

    def place(self, run, anchor, after):
        """Put a new ``run`` immediately after (or before) the run ``anchor``."""
        if anchor is self.root:
            chunk, i = self.chunks[0], 0
        else:
            chunk = anchor.chunk
            i = chunk.runs.index(anchor) + after
        chunk.runs.insert(i, run)
        run.chunk = chunk
        chunk.vis += run.vis
        self.length += run.vis
        self.check(chunk, run.vis)

    def locate(self, run):
        """The index of ``run`` in its chunk (remote edits only: O(chunk size))."""
        return run.chunk.runs.index(run)

    def index_of(self, chunk):
        """The index of ``chunk`` in ``chunks``; renumbers them all after splits moved them."""
        chunks = self.chunks
        at = chunk.at
        if at < len(chunks) and chunks[at] is chunk:
            return at
        for i, c in enumerate(chunks):
            c.at = i
        return chunk.at

    def check(self, chunk, grew):
        """After a remote edit in ``chunk`` (``grew`` more visible characters): split it
        if it is too long and keep the cursor true."""
        ci = self.index_of(chunk)
        if len(chunk.runs) > MAX_RUNS:
            self.split_chunk(ci)
        if ci < self.ci:
            self.cpos += grew
            self.rpos += grew
        elif ci == self.ci:
            self.ri = -1

    def texts(self):
        """The visible text of every run, in document order."""
        return [run.text for chunk in self.chunks for run in chunk.runs if run.vis]

    def runs(self):
        """Every run, tombstones included, in document order."""
        return [run for chunk in self.chunks for run in chunk.runs]

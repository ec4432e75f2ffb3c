"""Two editors typing into one sentence at once: a small, seeded story for chapter 4."""

from __future__ import annotations

import random
from dataclasses import dataclass

from .document import Text
from .ops import Delete, Insert

SENTENCES = (
    "The cat sat on the mat.",
    "Meet me at the station at noon.",
    "State lives at the edge of the network.",
    "Every replica answers from its own copy.",
)
WORDS = ("big", "small", "red", "quiet", "old", "happy", "busy", "green")


@dataclass(frozen=True)
class TwoEditors:
    """What happened when Alice and Bob edited the same text while offline."""

    start: str  # the text both began from
    keystrokes: tuple[tuple[str, str, int, str], ...]  # (editor, "insert"/"delete", index, text) in time order
    alice_ops: tuple[Insert | Delete, ...]
    bob_ops: tuple[Insert | Delete, ...]
    alice_before: str  # Alice's text after her own edits, before syncing
    bob_before: str
    alice_after: str  # after each applied the other's ops: equal
    bob_after: str
    naive: str  # Bob's keystrokes replayed by index onto Alice's text: no CRDT
    # Who typed what, as (replica, text) pieces ("start" for the shared sentence):
    alice_pieces: tuple[tuple[str, str], ...]  # Alice's text before syncing
    bob_pieces: tuple[tuple[str, str], ...]
    merged_pieces: tuple[tuple[str, str], ...]  # both, after syncing

    @property
    def converged(self) -> bool:
        return self.alice_after == self.bob_after


def demo_two_editors(seed: int = 0, same_place: bool = True) -> TwoEditors:
    """Alice and Bob each type a word, at the same place by default, and Bob deletes one.

    Keystrokes interleave in time (seeded), but neither sees the other's until
    they exchange ops at the end. Fugue keeps each typed word in one piece.

    >>> d = demo_two_editors(0)
    >>> d.converged, d.alice_after
    (True, 'Every replica answers from big red its own.')
    >>> d.naive  # Bob's keystrokes applied by position to Alice's text, without a CRDT
    'Every replica answers from red big itscopy.'
    """
    if type(seed) is not int:
        raise TypeError(f"seed={seed!r}: expected an int")
    rng = random.Random(seed)
    start = rng.choice(SENTENCES)
    base = Text("start")
    shared = base.insert(0, start)
    alice, bob = Text("alice"), Text("bob")
    alice.apply(shared)
    bob.apply(shared)
    spaces = [i for i, ch in enumerate(start) if ch == " "][:-1]  # not inside the word Bob deletes
    a_at = rng.choice(spaces) + 1
    b_at = a_at if same_place else rng.choice([i + 1 for i in spaces if i + 1 != a_at])
    a_word, b_word = rng.sample(WORDS, 2)
    # Bob deletes the last word before the full stop (and the space before it).
    cut = start.rindex(" ")
    plans = {
        "alice": [("insert", a_at + k, ch) for k, ch in enumerate(a_word + " ")],
        "bob": [("insert", b_at + k, ch) for k, ch in enumerate(b_word + " ")],
    }
    b_len = len(b_word) + 1
    shift = b_len if b_at <= cut else 0
    plans["bob"].append(("delete", cut + shift, start[cut:-1]))
    docs = {"alice": alice, "bob": bob}
    ops = {"alice": [], "bob": []}
    strokes = []
    while plans["alice"] or plans["bob"]:
        who = rng.choice([name for name in ("alice", "bob") if plans[name]])
        kind, index, text = plans[who].pop(0)
        doc = docs[who]
        made = doc.insert(index, text) if kind == "insert" else doc.delete(index, len(text))
        ops[who] += made
        strokes.append((who, kind, index, text))
    alice_before, bob_before = str(alice), str(bob)
    pieces = tuple(alice.authors()), tuple(bob.authors())
    alice.apply(ops["bob"])
    bob.apply(ops["alice"])
    naive = alice_before
    for who, kind, index, text in strokes:
        if who == "bob":
            naive = naive[:index] + text + naive[index:] if kind == "insert" else naive[:index] + naive[index + len(text):]
    return TwoEditors(start, tuple(strokes), tuple(ops["alice"]), tuple(ops["bob"]), alice_before, bob_before,
                      str(alice), str(bob), naive, *pieces, tuple(alice.authors()))

"""An op-based text CRDT: Fugue's tree (Weidner & Kleppmann 2023) stored as runs.

Why Fugue and not RGA: both give every character a unique id and both keep
forward typing from two people at the same place apart, but RGA interleaves
text typed *backwards* (each character before the previous one) with a
concurrent edit at the same place; Fugue is built to keep concurrent runs
apart in both directions. What the paper proves is *maximal* non-interleaving,
and for its FugueMax variant; plain Fugue, implemented here, keeps runs
typed forwards or backwards at one place apart (tested), not every possible
pattern of concurrent edits. It is also simple to state:

- Each character is a node in a tree with a parent and a side, "L" or "R";
  the text is the in-order walk (left children, the node, right children),
  siblings on one side ordered by id ``(replica, seq)``; deletes leave a
  tombstone.
- To insert between neighbours a and b (tombstones count as neighbours): if
  a has no right children the new node becomes a's right child, otherwise b's
  left child. Typing forward therefore makes a chain of right children, which
  is why a run of typing is stored as one ``Run``.

Because an insert only needs its parent to exist and the walk does not depend
on the order nodes arrived in, replicas that have the same operations have the
same text. Operations whose parent (or the same replica's previous character,
or a deleted character) is missing wait in a buffer (capped); duplicates are
ignored, and an id seen again with different content is refused (replica ids
are trusted: see ``Text.apply``). Insertion points go after any tombstones at
that position, so typing on after a backspace continues the tombstone's chain;
a replica typing right after the character it typed last extends that run
(the character has no right child, so Fugue's rule allows it either way).

Storage (see ``runs``): runs of characters in chunks with cached
lengths and a cursor, so local edits near the previous one cost a step or
two; another replica's inserts find their parent through an id index
(``tree``). Ops are NamedTuples with ``to_json``/``from_json``;
``to_json``/``from_json`` on a Text save the whole state readably and
``save``/``load`` compactly (``codec``).

The package, one concept a module: ``ops`` (what replicas send), ``runs``
(document order), ``tree`` (where another replica's characters go),
``document`` (the ``Text`` replica) with its ``local`` edits and the
``remote`` ops it receives, ``codec`` (saving and loading) and ``demo``
(chapter 4's two editors).
"""

from .demo import TwoEditors, demo_two_editors
from .document import Text
from .ops import Delete, Insert, op_from_json

__all__ = ["Delete", "Insert", "Text", "TwoEditors", "demo_two_editors", "op_from_json"]

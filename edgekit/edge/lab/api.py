"""The complication the talk calls API design: what a client reads, and what a write must carry.

A key held as an MV register (``edgekit.crdt.MVRegister``) answers a read with
*every* concurrent value (siblings) and an opaque *causal context*: the dots of
the writes that read saw. A write that replaces what its client read must send
that context back; the register then replaces exactly those siblings and keeps
anything the client never saw. A read miss returns no value and an empty
context, so a write after a miss replaces nothing.

``context_story(client_context)`` plays one key through both API choices, at
the level of the CRDT the PoP stores (London's PoP, then Sydney's):

1. the PoP holds ``cart = {milk}``; Ana reads it (her context: milk's dot);
2. Ben, at the same PoP, writes ``eggs``, having read the latest value;
3. Ana writes ``bread``, based on her read. With ``client_context=True`` her
   write carries her context and replaces only ``milk``: ``{bread, eggs}``,
   siblings for the next reader to resolve. With ``False`` the PoP applies it
   against everything *it* has seen (what ``edgekit.edge``'s sites do: clients
   send no context there) and Ben's ``eggs`` is gone, though nobody chose that;
4. Cleo, in Sydney, reads ``cart`` before Sydney has it: a miss, an empty
   context; she writes ``tea``, which replaces nothing;
5. Sydney syncs with the root: ``tea`` joins as a sibling either way.

>>> [s.after for s in context_story(True)][2]
('bread', 'eggs')
>>> [s.after for s in context_story(False)][2]
('bread',)
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from edgekit.crdt import MVRegister

from ..._checks import brief

__all__ = ["ApiStep", "context_story"]


@dataclass(frozen=True)
class ApiStep:
    """One client action on the key, and the key at that PoP afterwards."""

    site: str
    who: str
    action: str
    sees: tuple | None  # what a read returned (None: not a read; () a miss)
    context: dict | None  # the causal context a read handed the client, or a write sent (JSON)
    context_bytes: int | None
    after: tuple  # the key's siblings at ``site`` after the action


def _ctx(c) -> tuple[dict, int]:
    j = c.to_json()
    return j, len(json.dumps(j))


def context_story(client_context: bool = True) -> tuple[ApiStep, ...]:
    """Steps 1-5 of the module docstring, with writes carrying the client's context or the PoP's."""
    if not isinstance(client_context, bool):
        raise TypeError(f"client_context={brief(client_context)}: expected True (writes carry the client's "
                        "context) or False (the PoP writes against everything it has seen)")
    lhr = MVRegister().assign("LHR.1", "milk")
    ana_ctx, n = _ctx(lhr.context)
    steps = [ApiStep("LHR", "Ana", "reads cart", tuple(sorted(lhr.value)), ana_ctx, n, tuple(sorted(lhr.value)))]
    seen_by_ana = seen_by_ben = lhr.context
    ben, n = _ctx(seen_by_ben)
    sees = tuple(sorted(lhr.value))
    lhr = lhr.assign("LHR.1", "eggs", context=seen_by_ben)
    steps.append(ApiStep("LHR", "Ben", "reads cart, writes eggs", sees, ben, n, tuple(sorted(lhr.value))))
    lhr = lhr.assign("LHR.1", "bread", context=seen_by_ana if client_context else None)
    sent = seen_by_ana if client_context else lhr.context
    j, n = _ctx(sent)
    steps.append(ApiStep("LHR", "Ana", "writes bread", None, j if client_context else None,
                         n if client_context else None, tuple(sorted(lhr.value))))
    syd = MVRegister()  # Sydney has never held the key: a read miss
    j, n = _ctx(syd.context)
    steps.append(ApiStep("SYD", "Cleo", "reads cart (a miss)", (), j, n, ()))
    syd = syd.assign("SYD.1", "tea", context=syd.context)
    steps.append(ApiStep("SYD", "Cleo", "writes tea", None, j, n, tuple(sorted(syd.value))))
    root = lhr | syd
    steps.append(ApiStep("root", "sync", "London and Sydney sync", None, None, None, tuple(sorted(root.value))))
    return tuple(steps)

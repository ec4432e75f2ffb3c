"""The network's raw event log: a flat list that costs no allocation per message.

Recording a history must not slow a million-message run down, so the network
appends codes and objects it already holds to one flat list, never a new
tuple per record (allocations also wake Python's cyclic garbage collector).
``decode`` turns the log into ``Record`` values when someone asks for
``net.history``. Layout, one record after another:

    SEND, time, (dst_ctx, src, msg, msg_id, src_ctx)   the tuple the delivery event carries anyway
    DELIVER, time, msg_id                     src, dst and msg come from the send
    DROP, time, msg_id, reason
    DUPLICATE, time, msg_id
    TIMER, time, node_id, tag
    OTHER, time, (kind, node, peer, msg_id, data)   crash, restart, cut, heal, node records

>>> class Ctx:
...     node_id = "b"
>>> log = [SEND, 0.0, (Ctx(), "a", "hi", 1, None), DELIVER, 40.0, 1, OTHER, 41.0, ("invoke", "b", None, None, {})]
>>> [(r.time, r.kind, r.node, r.peer, r.data) for r in decode(log, 0, {})[0]]
[(0.0, 'send', 'a', 'b', 'hi'), (40.0, 'deliver', 'b', 'a', 'hi'), (41.0, 'invoke', 'b', None, {})]
"""

from __future__ import annotations

from .history import Record

__all__ = ["SEND", "DELIVER", "DROP", "DUPLICATE", "TIMER", "OTHER", "decode"]

SEND, DELIVER, DROP, DUPLICATE, TIMER, OTHER = range(6)


def decode(log: list, start: int, sends: dict) -> tuple[list[Record], int]:
    """Records from ``log[start:]`` and the position after them; ``sends`` maps msg_id to (src, dst, msg)."""
    out = []
    append = out.append
    i, n = start, len(log)
    while i < n:
        code, t = log[i], log[i + 1]
        if code == SEND:
            dctx, src, msg, mid = log[i + 2][:4]
            sends[mid] = (src, dctx.node_id, msg)
            append(Record(t, "send", src, dctx.node_id, mid, msg))
            i += 3
        elif code == DELIVER:
            mid = log[i + 2]
            src, dst, msg = sends[mid]
            append(Record(t, "deliver", dst, src, mid, msg))
            i += 3
        elif code == DROP:
            mid = log[i + 2]
            src, dst, _ = sends[mid]
            append(Record(t, "drop", src, dst, mid, log[i + 3]))
            i += 4
        elif code == DUPLICATE:
            mid = log[i + 2]
            src, dst, msg = sends[mid]
            append(Record(t, "duplicate", src, dst, mid, msg))
            i += 3
        elif code == TIMER:
            append(Record(t, "timer", log[i + 2], None, None, log[i + 3]))
            i += 4
        else:
            kind, node, peer, mid, data = log[i + 2]
            append(Record(t, kind, node, peer, mid, data))
            i += 3
    return out, i

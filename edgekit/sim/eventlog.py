"""The network's raw event log: one flat list that costs no new object per message.

Recording a history must not slow a million-message run down, so a network
with ``record="all"`` appends to one list only objects that exist anyway, and
``decode`` turns the log into ``Record`` values when someone asks for
``net.history``. Items, by type:

- a list seen for the first time: a message's event ``[deliver_at, fn,
  (dst_ctx, src, msg, ...), sent_at]``, appended when it was sent: a
  "send" record at ``sent_at``. Message ids count sends in log order (the
  network numbers them the same way), so entries need not carry one;
- the same list again: the simulator's tracer appended it when it ran (see
  ``Simulator.trace``). If its args are still ``(dst_ctx, src, msg)`` it went
  straight into the receiver: a "deliver" record at ``deliver_at``. If a
  fault rerouted it through the checked delivery, that records the outcome.
  Any other list is another event that ran (a timer, a fault): skipped;
- a tuple, whose first item says what it is:
  ``(DUPLICATE, time, entry, msg_id)`` the extra copy of a message, scheduled as ``entry``;
  ``(SENT, time, src, dst, msg, msg_id)`` a send dropped before it was scheduled;
  ``(DELIVER, time, key)`` and ``(DROP, time, key, reason)``, where ``key``
  is the message's id (negative for the extra copy) or its event entry;
  ``(TIMER, time, node_id, tag)``; and ``(OTHER, time, kind, node, peer,
  msg_id, data)`` for crash, restart, cut, heal and the records nodes make.

>>> class Ctx:
...     node_id = "b"
>>> entry = [40.0, print, (Ctx(), "a", "hi"), 0.0]
>>> log = [entry, entry, (OTHER, 41.0, "invoke", "b", None, None, {})]
>>> [(r.time, r.kind, r.node, r.peer, r.msg_id, r.data) for r in decode(log, 0, {})[0]]
[(0.0, 'send', 'a', 'b', 1, 'hi'), (40.0, 'deliver', 'b', 'a', 1, 'hi'), (41.0, 'invoke', 'b', None, None, {})]
"""

from __future__ import annotations

from .history import Record

__all__ = ["DELIVER", "DROP", "DUPLICATE", "SENT", "TIMER", "OTHER", "decode"]

DELIVER, DROP, DUPLICATE, SENT, TIMER, OTHER = range(6)


def decode(log: list, start: int, state: dict) -> tuple[list[Record], int]:
    """Records from ``log[start:]`` and the position after them.

    ``state`` carries between calls what later items refer back to: signed msg_id ->
    (src, dst, msg); under "ids", id(entry) -> signed msg_id for every message entry seen
    (the log keeps the entries alive, so ids are not reused); under "next", the next msg_id."""
    out = []
    append = out.append
    ids = state.setdefault("ids", {})
    nxt = state.get("next", 1)
    n = len(log)
    for i in range(start, n):
        item = log[i]
        if type(item) is list:
            mid = ids.get(id(item))
            if mid is not None:  # it ran: delivered, unless a fault rerouted it
                args = item[2]
                if len(args) == 3:
                    append(Record(item[0], "deliver", args[0].node_id, args[1], abs(mid), args[2]))
            elif len(item) == 4:  # a send
                dctx, src, msg = item[2][:3]
                ids[id(item)] = mid = nxt
                nxt += 1
                state[mid] = (src, dctx.node_id, msg)
                append(Record(item[3], "send", src, dctx.node_id, mid, msg))
            continue
        code, t = item[0], item[1]
        if code == DELIVER or code == DROP:
            key = item[2]
            mid = ids[id(key)] if type(key) is list else key
            src, dst, msg = state[mid]
            if code == DELIVER:
                append(Record(t, "deliver", dst, src, abs(mid), msg))
            else:
                append(Record(t, "drop", src, dst, abs(mid), item[3]))
        elif code == DUPLICATE:
            _, _, entry, mid = item
            dctx, src, msg = entry[2][:3]
            ids[id(entry)] = -mid
            state[-mid] = (src, dctx.node_id, msg)
            append(Record(t, "duplicate", src, dctx.node_id, mid, msg))
        elif code == SENT:
            _, _, src, dst, msg, mid = item
            nxt = mid + 1
            state[mid] = (src, dst, msg)
            append(Record(t, "send", src, dst, mid, msg))
        elif code == TIMER:
            append(Record(t, "timer", item[2], None, None, item[3]))
        else:
            append(Record(t, *item[2:]))
    state["next"] = nxt
    return out, n

"""The network's raw event log: one flat list that costs no new object per message.

Recording a history must not slow a million-message run down, so a network
with ``record="all"`` appends to one list only objects that exist anyway, and
``decode`` turns the log into ``Record`` values when someone asks for
``net.history``. Items, by type:

- a list seen for the first time: a message's heap entry ``[deliver_at, seq,
  fn, (dst_ctx, src, msg, ...), msg_id, sent_at]``, appended when it was
  sent: a "send" record at ``sent_at``, or, with a negative ``msg_id``, the
  "duplicate" record of the extra copy of message ``-msg_id``;
- the same list again: the simulator's tracer appended it when it ran (see
  ``Simulator.trace``). If its args are still ``(dst_ctx, src, msg)`` it went
  straight into the receiver: a "deliver" record at ``deliver_at``. If a
  fault rerouted it through the checked delivery, that records the outcome.
  Any other list is another event that ran (a timer, a fault): skipped;
- a tuple, whose first item says what it is:
  ``(DELIVER, time, msg_id)`` a checked delivery, ``(DROP, time, msg_id, reason)``,
  ``(SENT, time, src, dst, msg, msg_id)`` a send dropped before it was scheduled,
  ``(TIMER, time, node_id, tag)`` and ``(OTHER, time, kind, node, peer, msg_id, data)``
  for crash, restart, cut, heal and the records nodes make (client operations).

>>> class Ctx:
...     node_id = "b"
>>> entry = [40.0, 0, print, (Ctx(), "a", "hi"), 1, 0.0]
>>> log = [entry, entry, (OTHER, 41.0, "invoke", "b", None, None, {})]
>>> [(r.time, r.kind, r.node, r.peer, r.data) for r in decode(log, 0, {})[0]]
[(0.0, 'send', 'a', 'b', 'hi'), (40.0, 'deliver', 'b', 'a', 'hi'), (41.0, 'invoke', 'b', None, {})]
"""

from __future__ import annotations

from .history import Record

__all__ = ["DELIVER", "DROP", "SENT", "TIMER", "OTHER", "decode"]

DELIVER, DROP, SENT, TIMER, OTHER = range(5)


def decode(log: list, start: int, state: dict) -> tuple[list[Record], int]:
    """Records from ``log[start:]`` and the position after them.

    ``state`` carries what later items refer back to between calls: signed msg_id ->
    (src, dst, msg), and under the key None the ids of entries sent and not yet run."""
    out = []
    append = out.append
    flying = state.setdefault(None, set())
    n = len(log)
    for i in range(start, n):
        item = log[i]
        if type(item) is list:
            key = id(item)  # the log keeps the entry alive, so its id is not reused
            if key in flying:
                flying.discard(key)
                args = item[3]
                if len(args) == 3:
                    append(Record(item[0], "deliver", args[0].node_id, args[1], abs(item[4]), args[2]))
            elif len(item) == 6:
                dctx, src, msg = item[3][:3]
                mid = item[4]
                flying.add(key)
                state[mid] = (src, dctx.node_id, msg)
                append(Record(item[5], "send" if mid > 0 else "duplicate", src, dctx.node_id, abs(mid), msg))
            continue
        code, t = item[0], item[1]
        if code == DELIVER:
            src, dst, msg = state[item[2]]
            append(Record(t, "deliver", dst, src, abs(item[2]), msg))
        elif code == DROP:
            src, dst, _ = state[item[2]]
            append(Record(t, "drop", src, dst, abs(item[2]), item[3]))
        elif code == SENT:
            _, _, src, dst, msg, mid = item
            state[mid] = (src, dst, msg)
            append(Record(t, "send", src, dst, mid, msg))
        elif code == TIMER:
            append(Record(t, "timer", item[2], None, None, item[3]))
        else:
            append(Record(t, *item[2:]))
    return out, n

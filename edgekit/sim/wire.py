"""The per-message hot path of ``Network``: ``SimContext.send`` and the checked delivery.

A network run spends almost all its time here, so the common case, a
message on a healthy link, is one method call that does the least work that
keeps the semantics of ``edgekit.sim.network`` exactly:

- Each context caches its healthy links (``ctx._out``: destination ->
  ``link_entry``). A cut, heal, crash or restart clears every cache
  (``Network._links_changed``), so a send finds its link there only while no
  fault touches it, and checks nothing else; a send on any other link takes
  ``send_uncached``, which applies cuts and crashes.
- One uniform draw decides whether *any* link fault touches the message:
  one does with probability ``p_any = 1 - (1 - loss)(1 - duplicate)(1 - reorder)``.
  Only then does ``some_fault`` draw which, from the faults' law given that
  one happens, so each fault still happens with exactly its own probability,
  independently of the others (``tests/test_sim_wire.py`` compares the joint
  frequencies with independent draws; ``tests/test_sim_network.py`` the rates).
- A message is scheduled straight into the receiver's ``on_message``: the
  event is ``[deliver_at, on_message, (dst_ctx, src, msg), sent_at]``
  (``sent_at`` only when recording). Recording appends that entry to the log
  when it is sent, and the simulator's tracer appends it again when it runs
  (the delivery): no wrapper call and no new object per message. The log
  numbers messages in the order it sees sends, so entries do not carry their
  id (``edgekit.sim.eventlog``).
- A message to a node that is down right now, and every message in flight
  when a new cut or crash begins (``FaultControl._route_in_flight``), goes
  through ``deliver_checked``, which drops it on arrival if the receiver is
  down or a cut separates the two.
"""

from __future__ import annotations

import heapq

from .eventlog import DELIVER, DUPLICATE, SENT
from .jitter import TABLE_BITS

__all__ = ["send", "send_uncached", "make_checked", "link_entry", "decide_faults", "some_fault", "send_slow"]

_push = heapq.heappush


def link_entry(dctx, delay: float, loss: float, dup: float, reorder: float, reorder_ms: float) -> tuple:
    """What a context caches per destination: ``(dctx, on_message, delay, p_any, faults)``, where
    ``faults`` is ``(loss, dup, reorder, reorder_ms, p_any, p_dr)`` and ``p_dr`` the chance of
    duplication or reordering."""
    p_dr = 1.0 - (1.0 - dup) * (1.0 - reorder)
    p_any = 1.0 - (1.0 - loss) * (1.0 - p_dr)
    if p_dr <= 0.0 and (dup or reorder):
        p_dr = max(dup, reorder)  # probabilities below 1e-16 vanish in the products above
    if p_any <= 0.0 and (loss or p_dr):
        p_any = max(loss, p_dr)
    on_message = None if dctx is None else dctx._on_message
    return (dctx, on_message, delay, p_any, (loss, dup, reorder, reorder_ms, p_any, p_dr))


def make_checked(net):
    """The delivery for messages that may meet a fault: ``deliver_checked(dctx, src, msg, key, sctx)``,
    where ``key`` names the message in the log: its signed id, or its event entry (rerouted ones)."""
    log = net._log if net.record_level == "all" else None
    drop = net._drop
    sim = net.sim

    def deliver_checked(dctx, src, msg, key, sctx):
        if not dctx.up:
            return drop(key, "crashed")
        if sctx.cut_from & dctx.cut_to:
            return drop(key, "partition")
        if log is not None:
            log.append((DELIVER, sim.now, key))
        dctx._on_message(dctx, src, msg)

    return deliver_checked


def send(ctx, dst, msg) -> None:
    """``ctx.send(dst, msg)`` (``SimContext.send``): queue ``msg`` for node ``dst``."""
    try:
        dctx, on_message, delay, p_any, faults = ctx._out[dst]  # a healthy link, used before
    except (KeyError, TypeError):
        return send_uncached(ctx, dst, msg)
    net = ctx._net
    net._mid = mid = net._mid + 1
    if p_any:
        random = net._random  # a local: CPython specialises calling it, not calling net._random()
        if random() < p_any:
            return send_slow(net, ctx, dctx, msg, mid, delay, faults, True)
    sim = net.sim
    now = sim.now
    t = now + delay
    jtable = net._jtable
    if jtable is not None:
        jbits = net._jbits
        t += jtable[jbits(TABLE_BITS)]
    log = net._msglog
    if log is None:
        entry = [t, on_message, (dctx, ctx.node_id, msg)]
    else:
        entry = [t, on_message, (dctx, ctx.node_id, msg), now]  # the log numbers sends itself
        log.append(entry)
    if sim._due.setdefault(t, entry) is entry:  # Simulator._insert, inlined
        _push(sim._times, t)
    else:
        sim._join(t, entry)


def send_uncached(ctx, dst, msg) -> None:
    """A send on a link missing from the sender's cache: its first, or one a fault touches."""
    net = ctx._net
    link = net._link(ctx, dst)  # checks dst
    dctx = link[0]
    if ctx.up and dctx.up and not ctx.cut_from & dctx.cut_to:
        ctx._out[dst] = link  # healthy: cached until the faults change
        return send(ctx, dst, msg)
    net._mid = mid = net._mid + 1
    if not ctx.up:
        return _drop_at_send(net, ctx, dctx, msg, mid, "crashed")
    if ctx.cut_from & dctx.cut_to:
        return _drop_at_send(net, ctx, dctx, msg, mid, "partition")
    return send_slow(net, ctx, dctx, msg, mid, link[2], link[4], None)  # it may restart before arrival


def decide_faults(random, faults: tuple) -> tuple[bool, bool, bool]:
    """``(lost, doubled, held)`` for one message on a link with ``faults`` (``link_entry``): each
    fault with its own probability, independently; a lost message is neither doubled nor held
    (there is nothing left to double or hold). ``send`` inlines the first draw.

    >>> import random
    >>> r = random.Random(3).random
    >>> faults = link_entry(None, 0.0, 0.1, 0.0, 0.0, 0.0)[4]
    >>> sum(decide_faults(r, faults)[0] for _ in range(10_000))  # about 1,000
    979
    """
    p_any = faults[4]
    if not (p_any and random() < p_any):
        return False, False, False
    return some_fault(random, faults)


def some_fault(random, faults: tuple) -> tuple[bool, bool, bool]:
    """The faults given that at least one happens, drawn from that conditional law directly:
    lost with probability ``loss / p_any``; if not, doubled with ``dup / p_dr``; a doubled
    message is held with probability ``reorder``, and one neither lost nor doubled is held."""
    loss, dup, reorder, _, p_any, p_dr = faults
    if p_dr <= 0.0 or random() * p_any < loss:
        return True, False, False
    if reorder <= 0.0 or random() * p_dr < dup:
        return False, True, random() < reorder
    return False, False, True


def send_slow(net, ctx, dctx, msg, mid: int, delay: float, faults: tuple, faulted) -> None:
    """A send the draw picked for a link fault (``faulted`` True), or one to a node that is down
    (``faulted`` None: not drawn yet)."""
    r = net._random
    lost, doubled, held = decide_faults(r, faults) if faulted is None else some_fault(r, faults)
    reorder, reorder_ms = faults[2], faults[3]
    if lost:
        return _drop_at_send(net, ctx, dctx, msg, mid, "loss")
    t = net.sim.now + delay
    _schedule(net, ctx, dctx, msg, mid, t, held, reorder_ms)
    if doubled:
        net.n_duplicated += 1  # the extra copy: its own jitter and reordering; a negative id marks it
        _schedule(net, ctx, dctx, msg, -mid, t, bool(reorder) and r() < reorder, reorder_ms)


def _schedule(net, ctx, dctx, msg, mid: int, t: float, held: bool, reorder_ms: float) -> None:
    sim = net.sim
    if held:
        t += net._random() * reorder_ms
        net.n_reordered += 1
    if net._jtable is not None:
        t += net._jtable[net._jbits(TABLE_BITS)]
    if dctx.up:
        fn, args = dctx._on_message, (dctx, ctx.node_id, msg)
    else:
        fn, args = net._deliver_checked, (dctx, ctx.node_id, msg, mid, ctx)
    if net._msglog is None:
        entry = [t, fn, args]
    else:
        entry = [t, fn, args, sim.now]
        net._msglog.append(entry if mid > 0 else (DUPLICATE, sim.now, entry, -mid))
    sim._insert(t, entry)


def _drop_at_send(net, ctx, dctx, msg, mid: int, reason: str) -> None:
    if net._msglog is not None:
        net._msglog.append((SENT, net.sim.now, ctx.node_id, dctx.node_id, msg, mid))
    net._drop(mid, reason)

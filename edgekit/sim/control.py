"""Faults a ``Network`` applies while it runs: cuts, heals, crashes, restarts, lost disks, slowness.

``FaultControl`` is the half of ``Network`` that changes the world under the
nodes, whether from the fault model's timeline or called directly (widgets,
tests). A cut is kept as directed pairs of node sets; every node carries two
bit masks (``cut_from``, ``cut_to``) so that "is src -> dst cut?" is one
integer AND per message. When a cut or crash begins, the messages in flight
move onto the checked delivery (``edgekit.sim.wire``), which drops them on
arrival while the fault stands.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

from .._checks import brief
from .context import SimContext
from .faults import Crash, Cut, DiskLoss, FaultModel, Heal, LinkFaults, Restart, Slow
from .wire import link_entry

__all__ = ["FaultControl"]


class FaultControl:
    """Mixed into ``Network``: uses its ``sim``, ``_nodes``, ``_cuts``, ``_down``, ``_links_changed``."""

    def _apply(self, ev) -> None:
        if isinstance(ev, Cut):
            self.cut(ev.side_a, ev.side_b, ev.directed)
        elif isinstance(ev, Heal):
            self.heal(ev.side_a, ev.side_b)
        elif isinstance(ev, Crash):
            self.crash(ev.node)
        elif isinstance(ev, Restart):
            self.restart(ev.node)
        elif isinstance(ev, DiskLoss):
            self.lose_disk(ev.node)
        else:
            self.slow(ev.node, ev.extra_ms)

    def _side_ids(self, s: frozenset) -> list:
        return [n for n in self._nodes if n in s]  # insertion order: deterministic

    def _add_cut(self, c: Cut) -> tuple[frozenset, frozenset]:
        a = self.select(c.side_a, name="side_a")
        b = self.select(c.side_b, exclude=a, name="side_b")
        self._cuts.append((a, b, c))
        if not c.directed:
            self._cuts.append((b, a, c))
        self._masks()
        self._route_in_flight()
        return a, b

    def cut(self, side_a, side_b, directed: bool = False) -> None:
        """From now on messages from ``side_a`` to ``side_b`` are lost (and back unless ``directed``)."""
        c = Cut(self.sim.now, side_a, side_b, directed)
        a, b = self._add_cut(c)
        self._other("cut", None, {"a": self._side_ids(a), "b": self._side_ids(b), "directed": directed})

    def heal(self, side_a=None, side_b=None) -> None:
        """Remove the cut between these sides (either order), or every cut when called with none."""
        h = Heal(self.sim.now, side_a, side_b)
        if h.side_a is None:
            self._cuts.clear()
            data = {"a": None, "b": None, "directed": False}
        else:
            a = self.select(h.side_a, name="side_a")
            b = self.select(h.side_b, exclude=a, name="side_b")
            self._cuts = [(x, y, c) for x, y, c in self._cuts if {x, y} != {a, b}]
            data = {"a": self._side_ids(a), "b": self._side_ids(b), "directed": False}
        self._masks()
        self._other("heal", None, data)

    def crash(self, node_id: Hashable) -> None:
        """Stop ``node_id``: it receives nothing and its timers die; ``on_crash()`` runs."""
        ctx = self.context(node_id)
        if not ctx.up:
            return
        ctx.up = False
        ctx.incarnation += 1
        self._down += 1
        self._links_changed()
        self._route_in_flight()
        self._other("crash", node_id)
        ctx.node.on_crash()

    def restart(self, node_id: Hashable) -> None:
        """Start a crashed ``node_id`` again: ``on_start(ctx)`` runs."""
        ctx = self.context(node_id)
        if ctx.up:
            return
        ctx.up = True
        self._down -= 1
        self._links_changed()
        self._other("restart", node_id)
        ctx.node.on_start(ctx)

    def lose_disk(self, node_id: Hashable) -> None:
        """Replace ``node_id``'s disk with an empty one (see ``DiskLoss``)."""
        ctx = self.context(node_id)
        wipe = getattr(ctx.node, "on_disk_loss", None)
        if not callable(wipe):
            raise ValueError(f"node={brief(node_id)}: {type(ctx.node).__name__} has no disk to lose "
                             "(expected a node with on_disk_loss())")
        was_up = ctx.up
        if was_up:
            self.crash(node_id)
        wipe()
        self._other("disk_loss", node_id)
        if was_up:
            self.restart(node_id)

    def slow(self, node_id: Hashable, extra_ms: float) -> None:
        """Make ``node_id`` answer ``extra_ms`` late from now on (0: on time again; see ``Slow``)."""
        ctx = self.context(node_id)
        hook = getattr(ctx.node, "on_slow", None)
        if not callable(hook):
            raise ValueError(f"node={brief(node_id)}: {type(ctx.node).__name__} cannot be made slow "
                             "(expected a node with on_slow(extra_ms))")
        extra_ms = Slow(self.sim.now, node_id, extra_ms).extra_ms  # checks it
        hook(extra_ms)
        self._other("slow", node_id, {"extra_ms": extra_ms})

    def set_links(self, default: LinkFaults | None = None, links=()) -> None:
        """From now on, links lose, duplicate and reorder as ``default`` and ``links`` say
        (``FaultModel``'s fields; no argument: every link perfect). Messages in flight keep
        the faults they were sent with."""
        fm: FaultModel = replace(self.faults, default=LinkFaults() if default is None else default, links=links)
        for a, b in (pair for pair, _ in fm.links):
            self.select(a), self.select(b)
        self.faults = fm
        self._links_changed(rework=True)  # each context caches its links: work them out again on next send
        for (src, dst), lf in getattr(self, "_pinned", {}).items():
            self._pin(src, dst, lf)

    def pin_links(self, pairs, faults: LinkFaults | None = None) -> None:
        """Give the links ``src -> dst`` of ``pairs`` their own ``faults`` (default: perfect),
        whatever the fault model says, now and after ``set_links`` (a LAN inside a building,
        say). Cuts and crashes still apply to them."""
        lf = LinkFaults() if faults is None else faults
        if not isinstance(lf, LinkFaults):
            raise TypeError(f"faults={brief(faults)}: expected a LinkFaults")
        if not hasattr(self, "_pinned"):
            self._pinned = {}
        if isinstance(pairs, (str, bytes, dict)) or not hasattr(pairs, "__iter__"):
            raise TypeError(f"pairs={brief(pairs)}: expected an iterable of (src, dst) node id pairs")
        for i, pair in enumerate(pairs):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(f"pairs[{i}]={brief(pair)}: expected a (src, dst) pair of node ids")
            src, dst = pair
            self.context(src, f"pairs[{i}]"), self.context(dst, f"pairs[{i}]")  # both must exist
            self._pinned[(src, dst)] = lf
            self._pin(src, dst, lf)

    def _pin(self, src, dst, lf: LinkFaults) -> None:
        ctx = self.context(src)
        dctx, _, delay, _, _ = self._link(ctx, dst)
        ctx._links[dst] = link_entry(dctx, delay, lf.loss, lf.duplicate, lf.reorder, lf.reorder_ms)
        ctx._out.pop(dst, None)  # the next send caches it again if no fault touches it

    def blocked(self, src: Hashable, dst: Hashable) -> bool:
        """Whether a cut stops messages from ``src`` to ``dst`` right now."""
        return bool(self.context(src, "src").cut_from & self.context(dst, "dst").cut_to)

    def _masks(self) -> None:
        """Give every node bit k of ``cut_from`` if it is on the sending side of directed cut k, and of
        ``cut_to`` if on the receiving side: then "is src -> dst cut?" is one integer AND per message."""
        for ctx in self._nodes.values():
            ctx.cut_from = ctx.cut_to = 0
        for k, (a, b, _) in enumerate(self._cuts):
            for n in a:
                self._nodes[n].cut_from |= 1 << k
            for n in b:
                self._nodes[n].cut_to |= 1 << k
        self._links_changed()

    def _route_in_flight(self) -> None:
        """A cut or crash began: messages in flight straight to a node now go through the checked
        delivery, which drops them on arrival if the fault still stands."""
        checked, nodes = self._deliver_checked, self._nodes
        for entry in self.sim.scheduled():
            args = entry[2]
            if len(args) == 3 and isinstance(args[0], SimContext) and entry[1] is args[0]._on_message:
                dctx, src, msg = args
                if dctx._net is self:
                    key = entry if len(entry) > 3 else None  # recorded: the log knows the entry
                    entry[1], entry[2] = checked, (dctx, src, msg, key, nodes[src])

    def _in_flight(self) -> int:
        n = 0
        checked = self._deliver_checked
        for entry in self.sim.scheduled():
            fn, args = entry[1], entry[2]
            if fn is checked or (len(args) == 3 and isinstance(args[0], SimContext) and fn is args[0]._on_message
                                 and args[0]._net is self):
                n += 1
        return n

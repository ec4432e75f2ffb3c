"""A simulated network of sans-IO nodes at real places, with a fault model and a history.

This docstring is the authoritative API of ``edgekit.sim``'s network layer.

    sim = Simulator(seed=7)
    net = Network(sim, latency=LatencyModel(...), faults=FaultModel(...), record=True)
    ctx = net.add_node("lhr-1", node, place="LHR")  # PoP code, a Place, or (lat, lon)
    net.start()                                       # on_start(ctx) for every node, in order
    sim.run(until=10_000)
    net.history    # list of Record (edgekit.sim.history), in the order things happened
    net.stats      # NetStats: sent, delivered, dropped (by reason), duplicated, reordered, timers

Nodes (``edgekit.sim.node.Node``) get a ``SimContext``: ``node_id``, ``rng``
(the node's own stream, seeded from the run's seed and the node id), ``now``
(true time), ``clock()`` (the node's physical clock: true time through the
fault model's offset and drift), ``send(dst, msg)``, ``set_timer(delay_ms,
tag)`` (returns a handle), ``cancel_timer(handle)`` and ``record(kind,
**fields)`` (client operations: ``"invoke"``/``"complete"``).

Semantics, exactly:

- Delay = ``LatencyModel.base_one_way_ms`` for the link (``rtt/2``, or
  ``local_ms`` for co-located nodes) + a jitter sample. Without jitter or
  reordering a link is FIFO (equal times run in scheduling order).
- On send, in this order: a cut between sender and receiver drops it
  ("partition"); with probability ``loss`` it is dropped ("loss"); with
  probability ``duplicate`` a second copy travels with its own jitter; each
  copy is, with probability ``reorder``, held back by a uniform extra delay
  in [0, ``reorder_ms``] so later messages can overtake it.
- On delivery, a message is dropped if a cut now separates the two nodes
  (in-flight messages die with the link: "partition") or the receiver is
  down ("crashed"). So a cut direction delivers nothing while it lasts.
- ``Crash``: the node receives nothing, its pending timers never fire (also
  after a restart), and ``node.on_crash()`` runs: the node object decides
  what survives (drop volatile state there; what it keeps is its "disk").
  Messages it sent before crashing are still delivered. ``Restart`` runs
  ``on_start(ctx)`` again with the same node object and context.
- Randomness: loss, duplication and reordering draw from ``sim.rng`` (the
  run's one seeded stream); jitter from its own ``random.Random`` seeded from
  the same seed, so changing the fault model does not reshuffle latencies. Same seed, same
  nodes, same history byte for byte (``to_jsonl(net.history)``); node ids and
  messages must serialise deterministically (``edgekit.sim.history.jsonable``).
- ``record``: ``True``/``"all"`` keeps every record; ``"ops"`` keeps only
  node-recorded records (client operations) and crash/restart/cut/heal,
  for large runs; ``False``/``"none"`` keeps nothing (``stats`` still count).
  With ``"all"`` the network becomes the simulator's tracer
  (``Simulator.trace``): one such network per simulator.
- Cost: ``edgekit.sim.wire`` is the per-message path. A message on a healthy
  link goes straight into the receiver's ``on_message``, with no wrapper
  call; only messages that may meet a fault are checked on arrival.

Imperative faults (for widgets and tests): ``net.cut(a, b, directed=False)``,
``net.heal(a=None, b=None)``, ``net.crash(node_id)``, ``net.restart(node_id)``.

>>> from edgekit.sim import Simulator, Network, LatencyModel, FaultModel, Cut, Heal
>>> from edgekit.sim.node import Node
>>> class Pinger(Node):
...     def on_start(self, ctx):
...         ctx.set_timer(0, "ping")
...     def on_timer(self, ctx, tag):
...         ctx.send("nyc", ("ping", ctx.now))
...         ctx.set_timer(1_000, "ping")
>>> class Ponger(Node):
...     def on_message(self, ctx, src, msg):
...         ctx.send(src, ("pong", msg[1]))
>>> sim = Simulator(seed=1)
>>> net = Network(sim, LatencyModel(rtt=lambda a, b: 76.0),
...               FaultModel(timeline=(Cut(1_500, "lon", "nyc"), Heal(2_500))))
>>> _ = net.add_node("lon", Pinger(), place=(51.5, -0.13))
>>> _ = net.add_node("nyc", Ponger(), place=(40.71, -74.0))
>>> net.start(); _ = sim.run(until=3_500)
>>> [(r.time, r.kind, r.node, r.data) for r in net.history if r.kind in ("deliver", "drop")]
... # doctest: +NORMALIZE_WHITESPACE
[(38.0, 'deliver', 'nyc', ('ping', 0.0)), (76.0, 'deliver', 'lon', ('pong', 0.0)),
 (1038.0, 'deliver', 'nyc', ('ping', 1000.0)), (1076.0, 'deliver', 'lon', ('pong', 1000.0)),
 (2000.0, 'drop', 'lon', 'partition'),
 (3038.0, 'deliver', 'nyc', ('ping', 3000.0)), (3076.0, 'deliver', 'lon', ('pong', 3000.0))]
>>> net.stats.delivered, net.stats.dropped
(6, 1)
"""

from __future__ import annotations

import random
from collections.abc import Hashable

from .._checks import brief, check_hashable
from ..clocks.physical import PhysicalClock
from .context import PERFECT_CLOCK, NetStats, SimContext
from .control import FaultControl
from .core import Simulator
from .eventlog import DROP, OTHER, TIMER, decode
from .faults import CONTINENTS, EVERYONE, Crash, Cut, FaultModel, Heal, LinkFaults, Restart
from .history import Record
from .latency import LatencyModel, resolve_place
from .wire import link_entry, make_checked

__all__ = ["Network", "SimContext", "NetStats"]

_LEVELS = {True: "all", "all": "all", "ops": "ops", False: "none", "none": "none", None: "none"}


class Network(FaultControl):
    """Nodes at places, links with latency and faults, and the run's history."""

    def __init__(self, sim: Simulator, latency: LatencyModel | None = None,
                 faults: FaultModel | None = None, record="all") -> None:
        if not isinstance(sim, Simulator):
            raise TypeError(f"sim={brief(sim)}: expected an edgekit.sim.Simulator")
        self.sim = sim
        self.latency = LatencyModel() if latency is None else latency
        if not isinstance(self.latency, LatencyModel):
            raise TypeError(f"latency={brief(latency)}: expected a LatencyModel")
        self.faults = FaultModel() if faults is None else faults
        if not isinstance(self.faults, FaultModel):
            raise TypeError(f"faults={brief(faults)}: expected a FaultModel")
        try:
            level = _LEVELS[record]
        except (KeyError, TypeError):
            raise ValueError(f"record={brief(record)}: expected True/'all', 'ops' or False/'none'") from None
        self.record_level = level
        # One flat log (edgekit.sim.eventlog); ``_msglog`` is it for message-level records (None
        # unless record="all"), ``_oapp`` its append for the rest (None when record="none").
        self._log: list = []
        self._msglog = self._log if level == "all" else None
        self._oapp = self._log.append if level != "none" else None
        self._decoded = 0
        self._sends: dict = {}
        self._random = sim.rng.random  # loss, duplication and reordering draws
        # Jitter has its own stream (seeded from the run's seed), so changing the fault model
        # does not reshuffle latencies; a sample is one table entry (edgekit.sim.jitter).
        self._jtable = self.latency.jitter_table()
        self._jbits = random.Random(f"{sim.seed}/jitter").getrandbits
        # The hot path lives in edgekit.sim.wire: every context's send, and the checked delivery.
        self._deliver_checked = make_checked(self)
        if self._msglog is not None:
            sim.trace(self._msglog)  # deliveries are recorded as they run (edgekit.sim.eventlog)
        self._nodes: dict[Hashable, SimContext] = {}
        self._cuts: list[tuple[frozenset, frozenset, Cut]] = []  # directed pairs (A may not reach B)
        self._down = 0  # nodes crashed right now
        self._started = False
        self._history: list[Record] = []
        self._mid = 0
        self.n_duplicated = self.n_reordered = self.n_timers = 0
        self._drops: dict[str, int] = {}

    # -- building the network -------------------------------------------------

    def add_node(self, node_id: Hashable, node, place) -> SimContext:
        """Place ``node`` (a sans-IO Node) at ``place`` under ``node_id``; returns its context."""
        if isinstance(node_id, (tuple, list, set, frozenset)) or node_id is None or node_id == EVERYONE:
            raise ValueError(f"node_id={brief(node_id)}: expected a string or int other than '*'")
        check_hashable(node_id, "node_id", "a string or int")
        for name in ("on_start", "on_message", "on_timer", "on_crash"):
            if not callable(getattr(node, name, None)):
                raise TypeError(f"node={brief(node)}: expected an edgekit.sim.node.Node (no {name}())")
        pl = resolve_place(place)
        if node_id in self._nodes:
            raise ValueError(f"node_id={brief(node_id)}: already in this network")
        rng = random.Random(f"{self.sim.seed}/{node_id!r}")  # str seeds hash with sha512: stable
        ctx = SimContext(self, node_id, node, pl, rng)
        tags = {node_id}
        for attr in ("code", "continent", "region", "country", "city"):
            v = getattr(pl, attr, None)
            if v is not None:
                tags.add(v)
        ctx._tags = frozenset(tags)
        ctx.clock_model = self._clock_for(ctx)
        self._nodes[node_id] = ctx
        if self._cuts:  # a node added during a cut joins the side its selectors name
            cuts = [c for _, _, c in self._cuts]
            self._cuts.clear()
            for c in dict.fromkeys(cuts):
                self._add_cut(c)
        if self._started:
            self.sim.call_later(0, self._start_node, ctx)
        return ctx

    def _clock_for(self, ctx: SimContext) -> PhysicalClock:
        clk = PERFECT_CLOCK
        for sel, c in self.faults.clocks:  # later entries win
            if sel in ctx._tags or sel == EVERYONE:
                clk = c
        return clk

    def context(self, node_id: Hashable, name: str = "node_id") -> SimContext:
        """The context of ``node_id`` (ValueError, naming ``name``, when it is not in the network)."""
        try:
            return self._nodes[node_id]
        except (KeyError, TypeError):
            raise ValueError(f"{name}={brief(node_id)}: not in this network; "
                             f"expected one of {brief(list(self._nodes))}") from None

    @property
    def nodes(self) -> list:
        return list(self._nodes)

    def select(self, selector, exclude: frozenset = frozenset(), name: str = "selector") -> frozenset:
        """Node ids a selector (node id, place code, continent, ..., '*' or a tuple) names."""
        sels = selector if isinstance(selector, tuple) else (selector,)
        out = set()
        for s in sels:
            check_hashable(s, name, "a node id, place code, continent, '*' or a tuple of them")
            if s == EVERYONE:
                hit = {n for n in self._nodes if n not in exclude}
            else:
                hit = {n for n, c in self._nodes.items() if s in c._tags}
            if not hit and s not in CONTINENTS:
                raise ValueError(
                    f"{name}={brief(s)}: names no node, place or continent in this run "
                    f"(nodes: {list(self._nodes)})"
                )
            out |= hit
        if not out:
            raise ValueError(f"{name}={brief(selector)}: names no node in this run (nodes: {list(self._nodes)})")
        return frozenset(out)

    def start(self) -> None:
        """Check the fault model against the nodes, schedule its timeline, run every ``on_start``."""
        if self._started:
            raise RuntimeError("start(): this network has already started")
        for (a, b), _ in self.faults.links:
            self.select(a), self.select(b)
        for sel, _ in self.faults.clocks:
            if sel != EVERYONE:
                self.select(sel)
        for ev in self.faults.timeline:
            if isinstance(ev, Cut) or (isinstance(ev, Heal) and ev.side_a is not None):
                a = self.select(ev.side_a)
                self.select(ev.side_b, exclude=a)
            else:
                if isinstance(ev, (Crash, Restart)):
                    self.context(ev.node)
            self.sim.call_at(max(ev.at_ms, self.sim.now), self._apply, ev)
        self._started = True
        for ctx in list(self._nodes.values()):
            self._start_node(ctx)

    def _start_node(self, ctx: SimContext) -> None:
        if ctx.up:
            ctx.node.on_start(ctx)

    # -- the hot path -------------------------------------------------------------

    def _link(self, ctx: SimContext, dst: Hashable) -> tuple:
        """The link from ``ctx`` to ``dst`` (``wire.link_entry``), worked out on its first send."""
        link = ctx._links.get(dst) if isinstance(dst, Hashable) else None
        if link is not None:
            return link
        dctx = self._nodes.get(dst) if isinstance(dst, Hashable) else None
        if dctx is None:
            raise ValueError(f"dst={brief(dst)}: not a node in this network; expected one of {list(self._nodes)}")
        lf: LinkFaults = self.faults.default
        for (a, b), override in self.faults.links:
            sa, sb = self.select(a), self.select(b)
            if (ctx.node_id in sa and dst in sb) or (ctx.node_id in sb and dst in sa):
                lf = override
        base = self.latency.base_one_way_ms(ctx.place, dctx.place)
        if self.latency.asymmetry:
            base *= 1 + self._skew(ctx.node_id, dst)
        link = ctx._links[dst] = link_entry(dctx, base, lf.loss, lf.duplicate, lf.reorder, lf.reorder_ms)
        return link

    def _links_changed(self, rework: bool = False) -> None:
        """A cut, heal, crash or restart: forget every context's healthy links (``edgekit.sim.wire``);
        with ``rework`` (new link faults), forget the links themselves too."""
        for ctx in self._nodes.values():
            ctx._out.clear()
            if rework:
                ctx._links.clear()

    def _skew(self, src: Hashable, dst: Hashable) -> float:
        """This direction's route asymmetry x (the reverse gets -x), fixed per pair by the seed."""
        lo, hi = sorted((src, dst), key=repr)
        x = random.Random(f"{self.sim.seed}/asym/{lo!r}/{hi!r}").uniform(-1, 1) * self.latency.asymmetry
        return x if src == lo else -x

    def _drop(self, mid: int, reason: str) -> None:
        self._drops[reason] = self._drops.get(reason, 0) + 1
        if self._msglog is not None:
            self._msglog.append((DROP, self.sim.now, mid, reason))

    def _fire(self, ctx: SimContext, incarnation: int, tag) -> None:
        if ctx.incarnation != incarnation:
            return  # set before a crash: cancelled
        self.n_timers += 1
        if self._msglog is not None:
            self._msglog.append((TIMER, self.sim.now, ctx.node_id, tag))
        ctx.node.on_timer(ctx, tag)

    # -- results ------------------------------------------------------------------

    def _other(self, kind: str, node, data=None) -> None:
        if self._oapp is not None:
            self._oapp((OTHER, self.sim.now, kind, node, None, None, data))

    @property
    def history(self) -> list[Record]:
        """Every record so far, as ``Record`` values (decoded lazily from the raw log)."""
        if self._decoded < len(self._log):
            recs, self._decoded = decode(self._log, self._decoded, self._sends)
            self._history.extend(recs)
        return self._history

    @property
    def stats(self) -> NetStats:
        # Deliveries are not counted one by one (the direct path has no wrapper to count in):
        # every copy sent is delivered, dropped, or still in flight.
        delivered = self._mid + self.n_duplicated - sum(self._drops.values()) - self._in_flight()
        return NetStats(self._mid, delivered, self.n_duplicated, self.n_reordered,
                        self.n_timers, dict(sorted(self._drops.items())))

"""Your own node in the live planet: ``--node package.module:Class`` on a site process.

Two kinds of class plug in:

- **the kit's interface** (``edgekit.edge.context``): a front end built as
  ``cls(node_id, upstream, config)`` with ``read(ctx, key, reply)`` and
  ``write(ctx, key, arg, reply)``, such as ``edgekit.edge.site:Site`` or a subclass
  of it. If it has ``replica_ids``, the process runs the kit's replicas for it.
- **the capstone's interface** (chapter 6, ``edgekit.grade``): a whole-PoP node
  with ``on_start``, ``on_read``, ``on_write``, ``on_epoch`` and
  ``on_sync_response``, whose ``self.store`` maps keys to ``GCounter``. ``LearnerSite``
  runs it: an HTTP read calls ``on_read``, a write ``on_write(ctx, key, 1)``,
  every ``epoch_ms`` ``on_epoch``, and a ``SyncResponse`` from the upstream
  ``on_sync_response``. Its ``ctx`` offers what the grader's does: ``node_id``,
  ``upstream``, ``now``, ``epoch_ms``, ``capacity``, ``send`` and ``disk``, a dict
  that survives a restart (here a JSON file beside the SQLite ones, written after
  every handler; values are JSON or ``GCounter``). The planet must store
  ``gcounter``.

What the capstone node sends is checked before it leaves (a ``SyncRequest`` to
``ctx.upstream``); what it returns is checked before a client sees it. A handler
that raises is logged and the client gets a failure, never a dead process.
"""

from __future__ import annotations

import json
import os

from edgekit.crdt import GCounter
from edgekit.edge.messages import Outcome, SyncRequest, SyncResponse

from .._checks import brief

__all__ = ["front_end", "LearnerSite", "CAPSTONE_HANDLERS"]

CAPSTONE_HANDLERS = ("on_start", "on_read", "on_write", "on_epoch", "on_sync_response")


def front_end(cls, node_id: str, upstream, config, data_dir: str):
    """A site front end from ``cls``: the class itself for the kit's interface, else ``LearnerSite``."""
    if callable(getattr(cls, "read", None)) and callable(getattr(cls, "write", None)):
        return cls(node_id, upstream, config)
    if all(callable(getattr(cls, h, None)) for h in CAPSTONE_HANDLERS):
        disk = os.path.join(data_dir, node_id.replace("/", "_").replace(":", "-") + ".disk.json")
        return LearnerSite(cls, node_id, upstream, config, disk)
    raise ValueError(f"--node {cls.__module__}.{cls.__name__}: expected the kit's front end interface (read, "
                     f"write) or the capstone's ({', '.join(CAPSTONE_HANDLERS)})")


def _encode(v):
    return {"GCounter": v.to_json()} if isinstance(v, GCounter) else v


def _decode(d: dict):
    return GCounter.from_json(d["GCounter"]) if set(d) == {"GCounter"} else d


class _Ctx:
    """What a capstone node sees (as in ``edgekit.grade``'s ``NodeContext``)."""

    __slots__ = ("node_id", "upstream", "epoch_ms", "capacity", "disk", "_live")

    def __init__(self, site: LearnerSite, live) -> None:
        self.node_id, self.upstream, self._live = site.node_id, site.upstream, live
        self.epoch_ms, self.capacity, self.disk = site.config.epoch_ms, site.config.capacity, site.disk

    @property
    def now(self) -> float:
        return self._live.now

    def send(self, dst, msg) -> None:
        if dst != self.upstream or type(msg) is not SyncRequest:
            raise ValueError(f"ctx.send({brief(dst)}, {type(msg).__name__}): a site sends only a SyncRequest to "
                             f"ctx.upstream = {brief(self.upstream)}")
        self._live.send(dst, SyncRequest.from_json(json.loads(json.dumps(msg.to_json())), "gcounter"))


class _StoreView:
    """The capstone node's ``self.store`` read like a kit store (for metrics and the checks)."""

    def __init__(self, site: LearnerSite) -> None:
        self.site = site
        self.dirty: dict = {}

    def _store(self) -> dict:
        s = getattr(self.site.node, "store", None)
        return s if isinstance(s, dict) else {}

    def keys(self):
        return [k for k, v in self._store().items() if isinstance(v, GCounter)]

    def peek(self, key):
        v = self._store().get(key)
        return v if isinstance(v, GCounter) else None


class LearnerSite:
    """A capstone node (``cls``) as a site front end of the live planet."""

    def __init__(self, cls, node_id: str, upstream, config, disk_path: str) -> None:
        if config.value_type != "gcounter":
            raise ValueError(f"value_type={brief(config.value_type)}: a capstone node stores GCounters; run the planet "
                             "with EdgeConfig(value_type='gcounter')")
        self.cls, self.node_id, self.upstream, self.config = cls, node_id, upstream, config
        self.disk_path = disk_path
        self.disk = self._load()
        self._saved = json.dumps(self.disk, default=_encode, sort_keys=True)
        self.node = None
        self.store = _StoreView(self)

    def _load(self) -> dict:
        try:
            with open(self.disk_path) as f:
                return json.load(f, object_hook=_decode)
        except FileNotFoundError:
            return {}

    def _save(self) -> None:
        text = json.dumps(self.disk, default=_encode, sort_keys=True)
        if text != self._saved:
            tmp = self.disk_path + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, self.disk_path)  # survives kill -9 (the page cache outlives the process)
            self._saved = text

    def _call(self, ctx, handler: str, *args):
        try:
            return getattr(self.node, handler)(_Ctx(self, ctx), *args)
        finally:
            self._save()

    def on_start(self, ctx) -> None:
        self.node = self.cls()
        self._call(ctx, "on_start")
        ctx.set_timer(ctx.rng.random() * self.config.epoch_ms, "epoch")

    def on_timer(self, ctx, tag) -> None:
        if tag == "epoch":
            ctx.set_timer(self.config.epoch_ms, "epoch")
            self._call(ctx, "on_epoch")

    def on_message(self, ctx, src, msg) -> None:
        if type(msg) is SyncResponse:
            self._call(ctx, "on_sync_response", msg)

    def read(self, ctx, key: str, reply) -> None:
        t0 = ctx.now
        try:
            v = self._call(ctx, "on_read", key)
        except Exception:
            reply(Outcome(False, ctx.now - t0, None))
            raise
        reply(Outcome(True, ctx.now - t0, v) if v is None or isinstance(v, GCounter) else Outcome(False, 0.0, None))

    def write(self, ctx, key: str, arg, reply) -> None:
        t0 = ctx.now
        try:
            v = self._call(ctx, "on_write", key, 1)
        except Exception:
            reply(Outcome(False, ctx.now - t0, None, None, maybe=True))
            raise
        if not isinstance(v, GCounter):
            return reply(Outcome(False, ctx.now - t0, None, None, maybe=True))
        written = GCounter.of({self.node_id: v.get(self.node_id)})  # the entry this write raised
        reply(Outcome(True, ctx.now - t0, v, written))

    def busy(self) -> bool:
        interest = getattr(self.node, "interest", None)
        try:
            return bool(len(interest))
        except TypeError:
            return False

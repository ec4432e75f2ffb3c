"""A correct whole-PoP node written to the capstone's interface (chapter 6), for edgekit.live's tests.

It keeps everything that must survive a crash in ``ctx.disk``: the store, the keys it owes
its upstream (with the write sequence of their latest change) and its sync ids.
"""

from edgekit.crdt import GCounter
from edgekit.edge import SyncRequest


class PullSite:
    def on_start(self, ctx):
        self.store = ctx.disk.setdefault("store", {})  # key -> GCounter
        self.interest = ctx.disk.setdefault("interest", {})  # key -> write sequence when last touched
        self.inflight = {}  # sync id -> {key: sequence it carried}

    def _touch(self, ctx, key):
        ctx.disk["seq"] = ctx.disk.get("seq", 0) + 1
        self.interest[key] = ctx.disk["seq"]

    def on_read(self, ctx, key):
        self._touch(ctx, key)
        return self.store.get(key)

    def on_write(self, ctx, key, n):
        self.store[key] = (self.store.get(key) or GCounter()).increment(ctx.node_id, n)
        self._touch(ctx, key)
        return self.store[key]

    def on_epoch(self, ctx):
        if not self.interest:
            return
        ctx.disk["sid"] = sid = ctx.disk.get("sid", 0) + 1
        self.inflight[sid] = dict(self.interest)
        ctx.send(ctx.upstream, SyncRequest(sid, {k: self.store.get(k) for k in self.interest}))

    def on_sync_response(self, ctx, msg):
        carried = self.inflight.pop(msg.sync_id, None)
        if carried is None:
            return
        for key, value in msg.entries.items():
            if value is None or key not in carried:
                continue  # "not here yet": ask again next epoch
            mine = self.store.get(key)
            self.store[key] = value if mine is None else mine | value
            if self.interest.get(key) == carried[key]:
                del self.interest[key]  # nothing new since the request: settled

"""The protocol by hand: clusters on a HandNet, where a test decides what is lost or duplicated.

A site (front end + one replica), a hub and a root, each a cluster as in the simulator
(``make_cluster``), wired by ``edgekit.edge.context.HandNet``: messages wait until
``deliver`` runs them, timers until ``advance``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgekit.crdt import GCounter, LWWRegister
from edgekit.edge import EdgeConfig, SyncRequest, SyncResponse
from edgekit.edge.context import HandNet
from edgekit.edge.messages import Fill, Get, Got, Merge, Put, Stored
from edgekit.edge.system import make_cluster
from edgekit.sim.node import Node

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = [f"k{i}" for i in range(6)]
TREE = (("LHR", "hub:FRA", "site"), ("hub:FRA", "root:IAD", "hub"), ("root:IAD", None, "root"))


def _net(value_type="lww", **kw):
    cfg = EdgeConfig(**{"replicas": 1, "n": 1, "value_type": value_type, **kw})
    net = HandNet(now=10.0)
    for cluster, up, tier in TREE:
        front, reps = make_cluster(cluster, up, tier, cfg)
        net.add(cluster, front)
        for rid, rep in reps.items():
            net.add(rid, rep)
    return net


def _state(net, cluster, key):
    out = None
    for rid, node in net.nodes.items():
        if rid.startswith(cluster + "/"):
            v = node.store.peek(key)
            out = v if out is None else (out if v is None else out | v)
    return out


def _client(net, kind, key, arg=None):
    got = []
    site, ctx = net.nodes["LHR"], net.ctx["LHR"]
    (site.read(ctx, key, got.append) if kind == "read" else site.write(ctx, key, arg, got.append))
    net.deliver()
    return got[0]


def _sync(net, node="LHR/r0", **kw):
    net.nodes[node].sync(net.ctx[node])
    return net.deliver(**kw)


def _from_above(net, key, n):
    """Another site's write reaches the hub from above (as a sync response would bring it)."""
    net.now += 1
    net.nodes["hub:FRA/r0"].on_message(net.ctx["hub:FRA/r0"], "root:IAD",
                                       Fill({key: LWWRegister().assign("other", n, net.now)}))


def _steps(net, steps):
    for n, (where, key, is_write) in enumerate(steps, 1):
        if where == "site":
            _client(net, "write" if is_write else "read", key, n)
        else:
            _from_above(net, key, n)
        net.advance(1.0)


STEPS = st.lists(st.tuples(st.sampled_from(["site", "hub"]), st.sampled_from(KEYS), st.booleans()),
                 min_size=1, max_size=15)


@given(STEPS)
@SETTINGS
def test_after_a_completed_sync_touched_keys_are_equal_on_both_sides(steps):
    net = _net()
    _steps(net, steps)
    touched = [k for w, k, _ in steps if w == "site"]
    _sync(net)
    site = net.nodes["LHR/r0"]
    for k in touched:
        if k not in site.interest.touched:  # answered (not "not here yet"): equal on both sides
            assert site.store.peek(k) == _state(net, "hub:FRA", k)
    assert set(site.interest.dirty) <= set(site.interest.touched)  # a dirty key is asked again
    _sync(net, "hub:FRA/r0")  # the hub's own epoch: up to the root and back
    _sync(net)
    assert not len(site.interest) and not site.interest.dirty
    for k in touched:
        assert site.store.peek(k) == _state(net, "hub:FRA", k) == (_state(net, "root:IAD", k) or LWWRegister())


@given(STEPS)
@SETTINGS
def test_duplicated_messages_change_nothing(steps):
    net, twin = _net(), _net()
    _steps(net, steps)
    _steps(twin, steps)
    _sync(net)
    _sync(twin, twice=lambda src, dst, msg: True)  # every message of the sync delivered twice
    for cluster in ("LHR", "hub:FRA", "root:IAD"):
        for k in KEYS:
            assert _state(net, cluster, k) == _state(twin, cluster, k)


@given(STEPS, STEPS)
@SETTINGS
def test_a_lost_response_only_delays(first, second):
    net = _net()
    _steps(net, first)
    _sync(net, drop=lambda src, dst, msg: type(msg) is SyncResponse)
    _steps(net, second)
    _sync(net)  # the next epoch carries everything
    site = net.nodes["LHR/r0"]
    for k in {k for w, k, _ in first + second if w == "site"}:
        if k not in site.interest.touched:
            assert site.store.peek(k) == _state(net, "hub:FRA", k)
    _sync(net, "hub:FRA/r0")  # news for the hub goes up; "not here yet" comes down
    _sync(net)
    assert not site.interest.dirty and not len(site.interest)


def test_a_write_during_a_sync_stays_dirty_until_the_next():
    net = _net()
    _client(net, "write", "k", 1)
    rep = net.nodes["LHR/r0"]
    rep.sync(net.ctx["LHR/r0"])
    (_, _, req), = net.outbox()
    _client(net, "write", "k", 2)  # after the request left
    net.nodes["hub:FRA"].on_message(net.ctx["hub:FRA"], "LHR/r0", req)
    net.deliver()
    assert "k" in rep.interest.dirty and rep.store.peek("k").value == 2
    assert _state(net, "hub:FRA", "k").value == 1
    _sync(net)
    assert _state(net, "hub:FRA", "k").value == 2 and "k" in rep.interest.dirty  # the hub has it, not from above
    _sync(net, "hub:FRA/r0")
    _sync(net)
    assert not rep.interest.dirty


def test_missing_marker_and_bottom():
    net = _net()
    assert _client(net, "read", "new").state is None  # a read miss joins the interest set
    sent = _sync(net)
    assert sent[0][2].entries == {"new": None} and sent[-1][2].entries == {"new": None}  # the hub lacks it too
    assert "new" in net.nodes["LHR/r0"].interest.touched  # "not here yet": asked again next epoch
    root, ctx = net.nodes["root:IAD"], net.ctx["root:IAD"]
    root.on_message(ctx, "hub:FRA/r0", SyncRequest(1, {"new": None}))
    net.deliver()
    assert net.ctx["root:IAD"].sent == []  # delivered: look at what went to the hub replica
    _sync(net, "hub:FRA/r0")
    _sync(net)
    assert net.nodes["LHR/r0"].store.peek("new") == LWWRegister()  # the root's word: never written


def test_a_hub_passes_through_what_it_could_not_keep():
    # A one-key hub below two keys' worth of interest: what it fetches for the site is evicted
    # before the site asks again. The second time it asks above at once and answers what came down.
    net = _net(hub_capacity=1)
    for k, v in (("a", 1), ("b", 2)):
        net.nodes["root:IAD/r0"].store.put(k, LWWRegister().assign("IAD", v, 1.0))
        _client(net, "read", k)
    _sync(net)
    hub = net.nodes["hub:FRA/r0"]
    assert set(hub.owed) == {"a", "b"}
    _sync(net, "hub:FRA/r0")  # both come down; the second evicts the first
    assert len(hub.store) == 1
    sent = _sync(net)
    fetches = [m for _, dst, m in sent if dst == "root:IAD" and type(m) is SyncRequest]
    assert fetches and fetches[0].blocking and net.nodes["hub:FRA"].passed_through == 1
    site = net.nodes["LHR/r0"]
    assert {k: site.store.peek(k).value for k in ("a", "b")} == {"a": 1, "b": 2}
    assert not len(site.interest)


def _root_cluster(cfg):
    """A root cluster (front end and replicas) and a child node on a hand-driven wire."""
    net = HandNet()
    front, reps = make_cluster("root:IAD", None, "root", cfg)
    net.add("root:IAD", front)
    for rid, rep in reps.items():
        net.add(rid, rep)
    net.add("child", Node())
    return net, front, reps


def test_the_root_says_nothing_written_only_when_enough_replicas_could_say_so():
    net, front, reps = _root_cluster(EdgeConfig(replicas=3, n=2, write_quorum=1))

    def ask(sid, drop=None):
        front.on_message(net.ctx["root:IAD"], "child", SyncRequest(sid, {"k": None}))
        sent = net.deliver(drop=drop)
        net.advance(100.0)  # the gather timer
        sent += net.deliver()
        (resp,) = [m for _, dst, m in sent if dst == "child"]
        return resp.entries["k"]

    assert ask(1) == LWWRegister()  # every replica of k answered: nobody saw it, "never written"
    assert all(len(net.nodes[r].store) == 0 for r in reps)  # and nobody stores that word
    silent = f"root:IAD/r{front.where('k')[0]}"  # w=1: the silent one might hold the only copy
    assert ask(2, drop=lambda src, dst, msg: silent in (src, dst)) is None  # ask again


def test_a_duplicated_answer_counts_once_towards_the_write_quorum():
    """One replica's ``Merged`` delivered twice is one replica that merged, not two: the child
    must not hear that its write is on ``write_quorum`` disks when it is on one."""
    net, front, reps = _root_cluster(EdgeConfig(replicas=3, n=2, write_quorum=2))
    a, b = (f"root:IAD/r{i}" for i in front.where("k"))
    state = LWWRegister(1, 5.0, "LHR")
    front.on_message(net.ctx["root:IAD"], "child", SyncRequest(1, {"k": state}))
    sent = net.deliver(drop=lambda src, dst, msg: b in (src, dst))  # b never merges it
    (merged,) = [m for src, dst, m in sent if src == a and dst == "root:IAD"]
    front.on_message(net.ctx["root:IAD"], a, merged)  # the same answer again
    assert front.pending and not [m for _, dst, m in net.deliver() if dst == "child"]  # still waits for b
    net.advance(10_000.0)  # b never answers: the gather window ends
    (resp,) = [m for _, dst, m in net.deliver() if dst == "child"]
    assert resp.entries == {"k": None}  # ask again: only one of the key's two replicas has it
    assert net.nodes[a].store.peek("k") == state and len(net.nodes[b].store) == 0


def test_read_repair_and_a_write_quorum_inside_a_site():
    cfg = EdgeConfig(replicas=3, n=2, write_quorum=2)
    net = HandNet(now=10.0)
    front, reps = make_cluster("LHR", "hub:FRA", "site", cfg)
    net.add("LHR", front)
    for rid, rep in reps.items():
        net.add(rid, rep)
    a, b = (f"LHR/r{i}" for i in front.where("k"))
    got = []
    front.write(net.ctx["LHR"], "k", 1, got.append)
    net.deliver(drop=lambda src, dst, msg: dst == b and type(msg) is Put)  # b never stores it
    net.advance(100.0)
    assert not got[0].ok and got[0].maybe  # one of two: not acknowledged, but maybe stored
    front.read(net.ctx["LHR"], "k", got.append)
    net.deliver()
    assert got[1].value == 1 and net.nodes[b].store.peek("k").value == 1  # repaired
    assert front.repairs == 1
    front.write(net.ctx["LHR"], "k", 2, got.append)
    net.deliver()
    assert got[2].ok and all(net.nodes[r].interest.dirty.get("k") for r in (a, b))


def test_a_site_counts_a_duplicated_answer_once():
    """In-site links may duplicate: one replica's Stored twice is one disk (the write is not
    acknowledged), and one replica's Got twice does not end a read before the other answers."""
    cfg = EdgeConfig(replicas=3, n=2, write_quorum=2)
    net = HandNet(now=10.0)
    front, reps = make_cluster("LHR", "hub:FRA", "site", cfg)
    for nid, node in {"LHR": front, **reps}.items():
        net.add(nid, node)
    a, b = (f"LHR/r{i}" for i in front.where("k"))
    got = []
    front.write(net.ctx["LHR"], "k", 1, got.append)
    net.deliver(drop=lambda src, dst, msg: dst == b and type(msg) is Put,  # b never stores it
                twice=lambda src, dst, msg: src == a and type(msg) is Stored)  # a says so twice
    net.advance(100.0)
    assert not got[0].ok and got[0].maybe  # one disk of two, however often it says so
    front.read(net.ctx["LHR"], "k", got.append)
    net.deliver(drop=lambda src, dst, msg: src == b and type(msg) is Got,  # b's answer is late
                twice=lambda src, dst, msg: src == a and type(msg) is Got)
    assert len(got) == 1 and front.pending  # the read waits for its gather window, not for a's copy
    net.advance(100.0)
    assert got[1].ok and got[1].value == 1


def test_actor_leases_never_reuse_a_dot_when_the_replicas_are_behind():
    net = _net("gcounter", replicas=2, n=2)
    counts = [_client(net, "write", "k", i).value for i in range(3)]
    assert counts == [1, 2, 3]
    # Both replicas lose their copy (a lost disk each) before any sync: the lease still knows 3.
    for rid in ("LHR/r0", "LHR/r1"):
        net.nodes[rid].on_disk_loss()
    out = _client(net, "write", "k", 9)  # the replicas miss it: fetched (nothing above), then written
    assert out.written == GCounter.of({"LHR.1": 4})  # a fresh count, not a second "1"
    assert out.value == 4


def test_messages_round_trip_and_reject_what_they_should():
    import pytest

    from edgekit.edge.messages import MESSAGES, decode
    from edgekit.edge.values import VALUE_TYPES

    for name, vt in VALUE_TYPES.items():
        st = vt.write(None, "LHR.1", 5, 7.0)[0]
        for msg in (SyncRequest(1, {"a": st, "b": None}, True), SyncResponse(2, {"a": st}),
                    Get(3, "a", True), Put(4, "a", st), Fill({"a": st}), Merge(5, "LHR/r0", {"a": None})):
            again = decode(msg.to_json(), name)
            assert type(again) is type(msg) and again.to_json() == msg.to_json()
    assert set(MESSAGES) >= {"SyncRequest", "SyncResponse", "Get", "Got", "Put", "Stored", "Repair", "Fill",
                             "Merge", "Merged"}
    good = SyncRequest(1, {"a": LWWRegister().assign("x", 1, 1.0)}).to_json()
    for bad, match in [
        ({**good, "sync_id": -1}, "sync_id=-1"),
        ({**good, "sync_id": True}, "sync_id=True"),
        ({**good, "entries": []}, "entries="),
        ({**good, "entries": {"a": {"type": "GCounter", "counts": {}}}}, "not a valid LWWRegister"),
        ({**good, "entries": {"": None}}, "key=''"),
        ({**good, "blocking": "yes"}, "blocking='yes'"),
        ({**good, "colour": 1}, "unknown field 'colour'"),
        ({k: v for k, v in good.items() if k != "entries"}, "missing field 'entries'"),
        ({**good, "type": "Nope"}, "json type='Nope'"),
        ([], "json type='list'"),
    ]:
        with pytest.raises(ValueError, match=match):
            decode(bad, "lww")
    with pytest.raises(ValueError, match="value_type='lwww'"):
        decode(good, "lwww")


def test_every_message_and_a_client_record_round_trip_through_json():
    import json

    from edgekit.edge import ClientOp, Outcome
    from edgekit.edge.messages import MESSAGES, Got, Merged, Repair, Stored, decode

    st = LWWRegister().assign("LHR", 3, 4.0)
    msgs = [SyncRequest(1, {"a": st, "b": None}, True), SyncResponse(2, {"a": st}), Get(3, "a", True),
            Got(4, "a", None), Put(5, "a", st), Stored(6, "a", st), Repair("a", st), Fill({"a": st}),
            Merge(7, "LHR/r0", {"a": None}, False), Merged(8, {"a": st, "b": None}, ("b",))]
    assert {type(m).__name__ for m in msgs} == set(MESSAGES)
    for m in msgs:
        again = decode(json.loads(json.dumps(m.to_json())), "lww")
        assert type(again) is type(m) and again.to_json() == m.to_json()
    out = Outcome(True, 0.5, st, st, False)
    assert Outcome.from_json(out.to_json(), "lww").to_json() == out.to_json()
    op = ClientOp("LHR", "a", "write", 3, 1.0, 1.5, "ok", st, st)
    assert ClientOp.from_json(json.loads(json.dumps(op.to_json())), "lww") == op


JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 2**64) | st.floats() | st.text(max_size=4),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                    max_leaves=12)


@given(st.sampled_from(["SyncRequest", "SyncResponse", "Get", "Got", "Put", "Stored", "Repair", "Fill", "Merge",
                        "Merged", "Nope"]), st.dictionaries(st.sampled_from(
                            ["sync_id", "rid", "key", "touch", "entries", "blocking", "state", "child", "urgent",
                             "extra"]), JSON, max_size=5), st.sampled_from(["lww", "mv", "gcounter", "orset"]))
@SETTINGS
def test_decoding_anything_either_checks_out_or_says_why(kind, fields, value_type):
    from edgekit.edge.messages import decode

    try:
        msg = decode({"type": kind, **fields}, value_type)
    except ValueError:
        return  # refused, with a message
    again = decode(msg.to_json(), value_type)  # what is accepted is a well-formed message
    assert again.to_json() == msg.to_json()


class JsonDisk:
    """A store that keeps everything as JSON text, the way a SQLite store would: it proves a replica
    needs nothing of ``MemoryStore`` beyond the ``Store`` interface."""

    def __init__(self, cls):
        self.cls, self.rows, self.dirty, self.wseq = cls, {}, {}, 0
        self.capacity, self.evictions, self.overflows, self.on_evict = None, 0, 0, None

    def get(self, key):
        return self.peek(key)

    def peek(self, key):
        import json

        row = self.rows.get(key)
        return None if row is None else self.cls.from_json(json.loads(row))

    def put(self, key, value, pinned=None):
        import json

        self.rows[key] = json.dumps(value.to_json())

    def keys(self):
        return list(self.rows)

    def next_seq(self):
        self.wseq += 1
        return self.wseq

    def wipe(self):
        self.rows.clear()
        self.dirty.clear()

    def __len__(self):
        return len(self.rows)

    def __contains__(self, key):
        return key in self.rows


def test_a_replica_runs_on_any_store_that_keeps_the_interface():
    from edgekit.crdt import MVRegister

    cfg = EdgeConfig(replicas=1, n=1, value_type="mv")
    net = HandNet(now=10.0)
    for cluster, up, tier in TREE:
        stores = {f"{cluster}/r0": JsonDisk(MVRegister)}
        front, reps = make_cluster(cluster, up, tier, cfg, stores=stores)
        net.add(cluster, front)
        for rid, rep in reps.items():
            net.add(rid, rep)
    assert _client(net, "write", "k", 1).value == frozenset({1})
    assert _client(net, "read", "k").value == frozenset({1})
    _sync(net)
    _sync(net, "hub:FRA/r0")
    _sync(net)
    assert _state(net, "root:IAD", "k").value == frozenset({1}) and not net.nodes["LHR/r0"].interest.dirty
    net.nodes["LHR/r0"].on_disk_loss()
    assert len(net.nodes["LHR/r0"].store) == 0

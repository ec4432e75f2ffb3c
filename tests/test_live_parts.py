"""edgekit.live piece by piece, without processes: the SQLite store against its oracle (MemoryStore), the
wire's checks, the CLI's refusals, the fault proxy, the geographic delay, the checker's unknown writes."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edgekit.crdt import GCounter
from edgekit.edge.store import MemoryStore
from edgekit.live import SQLiteStore, wire
from edgekit.live.cli import main, node_id_of

KEYS = st.sampled_from([f"k{i}" for i in range(6)])
OPS = st.lists(st.one_of(
    st.tuples(st.just("put"), KEYS, st.integers(1, 9)),
    st.tuples(st.just("dirty"), KEYS),
    st.tuples(st.just("clean"), KEYS),
    st.tuples(st.just("get"), KEYS),
    st.tuples(st.just("commit")),
    st.tuples(st.just("wipe")),
), max_size=60)


def _apply(store, op) -> None:
    kind = op[0]
    if kind == "put":
        store.put(op[1], GCounter.of({"LHR.1": op[2]}))
    elif kind == "dirty":
        store.dirty[op[1]] = store.next_seq()
    elif kind == "clean":
        store.dirty.pop(op[1], None)
    elif kind == "get":
        store.get(op[1])
    elif kind == "wipe" and not store.dirty:  # a replica wipes only on a lost disk; keep it rare
        store.wipe()
    elif kind == "commit" and hasattr(store, "commit"):
        store.commit()


@settings(max_examples=60, deadline=None)
@given(ops=OPS, capacity=st.sampled_from([None, 2, 4]))
def test_sqlite_store_behaves_as_memory_store_and_keeps_what_it_committed(tmp_path_factory, ops, capacity):
    path = tmp_path_factory.mktemp("s") / "r.sqlite"
    model, store = MemoryStore(capacity), SQLiteStore(path, "gcounter", capacity)
    committed = None
    for op in ops:
        _apply(model, op)
        _apply(store, op)
        assert list(store.keys()) == list(model.keys())
        assert dict(store.dirty) == model.dirty and store.wseq == model.wseq
        assert store.evictions == model.evictions
        if op[0] == "commit":
            committed = ({k: model.peek(k) for k in model.keys()}, dict(model.dirty), model.wseq)
    # A second process opening the file sees exactly the last commit (kill -9 loses the rest).
    other = SQLiteStore(path, "gcounter", capacity)
    seen = ({k: other.peek(k) for k in other.keys()}, dict(other.dirty), other.wseq)
    assert seen == (committed or ({}, {}, 0))
    other.db.close()
    store.close()  # close commits: now everything is there
    again = SQLiteStore(path, "gcounter", capacity)
    assert {k: again.peek(k) for k in again.keys()} == {k: model.peek(k) for k in model.keys()}
    assert (dict(again.dirty), again.wseq) == (model.dirty, model.wseq)
    again.close()


def test_sqlite_store_is_in_wal_mode_and_names_a_corrupt_row(tmp_path):
    path = tmp_path / "r.sqlite"
    s = SQLiteStore(path, "lww")
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO kv VALUES ('cart', '{\"type\": \"GCounter\"}', 1)")
    db.commit()
    db.close()
    with pytest.raises(ValueError, match="key 'cart' does not hold a valid LWWRegister"):
        SQLiteStore(path, "lww")
    with pytest.raises(ValueError, match="synchronous='OFF'"):
        SQLiteStore(tmp_path / "x.sqlite", "lww", synchronous="OFF")


def test_wire_checks_bodies_keys_and_tokens():
    assert wire.write_arg({"value": -3}) == -3
    for bad, words in (([1], "expected an object"), ({"value": 1, "x": 2}, "exactly one field"),
                       ({"value": 1.5}, "expected an integer"), ({"value": 2**60}, "between")):
        with pytest.raises(wire.BadRequest, match=words):
            wire.write_arg(bad)
    with pytest.raises(wire.BadRequest, match="not valid JSON"):
        wire.parse_json(b'{"value": NaN}', "body")
    with pytest.raises(wire.BadRequest, match="not valid JSON"):
        wire.parse_json(b"[" * 100_000, "body")
    with pytest.raises(wire.BadRequest, match="printable"):
        wire.check_key("a\nb")
    assert wire.token_ok(None, None) and wire.token_ok("s" * 20, "Bearer " + "s" * 20)
    assert not wire.token_ok("s" * 20, None) and not wire.token_ok("s" * 20, "Bearer " + "t" * 20)
    assert not wire.is_loopback("192.168.1.5") and wire.is_loopback("::1")


def test_cli_refuses_an_open_bind_without_a_token_and_unknown_places(capsys, monkeypatch):
    monkeypatch.delenv("EDGEKIT_TOKEN", raising=False)
    assert main(["root", "IAD", "--host", "0.0.0.0"]) == 2
    assert "needs --token" in capsys.readouterr().err
    assert main(["root", "IAD", "--host", "0.0.0.0", "--token", "short"]) == 2
    assert main(["site", "XXX", "--upstream", "http://127.0.0.1:1"]) == 2
    assert "unknown place" in capsys.readouterr().err
    assert main(["site", "LHR"]) == 2
    assert "needs the URL of its upstream" in capsys.readouterr().err
    assert main(["hub", "FRA", "--upstream", "http://x", "--config", '{"epoch_ms": -1}']) == 2
    assert "epoch_ms=-1" in capsys.readouterr().err
    assert node_id_of("hub", "FRA") == "hub:FRA" and node_id_of("root", "root:IAD") == "root:IAD"
    assert main(["token"]) == 0 and len(capsys.readouterr().out.strip()) >= wire.MIN_TOKEN_CHARS


def test_a_write_whose_effect_the_client_never_learned_bounds_nothing():
    """A live client whose connection died records an ``info`` write without ``written``: the
    checker may not call the final state a phantom because of it, but still counts and compares."""
    from edgekit.crdt import LWWRegister
    from edgekit.edge.history import ClientOp
    from edgekit.edge.lab.checks import check_writes

    ok = ClientOp("LHR", "k", "write", 1, 0.0, 1.0, "ok", None, GCounter.of({"LHR.1": 1}))
    lost = ClientOp("LHR", "k", "write", 2, 2.0, 3.0, "info", None, None)
    assert check_writes([ok, lost], {"k": GCounter.of({"LHR.1": 2})}.get, "gcounter").ok
    assert check_writes([ok, lost], {"k": GCounter.of({"LHR.1": 3})}.get, "gcounter").kinds == (("count", 1),)
    known = ClientOp("LHR", "k", "write", 2, 2.0, 3.0, "info", None, GCounter.of({"LHR.1": 2}))
    assert ("phantom", 1) in check_writes([ok, known], {"k": GCounter.of({"LHR.1": 3})}.get, "gcounter").kinds
    w1 = ClientOp("LHR", "k", "write", 1, 0.0, 1.0, "ok", None, LWWRegister(1, 5.0, "LHR"))
    w2 = ClientOp("CDG", "k", "write", 2, 2.0, 3.0, "info", None, None)
    assert check_writes([w1, w2], {"k": LWWRegister(2, 9.0, "CDG")}.get, "lww").ok
    assert not check_writes([w1, w2], {"k": LWWRegister(3, 9.0, "CDG")}.get, "lww").ok


def test_the_proxy_passes_delays_drops_and_cuts():
    import asyncio

    from edgekit.live import Proxy

    async def scenario():
        async def echo(reader, writer):
            while data := await reader.read(100):
                writer.write(data)
                await writer.drain()
            writer.close()

        server = await asyncio.start_server(echo, "127.0.0.1", 0)
        proxy = Proxy(server.sockets[0].getsockname()[1], seed=1)
        port = await proxy.start()

        async def ask(msg: bytes):
            try:
                r, w = await asyncio.open_connection("127.0.0.1", port)
                w.write(msg)
                await w.drain()
                got = await asyncio.wait_for(r.read(100), 2)
                w.close()
                return got
            except (OSError, asyncio.TimeoutError):
                return None

        out = {"pass": await ask(b"a")}
        proxy.delay(30)
        out["delay"] = await ask(b"b")
        proxy.drop(1.0)
        out["drop"] = await ask(b"c")
        proxy.cut()
        out["cut"] = await ask(b"d")
        proxy.heal()
        out["heal"] = await ask(b"e")
        await proxy.stop()
        server.close()
        return out, proxy.stats

    out, stats = asyncio.run(scenario())
    assert out.pop("cut") in (None, b"")  # closed at once: EOF or a reset
    assert out == {"pass": b"a", "delay": b"b", "drop": b"", "heal": b"e"}
    assert stats["refused"] == 1 and stats["dropped"] == 1
    with pytest.raises(ValueError, match="probability"):
        Proxy(1).drop(2)


def test_geography_delays_a_sync_by_the_kits_one_way_estimate():
    import asyncio

    from edgekit.edge import EdgeConfig
    from edgekit.edge.topology import site_place
    from edgekit.live.host import Host
    from edgekit.live.transport import Transport, one_way_ms
    from edgekit.sim.latency import LatencyModel

    assert one_way_ms("SYD/r0", "hub:LHR") == LatencyModel().base_one_way_ms(site_place("SYD"), site_place("LHR"))

    async def build():
        host = Host("SYD", "site", EdgeConfig(), upstream="hub:LHR")
        return Transport(host, upstream_url="http://127.0.0.1:1", geo_scale=0.1).delay_s

    assert asyncio.run(build()) == pytest.approx(one_way_ms("SYD", "LHR") * 0.1 / 1000)
    assert one_way_ms("SYD", "LHR") > 100  # half the planet away


def test_a_restarted_front_end_numbers_past_every_earlier_boot():
    """A new process of a site must not reuse a request id or an actor lease of an earlier boot
    (a reused lease mints a dot twice: two writes become one). ``resume`` relies on two private
    counters of the kit's front ends; if they are renamed, this fails first."""
    from edgekit.edge import EdgeConfig, Site, Upstream
    from edgekit.live.host import BOOT_SPAN, resume

    site = Site("LHR", "hub:FRA", EdgeConfig(value_type="gcounter"))
    assert hasattr(site, "_rid") and hasattr(site, "_actors") and hasattr(Upstream("hub:FRA", None, EdgeConfig()),
                                                                           "_rid")
    resume(site, 0)
    assert site.new_rid() == 1 and site._actors == 0  # a first boot is the simulator's numbering
    resume(site, 3)
    assert site.new_rid() == 3 * BOOT_SPAN + 1 and site._actors == 3 * BOOT_SPAN


def test_the_live_map_marks_what_is_not_up_and_names_bad_input():
    from edgekit.edge import Topology
    from edgekit.figures.live import live_map

    topo = Topology.flat(["LHR", "SYD"], root="SIN")
    up = {"state": "up", "keys": 3, "dirty": 0, "syncs_completed": 9, "bytes_in": 10, "bytes_out": 20}
    fig = live_map(topo, {"LHR": up, "root:SIN": {**up, "state": "paused"}})  # SYD missing: down
    crosses = fig.data[-1]
    assert len(crosses.lat) == 2 and "LHR: up" in fig.data[-2].text[0].replace("<b>", "").replace("</b>", "")
    assert live_map(topo, {n: up for n in topo.upstream}).data[-1].lat == (None,)
    with pytest.raises(TypeError, match="status="):
        live_map(topo, ["LHR"])


"""Real Jepsen and porcupine histories get the published verdicts; the readers parse them right."""

import csv
import math
import re

import pytest

from edgekit.checkers import UNKNOWN, check_linearizable, parse_jepsen_log, parse_porcupine_kv


def _expected(folder, column):
    with open(folder / "expected.csv") as f:
        return {row[column]: row["linearizable"] == "true" for row in csv.DictReader(f)}


def test_all_etcd_histories_get_their_verdict(shared_data):
    folder = shared_data / "jepsen-etcd"
    expected = _expected(folder, "log")
    assert len(expected) == 102
    wrong = [
        name
        for name, verdict in expected.items()
        if check_linearizable(parse_jepsen_log(folder / name), "cas-register").ok != verdict
    ]
    assert not wrong
    assert sum(expected.values()) == 23


def test_all_porcupine_kv_histories_get_their_verdict(shared_data):
    folder = shared_data / "porcupine-kv"
    expected = _expected(folder, "history")
    assert len(expected) == 6
    for name, verdict in expected.items():
        assert check_linearizable(parse_porcupine_kv(folder / name), "kv").ok == verdict, name


@pytest.mark.parametrize("name", ["etcd_000.log", "etcd_001.log"])
def test_etcd_counterexample_is_small_and_explained(shared_data, name):
    res = check_linearizable(parse_jepsen_log(shared_data / "jepsen-etcd" / name), "cas-register")
    assert not res.ok
    assert 2 <= len(res.counterexample) <= 8
    assert "Not linearizable" in res.explain()


def test_kv_counterexample_names_its_key(shared_data):
    res = check_linearizable(parse_porcupine_kv(shared_data / "porcupine-kv" / "c10-bad.txt"), "kv")
    assert not res.ok and res.failed_part is not None
    assert all(op.input[1] == res.failed_part or op.input[1][0] == res.failed_part for op in res.counterexample)


def test_jepsen_reader_semantics(shared_data):
    h = parse_jepsen_log(shared_data / "jepsen-etcd" / "etcd_000.log")
    lines = (shared_data / "jepsen-etcd" / "etcd_000.log").read_text().splitlines()
    assert len(h) == sum(":invoke" in ln for ln in lines)
    first = min(h, key=lambda op: op.call)
    assert first.input == ("read", None) and first.output is None  # "nil": absent
    infos = [op for op in h if op.ret == math.inf]
    assert infos and all(op.output is UNKNOWN for op in infos)
    assert any(op.input[0] == "cas" and op.output is False for op in h)
    assert {op.input[0] for op in h} == {"read", "write", "cas"}


def test_jepsen_timed_out_read_is_unknown(shared_data):
    for path in sorted((shared_data / "jepsen-etcd").glob("*.log")):
        if re.search(r":fail\s+:read\s+:timed-out", path.read_text()):
            h = parse_jepsen_log(path)
            assert any(op.input[0] == "read" and op.output is UNKNOWN and op.ret < math.inf for op in h)
            return
    pytest.fail("no timed-out read in the etcd histories")


def test_porcupine_reader(shared_data):
    h = parse_porcupine_kv(shared_data / "porcupine-kv" / "c01-ok.txt")
    assert len(h) == 58
    kinds = {op.input[0] for op in h}
    assert kinds <= {"get", "put", "append"} and "get" in kinds
    assert all(isinstance(op.output, str) for op in h if op.input[0] == "get")


# --- malformed files (no shared data needed) ------------------------------------------------


def test_jepsen_reader_errors(tmp_path):
    bad = tmp_path / "bad.log"
    bad.write_text("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nhello\n")
    with pytest.raises(ValueError, match="line 2"):
        parse_jepsen_log(bad)
    bad.write_text("INFO  jepsen.util - 0\t:ok\t:read\t3\n")
    with pytest.raises(ValueError, match="never invoked"):
        parse_jepsen_log(bad)
    bad.write_text("INFO  jepsen.util - 0\t:invoke\t:cas\t3\n")
    with pytest.raises(ValueError, match="cas"):
        parse_jepsen_log(bad)
    with pytest.raises(ValueError, match="no such file"):
        parse_jepsen_log(tmp_path / "missing.log")


def test_jepsen_reader_pending_and_failed_write(tmp_path):
    log = tmp_path / "h.log"
    log.write_text(
        "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
        "INFO  jepsen.util - 1\t:invoke\t:write\t2\n"
        "INFO  jepsen.util - 0\t:fail\t:write\t1\n"
    )
    h = parse_jepsen_log(log)
    assert len(h) == 1 and h[0].client == 1 and h[0].ret == math.inf and h[0].output is UNKNOWN


def test_porcupine_reader_errors(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text('{:process 0, :type :invoke, :f :delete, :key "1", :value nil}\n')
    with pytest.raises(ValueError, match=":delete"):
        parse_porcupine_kv(bad)
    bad.write_text("{:process 0}\n")
    with pytest.raises(ValueError, match="line 1"):
        parse_porcupine_kv(bad)

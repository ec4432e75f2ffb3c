"""edgekit.crdt.Text replays real editing traces (josephg/editing-traces, CC BY 4.0) exactly."""

from __future__ import annotations

import gzip
import json

import pytest

from edgekit.crdt.text import Text

SEQUENTIAL = ("automerge-paper", "seph-blog1", "rustcode")


def load(shared_data, name):
    return json.loads(gzip.decompress((shared_data / "editing-traces" / f"{name}.json.gz").read_bytes()))


@pytest.mark.parametrize("name", SEQUENTIAL)
def test_sequential_trace_gives_end_content(shared_data, name):
    trace = load(shared_data, name)
    doc = Text("author")
    doc.insert(0, trace["startContent"])
    insert, delete = doc.insert, doc.delete
    for txn in trace["txns"]:
        for pos, n_deleted, inserted in txn["patches"]:
            if n_deleted:
                delete(pos, n_deleted)
            if inserted:
                insert(pos, inserted)
    assert str(doc) == trace["endContent"]


def replay_concurrent(trace) -> tuple[list[Text], list]:
    """One replica per agent; each txn runs on its agent's replica at exactly its parents' version.

    An agent's replica holds its own earlier txns; before running a txn it is
    sent the other agents' ops that the txn's parents have seen and it has not.
    """
    n = trace["numAgents"]
    docs = [Text(f"agent{a}") for a in range(n)]
    ops_of = []  # txn index -> the ops it made
    seen = []  # txn index -> per agent, how many of its txns that txn's version contains
    by_agent = [[] for _ in range(n)]  # agent -> its txn indices in order
    held = [[0] * n for _ in range(n)]  # replica -> per agent, how many of its txns it holds
    for i, txn in enumerate(trace["txns"]):
        version = [0] * n
        for p in txn["parents"]:
            version = [max(a, b) for a, b in zip(version, seen[p], strict=True)]
        agent = txn["agent"]
        doc = docs[agent]
        assert held[agent][agent] == version[agent], "an agent's own txns form a chain"
        for other in range(n):
            if other != agent:
                assert held[agent][other] <= version[other]
                doc.apply([op for j in by_agent[other][held[agent][other]:version[other]] for op in ops_of[j]])
                held[agent][other] = version[other]
        ops = []
        for pos, n_deleted, inserted in txn["patches"]:
            if n_deleted:
                ops += doc.delete(pos, n_deleted)
            if inserted:
                ops += doc.insert(pos, inserted)
        ops_of.append(ops)
        by_agent[agent].append(i)
        version[agent] += 1
        held[agent][agent] += 1
        seen.append(version)
    everything = [op for ops in ops_of for op in ops]
    for doc in docs:
        doc.apply(everything)  # the rest, plus every op it already has, again
    return docs, everything


def test_concurrent_trace_converges_to_end_content(shared_data):
    trace = load(shared_data, "friendsforever-concurrent")
    docs, ops = replay_concurrent(trace)
    assert [str(doc) for doc in docs] == [trace["endContent"]] * trace["numAgents"]
    assert all(not doc.buffered for doc in docs)
    # a late replica given every op newest first buffers nearly all of them, and ends the same
    late = Text("late")
    late.apply(reversed(ops))
    assert str(late) == trace["endContent"] and not late.buffered
    # so does one that loads a replica's saved state
    assert str(Text.from_json(docs[0].to_json(), replica="loaded")) == trace["endContent"]

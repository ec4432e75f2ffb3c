"""The text benchmark's peers replay edits correctly behind the one loop they share (no timing here)."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import text_peers  # noqa: E402
from text_trace import replay  # noqa: E402


def edits(seed: int, n: int = 400):
    """Random (pos, deleted, inserted) edits, typing-like runs and jumps, and the text they make."""
    rnd = random.Random(seed)
    text, out, at = "", [], 0
    for _ in range(n):
        if rnd.random() < 0.2:
            at = rnd.randint(0, len(text))
        if text and rnd.random() < 0.35:
            at = min(at, len(text) - 1)
            nd = rnd.randint(1, min(3, len(text) - at))
            out.append((at, nd, ""))
            text = text[:at] + text[at + nd:]
        else:
            s = rnd.choice(["a", "b", "xy", "hello "])
            out.append((at, 0, s))
            text, at = text[:at] + s + text[at:], at + len(s)
    return out, text


@pytest.mark.parametrize("peer", list(text_peers.PEERS))
@pytest.mark.parametrize("seed", range(3))
def test_every_peer_replays_to_the_same_text(peer, seed, monkeypatch):
    module = text_peers.MODULES.get(peer, "")
    if module and importlib.util.find_spec(module.split(".")[0]) is None:
        pytest.skip(f"{module} is not installed for this Python")
    monkeypatch.setattr(text_peers.ChunkedList, "SIZE", 4)  # many chunks: splits and deletes across them
    patches, expected = edits(seed)
    impl = text_peers.PEERS[peer]()
    replay(patches, impl.insert, impl.delete)
    impl.commit()
    text, sizes = impl.result()
    assert text == expected
    assert sizes and all(v > 0 for v in sizes.values())
    assert set(text_peers.BATCHING) == set(text_peers.PEERS)

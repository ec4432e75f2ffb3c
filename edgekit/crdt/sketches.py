"""The talk's sketches as CRDTs: Bloom filter, HyperLogLog and a count-min sketch.

A sketch answers an approximate question in a fixed, small space. Two of
them are CRDTs as they stand: a Bloom filter merges by bitwise OR, a
HyperLogLog by register-wise maximum; both are idempotent, so a duplicated
merge changes nothing.

A count-min sketch is not: its cells are counters and the textbook merge
adds them cell by cell, which double-counts on a duplicated merge (the talk's
integer-addition example). ``CountMinSketch`` here keeps one matrix per
replica, written only by that replica, and merges by cell-wise *maximum*:
the G-Counter idea applied to every cell. An estimate adds the replicas' rows
up. The cost is one matrix per replica on the wire instead of one in total.

Hashing is blake2b over the element's JSON text: the same positions in every
process (Python's ``hash`` of a str changes from run to run).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cached_property

from .._checks import brief, check_int
from .base import StateCRDT, check_amount, check_count, check_replica, to_plain

__all__ = ["BloomFilter", "HyperLogLog", "CountMinSketch", "hash64", "MAX_CELLS"]

MAX_CELLS = 1 << 20  # counters in one count-min matrix: 8 MB of references, far past any teaching use


def hash64(x, salt: int = 0) -> int:
    """A 64-bit hash of a JSON-able value, identical in every process."""
    if isinstance(salt, bool) or not isinstance(salt, int) or not 0 <= salt < 1 << 64:
        raise TypeError(f"salt={brief(salt)}: expected an int from 0 to 2**64 - 1")
    if isinstance(x, str):  # fast paths for the common cases; the prefix keeps "1" and 1 apart
        data = b"s" + x.encode()
    elif isinstance(x, int) and not isinstance(x, bool):
        data = b"i%d" % x
    else:
        data = b"j" + json.dumps(to_plain(x), sort_keys=True).encode()
    return int.from_bytes(hashlib.blake2b(data, digest_size=8, salt=salt.to_bytes(8, "little")).digest(), "big")


def _b64(name: str, text, size: int) -> bytes:
    """Base64 ``text`` that decodes to exactly ``size`` bytes (what ``to_json`` writes)."""
    if not isinstance(text, str) or len(text) != 4 * ((size + 2) // 3):
        raise ValueError(f"{name}={brief(text)}: expected base64 text of {size} bytes")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise ValueError(f"{name}={brief(text)}: expected base64 text of {size} bytes") from None


def _iterable(name: str, xs) -> None:
    if isinstance(xs, (str, bytes)) or not hasattr(xs, "__iter__"):
        raise TypeError(f"{name}={brief(xs)}: expected an iterable of elements, such as a list")


def _same_shape(a, b, names: tuple[str, ...]) -> None:
    if any(getattr(a, n) != getattr(b, n) for n in names):
        shape = lambda s: ", ".join(f"{n}={getattr(s, n)}" for n in names)  # noqa: E731
        raise ValueError(f"cannot merge {type(a).__name__}({shape(a)}) with ({shape(b)}): expected equal {', '.join(names)}")


@dataclass(frozen=True)
class BloomFilter(StateCRDT):
    """Set membership with false positives but no false negatives; merge is bitwise OR.

    >>> a = BloomFilter(m=256, k=3).add("x"); b = BloomFilter(m=256, k=3).add("y")
    >>> "x" in (a | b), "y" in (a | b), (a | b) == (a | b | a)
    (True, True, True)
    """

    m: int = 1024  # bits
    k: int = 4  # hash functions
    bits: int = 0

    def __post_init__(self):
        check_int(self.m, "m", 8, 1 << 24)
        check_int(self.k, "k", 1, 64)
        if isinstance(self.bits, bool) or not isinstance(self.bits, int):
            raise TypeError(f"bits={brief(self.bits)}: expected an int whose bit i is position i")
        if self.bits < 0 or self.bits >> self.m:
            raise ValueError(f"bits: {self.bits.bit_length()} bits set or negative; expected positions 0 to m-1={self.m - 1}")

    def positions(self, x) -> list[int]:
        # Double hashing (Kirsch & Mitzenmacher 2006): k positions from two hashes.
        h1, h2 = hash64(x, 1), hash64(x, 2) | 1
        return [(h1 + i * h2) % self.m for i in range(self.k)]

    def add(self, x) -> BloomFilter:
        bits = self.bits
        for p in self.positions(x):
            bits |= 1 << p
        return BloomFilter(self.m, self.k, bits)

    def add_all(self, xs) -> BloomFilter:
        """Add every element of ``xs`` (one new value instead of one per element)."""
        _iterable("xs", xs)
        bits = self.bits
        for x in xs:
            for p in self.positions(x):
                bits |= 1 << p
        return BloomFilter(self.m, self.k, bits)

    def __contains__(self, x) -> bool:
        return all(self.bits >> p & 1 for p in self.positions(x))

    @property
    def value(self) -> float:
        """Estimated number of distinct elements added (Swamidass & Baldi 2007)."""
        ones = self.bits.bit_count()
        if ones >= self.m:
            return math.inf
        return -self.m / self.k * math.log(1 - ones / self.m)

    def false_positive_rate(self) -> float:
        """Chance that an element never added tests positive, at the current fill."""
        return (self.bits.bit_count() / self.m) ** self.k

    def _join(self, other: BloomFilter) -> BloomFilter:
        _same_shape(self, other, ("m", "k"))
        return BloomFilter(self.m, self.k, self.bits | other.bits)

    def _leq(self, other: BloomFilter) -> bool:
        _same_shape(self, other, ("m", "k"))
        return self.bits & ~other.bits == 0

    def _json(self) -> dict:
        raw = self.bits.to_bytes((self.m + 7) // 8, "little")
        return {"m": self.m, "k": self.k, "bits": base64.b64encode(raw).decode()}

    @classmethod
    def _from_json(cls, d: dict) -> BloomFilter:
        m = check_int(d.get("m"), "m", 8, 1 << 24)
        raw = _b64("bits", d.get("bits"), (m + 7) // 8)
        return cls(m, d.get("k"), int.from_bytes(raw, "little"))


@dataclass(frozen=True)
class HyperLogLog(StateCRDT):
    """Distinct-count estimate in 2**p small registers; merge is register-wise maximum.

    >>> h = HyperLogLog(p=10)
    >>> for i in range(1000): h = h.add(i)
    >>> abs(h.value - 1000) < 100, h == h | h
    (True, True)
    """

    p: int = 10  # 2**p registers; standard error about 1.04 / sqrt(2**p), 3.3% at p=10
    registers: bytes = field(default=b"", repr=False)

    def __post_init__(self):
        check_int(self.p, "p", 4, 16)
        if not isinstance(self.registers, bytes):
            raise TypeError(f"registers={brief(self.registers)}: expected bytes, one register each")
        if not self.registers:
            object.__setattr__(self, "registers", bytes(1 << self.p))
        elif len(self.registers) != 1 << self.p:
            raise ValueError(f"registers: {len(self.registers)} bytes, expected 2**p = {1 << self.p}")
        elif max(self.registers) > 65 - self.p:  # a rank counts bits of a (64 - p)-bit hash tail
            raise ValueError(f"registers: a rank of {max(self.registers)}; expected at most 65 - p = {65 - self.p}")

    def add(self, x) -> HyperLogLog:
        return self.add_all([x])

    def add_all(self, xs) -> HyperLogLog:
        """Add every element of ``xs``: each sets its register to at least its hash's rank."""
        _iterable("xs", xs)
        regs = bytearray(self.registers)
        tail = 64 - self.p
        for x in xs:
            h = hash64(x)
            index, rest = h >> tail, h & ((1 << tail) - 1)
            rank = tail - rest.bit_length() + 1  # position of the first 1 bit after the index
            if regs[index] < rank:
                regs[index] = rank
        return HyperLogLog(self.p, bytes(regs)) if regs != self.registers else self

    @cached_property
    def value(self) -> float:
        """Estimated number of distinct elements (Flajolet et al. 2007, 64-bit hash)."""
        m = 1 << self.p
        alpha = 0.7213 / (1 + 1.079 / m)
        estimate = alpha * m * m / sum(2.0**-r for r in self.registers)
        zeros = self.registers.count(0)
        if estimate <= 2.5 * m and zeros:  # small range: linear counting is better
            return m * math.log(m / zeros)
        return estimate

    def _join(self, other: HyperLogLog) -> HyperLogLog:
        _same_shape(self, other, ("p",))
        return HyperLogLog(self.p, bytes(map(max, self.registers, other.registers)))

    def _leq(self, other: HyperLogLog) -> bool:
        _same_shape(self, other, ("p",))
        return all(a <= b for a, b in zip(self.registers, other.registers, strict=True))

    def _json(self) -> dict:
        return {"p": self.p, "registers": base64.b64encode(self.registers).decode()}

    @classmethod
    def _from_json(cls, d: dict) -> HyperLogLog:
        p = check_int(d.get("p"), "p", 4, 16)
        return cls(p, _b64("registers", d.get("registers"), 1 << p))


@dataclass(frozen=True)
class CountMinSketch(StateCRDT):
    """Per-item count estimates that never undercount; one matrix per replica, merged by max.

    >>> a = CountMinSketch().add("A", "x", 3)
    >>> b = CountMinSketch().add("B", "x", 2)
    >>> (a | b).estimate("x"), (a | b | b).estimate("x")      # a duplicate merge adds nothing
    (5, 5)
    """

    width: int = 64
    depth: int = 4
    rows: tuple[tuple[str, tuple[int, ...]], ...] = ()  # replica -> depth*width cells, sorted

    def __post_init__(self):
        check_int(self.width, "width", 2, MAX_CELLS)
        check_int(self.depth, "depth", 1, 32)
        if self.width * self.depth > MAX_CELLS:
            raise ValueError(f"width={brief(self.width)}, depth={brief(self.depth)}: expected width*depth <= {MAX_CELLS} cells")

    @cached_property
    def _map(self) -> dict[str, tuple[int, ...]]:
        return dict(self.rows)

    def cells(self, x) -> list[int]:
        """The cell of ``x`` in each row (one independent hash per row)."""
        return [d * self.width + hash64(x, 100 + d) % self.width for d in range(self.depth)]

    def add(self, replica: str, x, n: int = 1) -> CountMinSketch:
        """Count ``n`` more of ``x`` at ``replica``."""
        check_replica(replica)
        check_amount(n)
        mine = list(self._map.get(replica) or [0] * (self.width * self.depth))
        for c in self.cells(x):
            mine[c] = check_count(mine[c] + n, f"cell count of {replica!r} after adding {n}")
        return CountMinSketch(self.width, self.depth, tuple(sorted({**self._map, replica: tuple(mine)}.items())))

    def estimate(self, x) -> int:
        """At least the true count of ``x``; more when other items share its cells."""
        if not self.rows:
            return 0
        return min(sum(cells[c] for _, cells in self.rows) for c in self.cells(x))

    @property
    def value(self) -> int:
        """The total count of everything added (every row of a matrix sums to it)."""
        return sum(sum(cells[: self.width]) for _, cells in self.rows)

    def _join(self, other: CountMinSketch) -> CountMinSketch:
        _same_shape(self, other, ("width", "depth"))
        merged = dict(self._map)
        for r, cells in other.rows:
            merged[r] = tuple(map(max, merged[r], cells)) if r in merged else cells
        return CountMinSketch(self.width, self.depth, tuple(sorted(merged.items())))

    def _leq(self, other: CountMinSketch) -> bool:
        _same_shape(self, other, ("width", "depth"))
        theirs = other._map
        return all(r in theirs and all(map(int.__le__, c, theirs[r])) for r, c in self.rows)

    def _json(self) -> dict:
        return {"width": self.width, "depth": self.depth, "rows": {r: list(c) for r, c in self.rows}}

    @classmethod
    def _from_json(cls, d: dict) -> CountMinSketch:
        rows = d.get("rows")
        if not isinstance(rows, dict):
            raise TypeError(f"rows={brief(rows)}: expected a dict of replica -> cells")
        s = cls(d.get("width"), d.get("depth"))
        if len(rows) * s.width * s.depth > MAX_CELLS * 4:
            raise ValueError(f"rows: {len(rows)} replicas of {s.width * s.depth} cells; expected at most {MAX_CELLS * 4} cells")
        for r, cells in rows.items():
            if not isinstance(cells, list) or len(cells) != s.width * s.depth:
                raise ValueError(f"rows[{brief(r)}]: expected a list of width*depth = {s.width * s.depth} counts")
            for c in cells:
                check_amount(c, f"rows[{r!r}] cell")
        return cls(s.width, s.depth, tuple(sorted((check_replica(r), tuple(c)) for r, c in rows.items())))

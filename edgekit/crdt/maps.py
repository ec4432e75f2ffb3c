"""ORMap: a map from string keys to CRDTs, with add-wins keys.

Why an OR-Map rather than an LWW-Map: an LWW-Map keeps, for each key, the one
write with the latest timestamp, so two replicas that increment the same
counter concurrently lose one increment, and whoever's clock runs ahead wins.
An OR-Map *merges* the values under a key (counters add up, sets unite, MV
registers keep siblings), needs no clocks, and its keys behave like an
``ORSet``: a remove hides only the key's updates it has seen, so a concurrent
update keeps the key alive.

The price, stated plainly: a removed key's CRDT is kept (hidden), and a later
update joins into it. Throwing it away would make the result of a merge
depend on whether some replica still holds an old copy, and merge would stop
being associative. Resetting values on remove needs every value to be a dot
store sharing the map's causal context (Almeida, Shoker, Baquero 2018, the
"OR-Map" over dot stores); this map works with any CRDT instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .._checks import brief
from .base import StateCRDT, check_replica
from .orset import ORSet

__all__ = ["ORMap"]


def _check_key(key) -> str:
    if not isinstance(key, str):
        raise TypeError(f"key={brief(key)}: expected a string (JSON object keys are strings)")
    return key


@dataclass(frozen=True)
class ORMap(StateCRDT):
    """String keys to CRDTs: ``put`` joins a value in, ``remove`` hides a key (add-wins).

    >>> from edgekit.crdt import GCounter
    >>> a = ORMap().put("A", "likes", GCounter().increment("A"))
    >>> b = ORMap().put("B", "likes", GCounter().increment("B", 2))
    >>> (a | b).value
    {'likes': 3}
    """

    keys: ORSet = ORSet()  # which keys are present: an add-wins set of keys
    values: tuple[tuple[str, StateCRDT], ...] = ()  # sorted by key; kept after a remove

    @cached_property
    def _map(self) -> dict[str, StateCRDT]:
        return dict(self.values)

    @property
    def value(self) -> dict:
        present = self.keys.value
        return {k: v.value for k, v in self.values if k in present}

    def get(self, key: str, default=None):
        """The CRDT under ``key``, or ``default`` when the key is absent."""
        _check_key(key)
        return self._map[key] if key in self.keys.value else default

    def put_delta(self, replica: str, key: str, value: StateCRDT) -> ORMap:
        """The key's fresh dot and ``value`` (which may itself be a delta of the value)."""
        check_replica(replica)
        _check_key(key)
        if not isinstance(value, StateCRDT):
            raise TypeError(f"value={brief(value)}: expected a CRDT value such as GCounter()")
        return ORMap(self.keys.add_delta(replica, key), ((key, value),))

    def put(self, replica: str, key: str, value: StateCRDT) -> ORMap:
        """Join ``value`` into the CRDT under ``key`` (a different CRDT type is a TypeError)."""
        return self | self.put_delta(replica, key, value)

    def update(self, replica: str, key: str, fn, bottom: StateCRDT) -> ORMap:
        """Apply ``fn`` to the CRDT under ``key`` (``bottom`` if absent) and put the result.

        >>> from edgekit.crdt import GCounter
        >>> ORMap().update("A", "n", lambda c: c.increment("A", 5), GCounter()).value
        {'n': 5}
        """
        if not callable(fn):
            raise TypeError(f"fn={brief(fn)}: expected a function CRDT -> CRDT, such as lambda c: c.increment('A')")
        if not isinstance(bottom, StateCRDT):
            raise TypeError(f"bottom={brief(bottom)}: expected a CRDT value such as GCounter()")
        current = self._map.get(_check_key(key), bottom)
        return self.put(replica, key, fn(current))

    def remove_delta(self, key: str) -> ORMap:
        return ORMap(self.keys.remove_delta(_check_key(key)), ())

    def remove(self, key: str) -> ORMap:
        """Hide ``key``: the updates seen so far no longer keep it present."""
        return self | self.remove_delta(key)

    def _join(self, other: ORMap) -> ORMap:
        if other is self:
            return self
        values = dict(self._map)
        for k, v in other.values:
            values[k] = values[k].merge(v) if k in values else v
        return ORMap(self.keys | other.keys, tuple(sorted(values.items())))

    def _leq(self, other: ORMap) -> bool:
        theirs = other._map
        return self.keys <= other.keys and all(
            k in theirs and type(v) is type(theirs[k]) and v <= theirs[k] for k, v in self.values
        )

    def _json(self) -> dict:
        keys = self.keys.to_json()
        del keys["type"]
        return {"keys": keys, "values": {k: v.to_json() for k, v in self.values}}

    @classmethod
    def _from_json(cls, d: dict) -> ORMap:
        from . import TYPES  # the registry of every CRDT type, by name

        if not isinstance(d.get("keys"), dict):
            raise TypeError(f"keys={brief(d.get('keys'))}: expected the key set's json (entries and context)")
        keys = ORSet._from_json(d["keys"])
        values = d.get("values")
        if not isinstance(values, dict):
            raise TypeError(f"values={brief(values)}: expected a dict of key -> CRDT json")
        out = {}
        for k, v in values.items():
            kind = v.get("type") if isinstance(v, dict) else None
            if not isinstance(kind, str) or kind not in TYPES:
                raise ValueError(f"values[{brief(k)}] type={brief(kind)}: expected one of {sorted(TYPES)}")
            out[k] = TYPES[kind].from_json(v)
        for _, k in keys.entries:
            if not isinstance(k, str) or k not in out:
                raise ValueError(f"keys: key {brief(k)} has no entry in values; expected a string key with a value")
        return cls(keys, tuple(sorted(out.items())))

"""edgekit.crdt: state-based CRDTs as immutable values, their laws, and a text CRDT.

Every state-based type follows one contract: ``Type()`` is the bottom
element; mutators take the acting replica first where the type needs one and
return a new value; ``a.merge(b)`` and ``a | b`` are the join; ``a <= b`` is
the lattice order; ``==`` and ``hash`` follow the state; ``.value`` is what a
user sees; ``to_json()`` / ``Type.from_json(d)`` round-trip through plain JSON.

>>> from edgekit.crdt import ORSet
>>> a = ORSet().add("A", "milk")
>>> b = a.remove("milk")
>>> (a | b).value, (b | a | a).value
(frozenset(), frozenset())

``edgekit.crdt.laws`` checks the laws (commutative, associative, idempotent,
monotonic, convergent) on these types or on one you write yourself.
"""

from .base import StateCRDT
from .counters import GCounter, PNCounter
from .maps import ORMap
from .orset import ORSet
from .registers import LWWRegister, MVRegister
from .sets import GSet, LWWElementSet, TwoPSet
from .sketches import BloomFilter, CountMinSketch, HyperLogLog
from .text import Text  # op-based (not a state value): see its module

__all__ = [
    "StateCRDT",
    "GCounter",
    "PNCounter",
    "GSet",
    "TwoPSet",
    "LWWElementSet",
    "ORSet",
    "LWWRegister",
    "MVRegister",
    "ORMap",
    "BloomFilter",
    "HyperLogLog",
    "CountMinSketch",
    "Text",
    "TYPES",
]

TYPES: dict[str, type[StateCRDT]] = {
    cls.__name__: cls
    for cls in (GCounter, PNCounter, GSet, TwoPSet, LWWElementSet, ORSet, LWWRegister, MVRegister,
                ORMap, BloomFilter, HyperLogLog, CountMinSketch)
}
"""Every state-based type by name: what ``to_json()["type"]`` says."""

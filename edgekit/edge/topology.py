"""Who syncs with whom: a tree of sites, regional hubs and one root, built from geography.

Upstreams may have upstreams (the talk's "fractal" design): every node names
its parent, the root names none, and the same pull protocol runs on every
edge of the tree. Flat hub-and-spoke is the depth-1 tree (every site syncs
straight with the root); ``Topology.tree`` puts one hub per continent in
between. Hubs and the root are placed where they minimise the
request-weighted round trip to what they serve (a weighted 1-median over the
candidate places, using ``edgekit.geo.estimate_rtt_ms``).

Node ids are strings: a site is its place code (``"LHR"``), or ``"LHR#2"``
for a second site in the same metro; hubs are ``"hub:<place>"`` and the root
is ``"root:<place>"``.

>>> t = Topology.from_parents({"LHR": "hub:FRA", "CDG": "hub:FRA", "hub:FRA": "root:IAD",
...                            "root:IAD": None})
>>> t.root, t.sites, t.depth, t.path("LHR")
('root:IAD', ('LHR', 'CDG'), 2, ('LHR', 'hub:FRA', 'root:IAD'))
>>> Topology.from_parents({"LHR": "hub:FRA", "hub:FRA": "LHR"})
Traceback (most recent call last):
...
ValueError: parents: upstream of 'LHR' = 'hub:FRA': 'LHR' is its own descendant (cycle LHR -> hub:FRA -> LHR); expected a tree with one root
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from edgekit import geo

from .._checks import brief, check_hashable, check_items, check_number, naming

__all__ = ["Topology", "site_place", "choose_center"]


def site_place(node_id: str, name: str = "node_id") -> geo.Place:
    """The place of a node id: ``"LHR"``, ``"LHR#2"``, ``"hub:FRA"``, ``"root:azure:westeurope"``,
    or a replica of any of them (``"LHR/r1"``: replicas are in their cluster's PoP); an error names
    the caller's parameter ``name``."""
    if not isinstance(node_id, str):
        raise TypeError(f"{name}={brief(node_id)}: expected a string such as 'LHR' or 'hub:FRA'")
    code = node_id.split("/", 1)[0]
    for prefix in ("hub:", "root:"):
        if code.startswith(prefix):
            code = code[len(prefix):]
    return geo._place(code.split("#", 1)[0], name)


@lru_cache(maxsize=65536)
def _rtt(a: str, b: str) -> float:
    return geo.estimate_rtt_ms(geo.place(a), geo.place(b))


def choose_center(members: Mapping[str, float], candidates: Iterable[str]) -> str:
    """The candidate place code with the least request-weighted RTT to ``members`` (code -> weight).

    >>> choose_center({"LHR": 1, "SYD": 5}, ["LHR", "SIN", "SYD"])   # most requests: Sydney
    'SYD'
    """
    if not isinstance(members, Mapping):
        raise TypeError(f"members={brief(members)}: expected a mapping of place code to weight")
    for m, w in members.items():
        geo._place(m, "members")
        check_number(w, f"members[{brief(m)}]", 0)
    candidates = check_items(candidates, "candidates", str, "place codes such as ['LHR', 'SIN']")
    for i, c in enumerate(candidates):
        geo._place(c, f"candidates[{i}]")
    best, best_cost = None, None
    for c in candidates:  # ties: the first candidate in the given order wins
        cost = sum(w * _rtt(c, m) for m, w in members.items())
        if best_cost is None or cost < best_cost:
            best, best_cost = c, cost
    if best is None:
        raise ValueError("candidates=[]: expected at least one place to put an upstream")
    return best


@dataclass(frozen=True)
class Topology:
    """A tree: ``upstream[node]`` is the node it syncs with (None for the root)."""

    upstream: Mapping[str, str | None]

    def __post_init__(self) -> None:
        up = self.upstream
        if not isinstance(up, Mapping) or not up:
            raise ValueError(f"upstream={brief(up)}: expected a non-empty mapping node -> parent")
        for node, parent in up.items():
            if isinstance(node, str) and "/" in node:
                raise ValueError(f"node {brief(node)}: expected an id without '/' (it separates a cluster "
                                 "from its replicas: 'LHR/r1')")
            site_place(node)  # unknown places fail here, naming the code
            if parent is not None and parent not in up:
                raise ValueError(f"upstream of {brief(node)} = {brief(parent)}: not a node of this topology; "
                                 f"expected one of {sorted(up)} or None for the root")
        for node in up:
            seen = [node]
            parent = up[node]
            while parent is not None:
                if parent in seen:
                    cycle = " -> ".join(seen[seen.index(parent):] + [parent])
                    raise ValueError(f"upstream of {brief(node)} = {brief(up[node])}: {brief(parent)} is its own "
                                     f"descendant (cycle {cycle}); expected a tree with one root")
                seen.append(parent)
                parent = up[parent]
        roots = [n for n, p in up.items() if p is None]
        if len(roots) != 1:
            raise ValueError(f"upstream: {len(roots)} roots {roots}; expected exactly one node with "
                             "upstream None (the authoritative copy)")

    @classmethod
    def from_parents(cls, parents: Mapping[str, str | None]) -> Topology:
        """A topology from node -> parent; a parent that is not itself a key becomes the root."""
        if not isinstance(parents, Mapping):
            raise TypeError(f"parents={brief(parents)}: expected a mapping node -> parent (None for the root)")
        with naming("parents"):
            up = dict(parents)
            for p in list(up.values()):
                if p is not None and check_hashable(p, "parent", "a node id") not in up:
                    up[p] = None
            return cls(up)

    @classmethod
    def flat(cls, sites: Sequence[str], weights: Mapping[str, float] | None = None,
             root: str | None = None, candidates: Iterable[str] | None = None) -> Topology:
        """Hub and spoke: every site syncs with one root, by default at the best-placed place."""
        sites = _check_sites(sites)
        w = _weights(sites, weights)
        if root is None:
            root = choose_center(_by_place(w), candidates or [p.code for p in geo.places()])
        return cls.from_parents({s: f"root:{root}" for s in sites})

    @classmethod
    def tree(cls, sites: Sequence[str], weights: Mapping[str, float] | None = None,
             group_by: str = "continent", root: str | None = None) -> Topology:
        """Sites -> one hub per group (continent by default) -> root: the fractal tree, depth 2."""
        sites = _check_sites(sites)
        if group_by not in ("continent", "country"):
            raise ValueError(f"group_by={brief(group_by)}: expected 'continent' or 'country'")
        w = _weights(sites, weights)
        groups: dict[str, dict[str, float]] = {}
        for s in sites:
            groups.setdefault(getattr(site_place(s), group_by), {})[s] = w[s]
        parents: dict[str, str | None] = {}
        hub_weight: dict[str, float] = {}
        for members in groups.values():
            by_place = _by_place(members)
            hub = choose_center(by_place, list(by_place))  # a hub lives in one of its PoPs
            for s in members:
                parents[s] = f"hub:{hub}"
            hub_weight[hub] = hub_weight.get(hub, 0.0) + sum(members.values())
        if root is None:
            root = choose_center(hub_weight, [p.code for p in geo.places()])
        for hub in hub_weight:
            parents[f"hub:{hub}"] = f"root:{root}"
        return cls.from_parents(parents)

    # -- reading the tree --------------------------------------------------------------------

    @property
    def root(self) -> str:
        return next(n for n, p in self.upstream.items() if p is None)

    @property
    def sites(self) -> tuple[str, ...]:
        """The leaves: nodes no other node syncs with (they serve clients)."""
        parents = set(self.upstream.values())
        return tuple(n for n in self.upstream if n not in parents)

    @property
    def hubs(self) -> tuple[str, ...]:
        """Inner nodes other than the root."""
        parents = set(self.upstream.values())
        return tuple(n for n, p in self.upstream.items() if n in parents and p is not None)

    def children(self, node: str) -> tuple[str, ...]:
        return tuple(n for n, p in self.upstream.items() if p == node)

    def path(self, node: str) -> tuple[str, ...]:
        """``node``, its upstream, its upstream's upstream ... the root."""
        if not isinstance(node, str) or node not in self.upstream:
            raise ValueError(f"node={brief(node)}: not in this topology; expected one of {sorted(self.upstream)}")
        out = [node]
        while self.upstream[out[-1]] is not None:
            out.append(self.upstream[out[-1]])
        return tuple(out)

    @property
    def depth(self) -> int:
        """Hops from the farthest site to the root (1 for hub and spoke)."""
        return max(len(self.path(s)) - 1 for s in self.sites)

    def levels(self) -> list[tuple[str, ...]]:
        """Inner nodes grouped by height, lowest first: the order a final sync must go up."""
        height: dict[str, int] = {}
        for s in self.sites:
            for h, n in enumerate(self.path(s)):
                height[n] = max(height.get(n, 0), h)
        top = max(height.values())
        return [tuple(n for n in self.upstream if height[n] == h) for h in range(top + 1)]


def _check_sites(sites) -> tuple[str, ...]:
    if isinstance(sites, (str, bytes)) or not isinstance(sites, Sequence) or not sites:
        raise ValueError(f"sites={brief(sites)}: expected a non-empty list of site ids such as ['LHR', 'SYD']")
    for i, s in enumerate(sites):
        site_place(s, f"sites[{i}]")
    if len(set(sites)) != len(sites):
        raise ValueError(f"sites={brief(list(sites))}: expected each site once")
    return tuple(sites)


def _weights(sites: tuple[str, ...], weights: Mapping[str, float] | None) -> dict[str, float]:
    if weights is None:
        return {s: 1.0 for s in sites}
    if not isinstance(weights, Mapping):
        raise TypeError(f"weights={brief(weights)}: expected a mapping of site to weight, or None")
    missing = [s for s in sites if s not in weights]
    if missing:
        raise ValueError(f"weights: no weight for sites {missing}; expected one per site")
    return {s: check_number(weights[s], f"weights[{brief(s)}]", 0) for s in sites}


def _by_place(w: Mapping[str, float]) -> dict[str, float]:
    out: dict[str, float] = {}
    for s, x in w.items():
        code = site_place(s).code
        out[code] = out.get(code, 0.0) + x
    return out

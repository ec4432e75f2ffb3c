"""edgekit.live: the edge system's own node classes as real processes, over HTTP, on SQLite disks.

The nodes of ``edgekit.edge`` are sans-IO: the simulator is one context they run
in; this package is another. A process (``python -m edgekit.live root|hub|site
...``) runs one cluster, its front end and its replicas, the very ``Site``,
``Upstream`` and ``Replica`` objects the simulator runs, with no second
implementation of the protocol. The driver supplies the context: a real clock,
timers on the asyncio loop, ``send`` over HTTP, and a ``SQLiteStore`` per replica.

==============  ==============================================================================
``cli``         ``python -m edgekit.live``: the arguments, the safety rules for binding
``process``     one process from start to stop: its nodes on their disks, the parent watch
``host``        the nodes of a process, ``LiveContext``, commit-then-send, where messages go
``server``      the HTTP routes (aiohttp): ``/kv``, ``/sync``, ``/msg``, ``/health``, ``/metrics``
``transport``   outgoing syncs and in-site messages; optional geographic delay
``wire``        JSON bodies, size limits, tokens: every incoming message checked, 4xx in words
``sqlstore``    ``SQLiteStore``: the ``Store`` interface on SQLite in WAL mode
``clients``     HTTP clients that record what they saw (``ClientOp``), and a workload
``planet``      ``Planet``: a small planet of processes from Python or a notebook
``ending``      the end of a run: heal, quiet epochs, the kit's checkers on the final disks
``processes``   children that never outlive their parent (process groups, atexit, a pipe); faults
``proxy``       a TCP proxy that cuts, delays or drops a link between tiers (real faults)
``room``        ``Room``: a workshop's root and the attendees' sites that sync with it
``learner``     your own node class in a site (``--node``), the capstone's interface included
==============  ==============================================================================

**Why aiohttp.** One well-kept package (aio-libs, wheels for every supported
Python) that both serves and calls HTTP on the asyncio loop the nodes' timers
already live on: one loop per process, nothing to coordinate between a server
library, a client library and an ASGI server. Starlette + uvicorn + httpx would
be three packages and a protocol layer for the same job, and uvicorn wants to
own the process (its loop, its signals), which this driver must control itself:
the ready line with the port it bound, the parent watch, a stop that commits.
aiohttp also reads a body a chunk at a time, so every route can enforce its own
size limit before parsing. One trap, handled: aiohttp resends a PUT whose
connection broke (HTTP calls PUT idempotent), which a counter's write is not,
so the kit's own clients write with POST (``PUT`` works too, for curl).

Where it departs from a real deployment: the replicas of a cluster run as nodes
of one process by default (each with its own SQLite file; ``--remote`` moves one
into its own process); there is no TLS, so a token crosses the network in clear
(fine on a laptop or a workshop's room, not on the Internet); a child always
initiates (pull), so an upstream never needs to reach a child; timers and clocks
are the machine's, with no NTP discipline.

    from edgekit.live import Planet
    with Planet() as planet:            # root, two hubs, six sites as processes on 127.0.0.1
        planet.write("LHR", "cart", 7)
        planet.drive(ops=400)
        planet.settle(); print(planet.lost_writes())

Every child process runs ``python -m edgekit.live``, which imports this package first: so the names
below are imported when first used (PEP 562), and a child loads what a process needs (``process``),
not ``Planet`` with its clients and checkers.
"""

from importlib import import_module

__all__ = ["Planet", "Proxy", "Room", "SQLiteStore", "DEFAULT_SITES", "DEMO_CONFIG"]
_HOME = {"Planet": "planet", "DEFAULT_SITES": "planet", "DEMO_CONFIG": "planet", "Proxy": "proxy", "Room": "room",
         "SQLiteStore": "sqlstore"}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOME[name]}", __name__), name)


def __dir__() -> list:
    return sorted({*globals(), *__all__})

"""edgekit.grade: chapter 6's grader. You write an edge node; the kit hunts for its bugs.

The learner writes the site's half of the talk's system as a small sans-IO class
(``EdgeNode``: ``on_start``, ``on_read``, ``on_write``, ``on_epoch``, ``on_sync_response``)
and grades it stage by stage::

    from edgekit.grade import EdgeNode, GCounter, SyncRequest, grade

    class MyNode(EdgeNode):
        ...

    grade(MyNode, stage=1)   # serve locally; 2 pull sync; 3 loss and duplicates;
                             # 4 partitions and crashes; 5 finite capacity

``grade`` runs the node at a real PoP among the kit's own upstream clusters (a root at
Frankfurt, sometimes a hub at Singapore) and two PoPs running the reference node, under
seeded fault schedules, and checks from its own record of the run: acknowledged writes
lost, copies that do not converge after quiet, keys sent that no client touched, writes
counted twice, read-your-writes at the PoP, bytes per operation against the reference.
A failure comes back as the smallest failing run (shrunk), a space-time diagram with the
offending message highlighted, the likely misconception and the seed that replays it.

Modules: ``node`` (the interface), ``scenario`` (a run as a value: operations and explicit
faults), ``adapter`` (the only module that knows ``edgekit.edge``), ``host`` (calls and
checks a learner's handlers), ``world`` (one run on the simulator), ``trace`` and
``checks`` (the grader's record and what must hold of it), ``laws``, ``hints`` and
``diagnose`` (from a failed check to a misconception), ``shrink``, ``grader``, ``report``,
``stages``, ``errors``, ``reference`` (the hidden solutions) and ``gallery`` (wrong nodes
the grader must catch).
"""

from edgekit.crdt import GCounter
from edgekit.exercises import NOT_ANSWERED

from .adapter import SyncRequest, SyncResponse
from .gallery import GALLERY, Mistake
from .grader import grade
from .node import EdgeNode, NodeContext
from .report import Report
from .stages import STAGES, Stage

__all__ = ["EdgeNode", "NodeContext", "GCounter", "SyncRequest", "SyncResponse", "NOT_ANSWERED", "grade",
           "Report", "STAGES", "Stage", "GALLERY", "Mistake"]

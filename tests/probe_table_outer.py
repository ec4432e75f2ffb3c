"""grade, live, exercises, chapters, doctor and figures: one valid call of every public name that
takes input, for the bad-input probe; and, with the reason, the names left out."""

import importlib
import tempfile
from functools import partial
from pathlib import Path

import plotly.graph_objects as go

from edgekit import chapters, doctor
from edgekit import exercises as ex
from edgekit.figures import cap as fcap
from edgekit.figures import display as fdisplay
from edgekit.figures import edge as fedge
from edgekit.figures import edge_map, style
from edgekit.figures import geo as fgeo
from edgekit.figures import time as ftime
from edgekit.grade import grade
from edgekit.grade.reference import reference
from edgekit.grade.scenario import generate
from edgekit.grade.stages import stage_of
from edgekit.live import cli, planet, wire


def probes(tmp=None):
    tmp = Path(tempfile.mkdtemp(prefix="edgekit-probe-")) if tmp is None else tmp
    for i in range(1, 7):
        importlib.import_module(f"edgekit.exercises.ch{i}")
    ids = sorted(ex.REGISTRY)
    out = [
        # grade: the learner's node is graded on seeded scenarios
        ("grade", grade, (reference(1), 1), {"seed": 0, "progress": False}),
        ("stage_of", stage_of, (2,), {}),
        ("generate", generate, (2, 0), {}),
        ("reference", reference, (3,), {}),
        # live: arguments checked before any process starts
        # start=False is fixed (a partial): a bad value in its place would start real processes
        ("Planet", partial(planet.Planet, start=False), (("LHR", "SYD"),), {"geo_scale": 0.5, "seed": 1,
                                                                            "data": str(tmp / "planet")}),
        ("config_from_json", cli.config_from_json, ('{"replicas": 2, "n": 1}',), {}),
        ("node_id_of", cli.node_id_of, ("hub", "FRA"), {}),
        ("load_class", cli.load_class, ("edgekit.grade.reference:PullSync",), {}),
        # where: the name the kit gives the bytes in its messages (here the parameter's own)
        ("parse_json", wire.parse_json, (b'{"value": 1}', "raw"), {}),
        ("write_arg", wire.write_arg, ({"value": 2},), {}),
        ("check_key", wire.check_key, ("cart",), {}),
        ("token_ok", wire.token_ok, ("s3cret", "Bearer s3cret"), {}),
        ("is_loopback", wire.is_loopback, ("127.0.0.1",), {}),
        ("Limits", wire.Limits, (4096, 2**20), {}),
        ("summary", planet.summary, ({},), {}),
        # exercises, chapters, the room check
        *[(f"check[{i}]", ex.check, (i, ex.NOT_ANSWERED), {}) for i in ids],
        ("choose", ex.choose, ("a", {"a": "yes", "b": "no"}, "a", {"b": "no, because"}, "right"), {}),
        ("solution", ex.solution, (ids[0],), {}),
        ("unanswered", ex.unanswered, (...,), {}),
        ("chapter", chapters.chapter, ("00-welcome.ipynb",), {}),
        ("python_check", doctor.python_check, ((3, 11, 0),), {}),
        ("chromium_check", doctor.chromium_check, (False, "/nonexistent/chromium"), {}),
        ("map_shapes_check", doctor.map_shapes_check, (style.WORLD_TOPOJSON,), {}),
        # figures whose arguments a learner or a widget control sets (the others draw the kit's records)
        ("wilson", fcap.wilson, (0.5, 100, 1.96), {}),
        ("design_style", fedge.design_style, ("tree",), {}),
        ("frame_times", edge_map.frame_times, (1000.0, 5), {}),
        ("spacetime_title", ftime.spacetime_title, ("lamport",), {}),
        ("latency_map", fgeo.latency_map, ("LHR", "fiber", "pop"), {}),
        ("pair_figure", fgeo.pair_figure, ("LHR", "SYD", 1.5), {}),
        ("pair_numbers", fgeo.pair_numbers, ("LHR", "SYD", 1.5), {}),
        ("budget_figure", fgeo.budget_figure, ("LHR", "SYD", {"page": 100.0}), {}),
        ("rtt_by", fgeo.rtt_by, ("fiber",), {}),
        ("source_label", fgeo.source_label, ("wonder",), {}),
        ("color", style.color, (3,), {}),
        ("symbol", style.symbol, (3,), {}),
        ("dash", style.dash, (3,), {}),
        ("mimebundle", fdisplay.mimebundle, (style.apply(go.Figure()),), {}),
        ("page_bundle", fdisplay.page_bundle, (style.apply(go.Figure()),), {}),
        ("install", fdisplay.install, (object(),), {}),  # not a kernel: installs nothing
    ]
    return out


NOT_PROBED = {
    # grade: records and the run's machinery (Crash and Cut: grade.scenario's; sim's are probed) (built by ``grade`` from a generated scenario; probed
    # through ``grade``, ``generate`` and tests/test_grade_hostile.py with nodes that misbehave)
    "Report", "Stage", "Mistake", "Failure", "Diagnosis", "OpRec", "MsgRec", "FaultRec", "Trace", "Scenario",
    "Op", "Drop", "Duplicate", "Hold", "Crash", "Cut", "LearnerFault", "World", "NodeHost", "KitHost", "NodeContext",
    "EdgeNode", "Serve", "PullSync", "MatchById", "Durable", "Bounded", "GCounter",
    "check_request", "upstreams", "root_state", "place_of", "is_protocol", "is_request", "edge_verdict",
    "for_learner", "short", "first_failure", "fmt", "diagnose", "where", "merge_law", "settling_law",
    "unanswered_handler", "story", "shrink", "run",
    # live: what needs a running process, a socket or a child (tests/test_live*.py start them)
    "Proxy", "Proc", "ProcessGroup", "Faults", "Ending", "Host", "LiveContext", "LearnerSite", "LiveClients",
    "LoopThread", "Transport", "SQLiteStore", "make_app", "main", "build", "resume", "front_end", "workload",
    "ask_upstream_id", "next_boot", "free_port", "stop_all", "one_way_ms", "parser", "dumps", "plain",
    "BadRequest", "Room",  # Room asks the root's /health as it is made
    # exercises: the registry's records, and the decorator the chapters' checkers are declared with
    "Exercise", "Feedback", "exercise", "instructor",
    # chapters and the room check: records, the whole table, and checks that start a kernel or read
    # the installed environment (tests/test_doctor.py drives them with stand-ins)
    "Chapter", "markdown_table", "Check", "requirements", "package_checks", "installed_check", "kernel_check",
    "disabled_plugins", "frontend_check", "widget_pair_check", "quiet_check",
    # figures that draw the records the kit returns (each figure's test builds them from a run)
    "cut_sides", "cap_figure", "pacelc_figure", "pbs_figure", "pbs_legs_figure", "history_timeline",
    "counterexample_timeline", "hasse_figure", "sketch_figure", "wire_size_figure", "comparison_figure",
    "pop_latency_figure", "sync_step_figure", "site_inside_figure", "read_miss_figure", "epoch_figure",
    "hot_key_figure", "storm_figure", "value_cost_figure", "writer_ids_figure", "propagation_map",
    "tree_map", "ladder_figure", "lru_figure", "run_figure", "lanes", "live_map", "trace_benchmark_figure",
    "two_editors_figure", "stamp_text", "event_texts", "spacetime_figure", "lww_map", "uncertainty_figure",
    "residual_table", "calibration_figure", "coordination_figure", "apply", "world_map", "map_assets_js",
}

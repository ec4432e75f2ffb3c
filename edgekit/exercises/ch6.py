"""Chapter 6 exercises: build the site's half of the talk's system, one stage at a time.

Each stage's check is the grader itself (``edgekit.grade.grade``) on that stage, turned into
plain-words feedback; the notebook calls ``grade`` directly to show the report with its
space-time diagram. ``solution("ch6.stage2")`` shows the reference class of the stage in
instructor mode (each builds on the previous stage's).
"""

from __future__ import annotations

from edgekit.exercises import Feedback, exercise
from edgekit.grade import grade
from edgekit.grade.reference import REFERENCES
from edgekit.grade.stages import STAGES


def _register(stage: int) -> None:
    st = STAGES[stage]

    @exercise(f"ch6.stage{stage}", f"Stage {stage}, {st.title.lower()}: {st.task}",
              "Write the handlers of the exercise cell, then grade. A failing report tells the smallest run "
              "that fails, the likely misconception and the seed that replays it.")
    def check_stage(node) -> Feedback:
        return grade(node, stage, progress=False).feedback()

    def reference():
        return REFERENCES[stage]

    reference.shows = REFERENCES[stage]  # solution() shows the class, not this function
    check_stage.reference(reference)


for _stage in STAGES:
    _register(_stage)

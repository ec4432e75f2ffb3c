"""Chapter 4 exercises: typical wrong answers get plain-words help."""

from dataclasses import dataclass

from edgekit.exercises import check


def test_which_merges_explains_the_law_a_wrong_pick_breaks():
    fb = check("ch4.which_merges", {"max": True, "sum": True, "average": False, "union": True,
                                    "keep the incoming value": False})
    assert not fb.ok and "'sum' is not safe" in fb.message and "not idempotent" in fb.message
    fb = check("ch4.which_merges", {"max": False, "sum": False, "average": False, "union": True,
                                    "keep the incoming value": False})
    assert not fb.ok and "'max' is safe" in fb.message
    fb = check("ch4.which_merges", {"max": True, "sum": False, "average": True, "union": True,
                                    "keep the incoming value": False})
    assert "not associative" in fb.message
    assert "missing: sum, average" in check("ch4.which_merges", {"max": True}).message


def test_max_register_that_adds_is_told_it_is_not_idempotent():
    @dataclass(frozen=True)
    class MaxRegister:
        value: int = 0

        def write(self, v):
            return MaxRegister(max(self.value, v))

        def merge(self, other):
            return MaxRegister(self.value + other.value)

    fb = check("ch4.max_register", MaxRegister)
    assert not fb.ok and "not idempotent" in fb.message and "duplicated message" in fb.message


def test_max_register_without_eq_or_with_a_missing_method():
    class MaxRegister:
        def __init__(self, value=0):
            self.value = value

        def write(self, v):
            return MaxRegister(max(self.value, v))

        def merge(self, other):
            return MaxRegister(max(self.value, other.value))

    assert "does not define ==" in check("ch4.max_register", MaxRegister).message

    @dataclass(frozen=True)
    class NoMerge:
        value: int = 0

        def write(self, v):
            return NoMerge(v)

    assert "has no merge" in check("ch4.max_register", NoMerge).message
    assert "expected your class itself" in check("ch4.max_register", NoMerge()).message


def test_a_set_whose_removes_do_not_stick_is_caught_by_the_specification():
    @dataclass(frozen=True)
    class MyTwoPSet:
        items: frozenset = frozenset()

        def add(self, x):
            return MyTwoPSet(self.items | {x})

        def remove(self, x):
            return MyTwoPSet(self.items - {x})

        def merge(self, other):
            return MyTwoPSet(self.items | other.items)

        @property
        def value(self):
            return self.items

    fb = check("ch4.two_phase_set", MyTwoPSet)
    assert not fb.ok and "the laws hold, but it is not a 2P-set" in fb.message
    assert "A removes 'x'; A adds 'x'" in fb.message and "can never come back" in fb.message


def test_a_set_whose_merge_forgets_removes_is_told_about_tombstones():
    @dataclass(frozen=True)
    class MyTwoPSet:
        added: frozenset = frozenset()
        removed: frozenset = frozenset()

        def add(self, x):
            return self if x in self.removed else MyTwoPSet(self.added | {x}, self.removed)

        def remove(self, x):
            return MyTwoPSet(self.added - {x}, self.removed | {x})

        def merge(self, other):  # forgets to apply the other side's removes
            return MyTwoPSet(self.added | other.added, self.removed | other.removed)

        @property
        def value(self):
            return self.added

    fb = check("ch4.two_phase_set", MyTwoPSet)
    assert not fb.ok and "merges" in fb.message and "tombstones" in fb.message


def test_a_set_that_lets_a_removed_element_back_in_is_caught():
    @dataclass(frozen=True)
    class MyTwoPSet:
        added: frozenset = frozenset()
        removed: frozenset = frozenset()

        def add(self, x):
            return MyTwoPSet(self.added | {x}, self.removed - {x})  # re-add "undoes" the remove

        def remove(self, x):
            return MyTwoPSet(self.added, self.removed | {x})

        def merge(self, other):
            return MyTwoPSet(self.added | other.added, self.removed | other.removed)

        @property
        def value(self):
            return self.added - self.removed

    fb = check("ch4.two_phase_set", MyTwoPSet)
    assert not fb.ok and ("not monotonic" in fb.message or "not a 2P-set" in fb.message
                          or "did not converge" in fb.message)


def test_a_register_that_changes_in_place_is_told_to_return_a_new_value():
    from dataclasses import dataclass

    from edgekit.exercises import check

    @dataclass
    class MaxRegister:
        value: int = 0

        def write(self, v):
            self.value = max(self.value, v)
            return self

        def merge(self, other):
            self.value = max(self.value, other.value)
            return self

    fb = check("ch4.max_register", MaxRegister)
    assert not fb.ok and "changed the value it was called on" in fb.message and "frozen=True" in fb.message


def test_a_two_phase_set_that_changes_in_place_is_told_to_return_a_new_value():
    @dataclass(frozen=False)
    class MyTwoPSet:
        added: set = None
        removed: set = None

        def __post_init__(self):
            self.added = set() if self.added is None else self.added
            self.removed = set() if self.removed is None else self.removed

        def add(self, x):
            self.added.add(x)
            return self

        def remove(self, x):
            self.removed.add(x)
            return self

        def merge(self, other):
            return MyTwoPSet(self.added | other.added, self.removed | other.removed)

        @property
        def value(self):
            return self.added - self.removed

    fb = check("ch4.two_phase_set", MyTwoPSet)
    assert not fb.ok and "changed the value it was called on" in fb.message


def test_mv_context_names_last_writer_wins_thinking_and_resurrection():
    from edgekit.crdt.experiments import mv_story

    story = mv_story()
    assert story[4].state.value == {"blue", "green"} and story[-1].state.value == {"teal", "navy"}
    assert check("ch4.mv_context", {"TEAL", "navy"}).ok
    assert "last-writer-wins" in check("ch4.mv_context", {"teal"}).message
    assert "concurrent" in check("ch4.mv_context", {"navy"}).message
    assert "will not come back" in check("ch4.mv_context", {"teal", "navy", "green"}).message
    assert "set of values" in check("ch4.mv_context", "teal").message


def test_dvv_figure_draws_every_step_with_its_dots_and_context():
    from edgekit.crdt.experiments import mv_story
    from edgekit.figures.crdt import dvv_figure

    fig = dvv_figure(mv_story())
    texts = [a.text for a in fig.layout.annotations]
    assert any("teal · (LHR,3)" in t and "context {LHR:3, SYD:1}" in t for t in texts)
    assert sum(1 for a in fig.layout.annotations if a.showarrow) == 3  # three syncs cross between the replicas

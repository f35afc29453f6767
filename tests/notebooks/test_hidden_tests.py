"""The hidden tests pass the reference and reject wrong answers, whatever inputs they draw.

Each exercise's autograder cell is judged in this process (tests/judge.py: judge_function),
for several inputs keys - as if several students had submitted - with the exercise's function
swapped for the answer under test. The same judging in real kernels is tests/bugbank.
"""

import time

import pytest
from buggy_answers import BUGGY, not_implemented, returns_none
from judge import judge_function

from grader import course
from grader.hidden_tests.judge import BEGIN, END, hidden_block

EXERCISES = list(BUGGY)
CASES = [(name, variant) for name, variants in BUGGY.items() for variant in variants]
KEYS = ["first-student", "second-student", "resubmission", "another-class"]


@pytest.mark.parametrize("name", EXERCISES)
def test_autograder_cell_declares_its_hidden_check(name, cells_by_grade_id):
    source = cells_by_grade_id[f"{name}_tests"].source
    visible, hidden = source.split(BEGIN)
    # students see the public check (so that Validate reports it), then where hidden tests go
    assert f"\n{name}_test({name})\n#" in visible and visible.count("\n") == 4
    assert hidden.rstrip().endswith(END)
    assert f"check(\n    {name}," in hidden_block(source)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("name", EXERCISES)
def test_reference_solution_passes_hidden_tests_quickly(name, key, solutions):
    start = time.perf_counter()
    passed, why = judge_function(name, getattr(solutions, name), key)
    assert passed, why
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("blank", [not_implemented, returns_none], ids=["stub", "returns_none"])
def test_blank_answer_fails_hidden_tests(name, blank):
    passed, why = judge_function(name, blank)
    assert not passed
    assert ("NotImplementedError" in why) if blank is not_implemented else "got None" in why


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # e.g. the square root of a negative s
@pytest.mark.parametrize("name, variant", CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_buggy_answer_fails_hidden_tests_for_every_key(name, variant):
    for key in KEYS:
        passed, why = judge_function(name, BUGGY[name][variant], key)
        assert not passed, (key, why)
        assert len(why) > 40, why  # says what is wrong, for which inputs


def test_hidden_tests_catch_what_the_public_tests_miss():
    """Mistakes the public checks let through are still caught at grading time."""
    for name, variant in [
        ("schedule_lr_decay", "round"),
        ("initialize_velocity", "one_array_per_shape"),
    ]:
        passed, why = judge_function(name, BUGGY[name][variant])
        assert not passed and why.startswith("AssertionError"), why


def test_each_check_is_declared_in_the_source_notebook_only():
    """The release holds no hidden checks; the source holds one per exercise."""
    release = course.RELEASE_NOTEBOOK.read_text()
    assert "grader.hidden_tests" not in release and "check(" not in release
    assert course.SOURCE_NOTEBOOK.read_text().count("from grader.hidden_tests import") == 8

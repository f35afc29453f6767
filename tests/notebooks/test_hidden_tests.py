"""The autograder cells (with their hidden tests) pass the reference and reject wrong answers.

Each autograder cell is executed in-process, in a namespace holding only the notebook's imports
and solution cells, with the exercise's function swapped for the answer under test.
"""

import time

import pytest
from buggy_answers import BUGGY, not_implemented, returns_none

EXERCISES = list(BUGGY)
CASES = [(name, variant) for name, variants in BUGGY.items() for variant in variants]


def run_autograder_cell(cells_by_grade_id, solutions, name, answer=None):
    """Execute the autograder cell of `name`, with `answer` in place of the reference."""
    namespace = dict(vars(solutions))
    if answer is not None:
        namespace[name] = answer
    source = cells_by_grade_id[f"{name}_tests"].source
    exec(compile(source, f"<autograder cell {name}_tests>", "exec"), namespace)


@pytest.mark.parametrize("name", EXERCISES)
def test_autograder_cell_has_hidden_tests(name, cells_by_grade_id):
    source = cells_by_grade_id[f"{name}_tests"].source
    visible, hidden = source.split("### BEGIN HIDDEN TESTS")
    # students see the public check, then a comment where the hidden tests go
    assert f"\n{name}_test({name})\n#" in visible and visible.count("\n") == 4
    assert hidden.rstrip().endswith("### END HIDDEN TESTS")
    assert hidden.count("assert ") >= 2
    # results are checked strictly and only with what a notebook cannot monkey-patch
    # (tests/grader/test_seal.py checks which names the hidden tests look up)
    for lenient in ("allclose", "isclose", "np.testing", "array_equal", "isinstance(", "np.all("):
        assert lenient not in hidden, lenient


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_solution_passes_hidden_tests_quickly(name, cells_by_grade_id, solutions):
    start = time.perf_counter()
    run_autograder_cell(cells_by_grade_id, solutions, name)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("name", EXERCISES)
@pytest.mark.parametrize("blank", [not_implemented, returns_none], ids=["stub", "returns_none"])
def test_blank_answer_fails_hidden_tests(name, blank, cells_by_grade_id, solutions):
    with pytest.raises(Exception):  # noqa: B017 - any exception fails the cell at grading time
        run_autograder_cell(cells_by_grade_id, solutions, name, blank)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # e.g. the square root of a negative s
@pytest.mark.parametrize("name, variant", CASES, ids=[f"{n}-{v}" for n, v in CASES])
def test_buggy_answer_fails_hidden_tests(name, variant, cells_by_grade_id, solutions):
    with pytest.raises(Exception) as failure:  # noqa: B017 - as above
        run_autograder_cell(cells_by_grade_id, solutions, name, BUGGY[name][variant])
    if failure.type is AssertionError:
        assert str(failure.value), "every hidden assert should explain what is wrong"


def test_hidden_tests_catch_what_the_public_tests_miss(cells_by_grade_id, solutions):
    """Mistakes the public checks let through are still caught at grading time."""
    for name, variant in [
        ("schedule_lr_decay", "round"),
        ("initialize_velocity", "one_array_per_shape"),
    ]:
        with pytest.raises(AssertionError) as failure:
            run_autograder_cell(cells_by_grade_id, solutions, name, BUGGY[name][variant])
        assert type(failure.value) is AssertionError  # a hidden assert, not the public check

"""The source notebook is stored clean and carries the nbgrader metadata the grader relies on."""

import re

import nbformat
import pytest

EXERCISES = {  # graded function -> points of its autograder cell, in notebook order
    "update_parameters_with_gd": 10,
    "random_mini_batches": 20,
    "initialize_velocity": 5,
    "update_parameters_with_momentum": 15,
    "initialize_adam": 5,
    "update_parameters_with_adam": 25,
    "update_lr": 5,
    "schedule_lr_decay": 15,
}
SKIP_TAG = "skip-autograde"


def metadata(grade_id, *, grade=False, locked=True, solution=False, **extra):
    return {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
        **extra,
    }


def test_file_is_valid_clean_nbformat_4_5(source_notebook, source_notebook_path):
    nbformat.validate(source_notebook)
    assert (source_notebook.nbformat, source_notebook.nbformat_minor) == (4, 5)
    assert source_notebook_path.read_text() == nbformat.writes(source_notebook) + "\n"
    assert set(source_notebook.metadata) == {"kernelspec", "language_info"}
    assert source_notebook.metadata.kernelspec.name == "python3"
    assert source_notebook.metadata.language_info == {"name": "python"}


def test_cells_are_clean_with_readable_unique_ids(source_notebook):
    ids = [cell.id for cell in source_notebook.cells]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9_-]+", cell_id) for cell_id in ids)
    for cell in source_notebook.cells:
        assert set(cell.metadata) <= {"nbgrader", "tags"}, cell.id
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_cells_have_the_grader_metadata(name, cells_by_grade_id):
    solution = cells_by_grade_id[name]
    assert solution.metadata.nbgrader == metadata(name, locked=False, solution=True)
    signature, rest = solution.source.split("### BEGIN SOLUTION")
    assert f"def {name}(" in signature and '"""' in signature  # students see the docstring
    assert rest.count("### END SOLUTION") == 1

    # One graded cell per exercise: the public check (so Validate reports a wrong or unfinished
    # exercise), then the hidden tests. It imports its check: the grader runs it on its own.
    autograder = cells_by_grade_id[f"{name}_tests"]
    assert autograder.metadata.nbgrader == metadata(
        f"{name}_tests", grade=True, points=EXERCISES[name]
    )
    public, hidden = autograder.source.split("### BEGIN HIDDEN TESTS")
    assert public.startswith(f"from utils.public_tests import {name}_test\n\n{name}_test({name})\n")
    assert hidden.count("### END HIDDEN TESTS") == 1
    assert f"public_{name}" not in cells_by_grade_id


def test_exercises_come_in_order_and_total_100_points(source_notebook):
    graded = [
        cell.metadata.nbgrader
        for cell in source_notebook.cells
        if cell.metadata.get("nbgrader", {}).get("grade")
    ]
    assert [entry["grade_id"] for entry in graded] == [f"{name}_tests" for name in EXERCISES]
    assert sum(entry["points"] for entry in graded) == 100
    order = [cell.id for cell in source_notebook.cells]
    for name in EXERCISES:
        assert order.index(name) + 1 == order.index(f"{name}_tests")


def test_only_training_and_plotting_cells_skip_autograding(source_notebook):
    for cell in source_notebook.cells:
        tagged = SKIP_TAG in cell.metadata.get("tags", [])
        heavy = "model(X, Y" in cell.source or "plt.show()" in cell.source
        if cell.cell_type != "code" or "nbgrader" in cell.metadata:
            assert not tagged, f"{cell.id} must run at grading time"
        elif heavy:
            assert tagged, f"{cell.id} trains or plots: tag it {SKIP_TAG}"


def test_model_follows_the_spec(cells_by_grade_id):
    source = cells_by_grade_id["model"].source
    assert (
        "def model(X, Y, layers_dims, optimizer, learning_rate=0.0007, mini_batch_size=64, beta=0.9,"
        in source
    )
    assert "beta1=0.9, beta2=0.999, epsilon=1e-8, num_epochs=10000, print_cost=True," in source
    assert "decay=None, decay_rate=1):" in source
    assert "seed = 10" in source and "seed = seed + 1" in source
    assert "learning_rate = decay(learning_rate0, epoch, decay_rate)" in source

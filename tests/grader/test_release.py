"""The committed student release is exactly what `python -m grader release` generates."""

from __future__ import annotations

import copy

import pytest

from grader import course
from grader.notebook_io import dumps_clean, read_notebook
from grader.release import build_release
from grader.validate import ReleaseInvalid, graded_cell_ids, validate_release

OURS = course.default_assignment()  # this repository's own assignment


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    target = tmp_path_factory.mktemp("release") / OURS.name
    return build_release(OURS, target)


def test_committed_release_is_in_sync_with_the_source(regenerated):
    assert regenerated.read_text() == OURS.release_notebook.read_text(), (
        "notebooks/release is stale: run `python -m grader release` and commit the result")


def test_release_has_no_answers_and_all_graded_cells():
    release, source = read_notebook(OURS.release_notebook), read_notebook(OURS.source_notebook)
    text = OURS.release_notebook.read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in text
    assert graded_cell_ids(release) == graded_cell_ids(source)
    assert len(graded_cell_ids(release)) == 8
    assert text.count("raise NotImplementedError()") == 8


def test_release_is_stored_clean():
    nb = read_notebook(OURS.release_notebook)
    assert OURS.release_notebook.read_text() == dumps_clean(nb)
    assert all(not cell.get("outputs") for cell in nb.cells)
    assert nb.metadata["optimization_methods"]["generated_by"] == "python -m grader release"


def test_source_notebook_is_stored_clean():
    nb = read_notebook(OURS.source_notebook)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        assert set(cell.metadata) <= {"nbgrader", "tags"}


@pytest.mark.parametrize("leak", ["### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"])
def test_validation_refuses_a_leaking_release(leak):
    release, source = read_notebook(OURS.release_notebook), read_notebook(OURS.source_notebook)
    leaking = copy.deepcopy(release)
    leaking.cells[-1].source += f"\n{leak}\n"
    with pytest.raises(ReleaseInvalid, match=leak.strip("# ")):
        validate_release(leaking, source)


def test_validation_refuses_a_release_missing_a_graded_cell():
    release, source = read_notebook(OURS.release_notebook), read_notebook(OURS.source_notebook)
    missing = copy.deepcopy(release)
    missing.cells = [c for c in missing.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != "update_lr_tests"]
    with pytest.raises(ReleaseInvalid, match="update_lr_tests"):
        validate_release(missing, source)

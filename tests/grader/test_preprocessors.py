"""Each grader preprocessor does its one job, including against a student working against it."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from traitlets.config import Config

from grader import course
from grader.notebook_io import read_notebook
from grader.preprocessors import FailUnrunTests, HideTestTracebacks, HonourSkipTags, RestoreCells
from grader.release import generate_assignment

OURS = course.default_assignment()  # this repository's own assignment


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gradebook")
    db_url = course.sqlite_url(tmp / "gradebook.db")
    generate_assignment(OURS, db_url, tmp / "course")
    return {"nbgrader": {"notebook": OURS.notebook, "assignment": OURS.name,
                         "student": "s", "db_url": db_url},
            "grader": {"cell_order": OURS.cell_order()}}


@pytest.fixture
def release():
    return read_notebook(OURS.release_notebook)


def ids(nb):
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


def cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_restore_puts_deleted_cells_back_in_place(release, resources):
    expected = ids(release)
    gone = {"update_lr_tests", "imports"}
    release.cells = [c for c in release.cells if ids_of(c) not in gone]
    nb, _ = RestoreCells().preprocess(release, resources)
    tracked = [i for i in ids(nb) if i]
    assert tracked == [i for i in expected if i]  # every instructor cell, in the source's order
    assert ids(nb)[ids(nb).index("update_lr") + 1] == "update_lr_tests"  # right where it was
    assert "NotImplementedError" not in cell(nb, "update_lr_tests").source
    assert "update_lr_test(update_lr)" in cell(nb, "update_lr_tests").source


def ids_of(c):
    return c.metadata.get("nbgrader", {}).get("grade_id")


def test_restore_resets_tampered_flags_and_drops_invented_graded_cells(release, resources):
    meta = cell(release, "update_parameters_with_adam_tests").metadata.nbgrader
    meta.update(points=1000, grade=False, locked=False)
    bonus = new_code_cell("pass")
    bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50,
                                  "locked": True, "solution": False, "schema_version": 3}
    release.cells.append(bonus)
    nb, _ = RestoreCells().preprocess(release, resources)
    meta = cell(nb, "update_parameters_with_adam_tests").metadata.nbgrader
    assert (meta["points"], meta["grade"], meta["locked"]) == (25, True, True)
    assert "nbgrader" not in nb.cells[-1].metadata


def test_skip_tag_only_honoured_on_free_cells():
    free = new_code_cell("train()", metadata={"tags": [course.SKIP_TAG]})
    test = new_code_cell("assert False", metadata={
        "tags": [course.SKIP_TAG], "nbgrader": {"grade_id": "x_tests", "grade": True}})
    nb = nbformat.v4.new_notebook(cells=[free, test])
    nb, _ = HonourSkipTags().preprocess(copy.deepcopy(nb), {})
    assert nb.cells[0].metadata["tags"] == [course.SKIP_TAG]
    assert nb.cells[1].metadata["tags"] == []
    config = Config()
    config.HonourSkipTags.enabled_skip = False
    nb, _ = HonourSkipTags(config=config).preprocess(nb, {})
    assert nb.cells[0].metadata["tags"] == []


def grade_cell(**fields):
    c = new_code_cell("check()", metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "t", "points": 5}})
    c.update(fields)
    return c


def test_unrun_test_cells_fail_and_displayed_scores_are_dropped():
    unrun = grade_cell(execution_count=None)
    faked = grade_cell(execution_count=3, outputs=[new_output(
        "execute_result", data={"text/plain": "5"}, execution_count=3)])
    nb = nbformat.v4.new_notebook(cells=[unrun, faked])
    nb, _ = FailUnrunTests().preprocess(nb, {})
    assert nb.cells[0].outputs[0].ename == "NotRun"
    assert nb.cells[1].outputs == []


def test_test_tracebacks_are_reduced_to_the_message():
    failed = grade_cell(execution_count=1, outputs=[new_output(
        "error", ename="AssertionError", evalue="W1 is wrong",
        traceback=["secret_expected = compute(...)", "assert close(W1, secret_expected)"])])
    nb, _ = HideTestTracebacks().preprocess(nbformat.v4.new_notebook(cells=[failed]), {})
    text = "\n".join(nb.cells[0].outputs[0].traceback)
    assert "AssertionError: W1 is wrong" in text and "secret" not in text

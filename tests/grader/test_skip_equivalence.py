"""Skipping the tagged training and plot cells changes nothing in the grades."""

from __future__ import annotations

import shutil

from grader import course
from grader.notebook_io import read_notebook

OURS = course.default_assignment()  # this repository's own assignment

# the reference, the blank release, buggy students (among them the optimizers training uses)
# and a kernel death; each trains six models in full with --no-skip (about 10 s each)
CHOSEN = ["reference", "blank", "bug-initialize-velocity", "bug-update-parameters-with-adam",
          "bug-schedule-lr-decay", "kills-kernel"]


def training_output(out, student) -> str:
    """What the first training cell printed in the student's autograded notebook."""
    nb = read_notebook(out / "autograded" / student / OURS.name /
                       f"{OURS.notebook}.ipynb")
    cell = next(cell for cell in nb.cells if cell.get("id") == "train-gd")
    return "".join(output.get("text", "") for output in cell.outputs)


def test_grades_are_the_same_with_and_without_skipping(graded_class, tmp_path, run_cli,
                                                       read_grades):
    submissions, skipped_out, _ = graded_class
    folder = tmp_path / "submissions"
    folder.mkdir()
    for student in CHOSEN:
        shutil.copy(submissions / f"{student}.ipynb", folder)
    full_out = tmp_path / "no-skip"
    result = run_cli("autograde", str(folder), "--out", str(full_out), "--no-skip",
                     "--timeout", "60", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    skipped, full = read_grades(skipped_out), read_grades(full_out)
    assert full == {student: skipped[student] for student in CHOSEN}
    # and the comparison is not vacuous: only the --no-skip run trained the models
    assert "training accuracy: 0.7967" in training_output(full_out, "reference")
    assert training_output(skipped_out, "reference") == ""

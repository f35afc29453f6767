"""A second, small nbgrader course built on the fly: other names, exercises and points.

It proves that nothing in grader/ is tied to this repository's assignment: course id, assignment
and notebook names, graded cells, points and column names all come from these files.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

COURSE_ID = "stats-101"
ASSIGNMENT = "week3"
NOTEBOOK = "descriptive stats"  # a space in the name, as instructors do
POINTS = {"mean_tests": 3, "clip_tests": 7}
CORRECT = {
    "mean": "def mean(xs):\n    return sum(xs) / len(xs)\n",
    "clip": "def clip(x, low, high):\n    return max(low, min(x, high))\n",
}
BUGGY = {  # mean is right, clip ignores the upper bound
    "mean": CORRECT["mean"],
    "clip": "def clip(x, low, high):\n    return max(low, x)\n",
}


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": locked,
            "schema_version": 3, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    """The instructor version: two exercises with hidden tests."""
    cells = [
        new_markdown_cell("# Week 3: descriptive statistics", metadata=_meta("intro", locked=True)),
        new_code_cell("def mean(xs):\n    ### BEGIN SOLUTION\n    return sum(xs) / len(xs)\n"
                      "    ### END SOLUTION\n", metadata=_meta("mean", solution=True)),
        new_code_cell("assert mean([1, 2, 3]) == 2, 'mean([1, 2, 3]) should be 2'\n"
                      "### BEGIN HIDDEN TESTS\n"
                      "assert mean([4.0, 8.0]) == 6.0, 'mean of two numbers is wrong'\n"
                      "assert mean([-5, 5, 30]) == 10, 'mean with negative numbers is wrong'\n"
                      "### END HIDDEN TESTS\n",
                      metadata=_meta("mean_tests", grade=True, locked=True,
                                     points=POINTS["mean_tests"])),
        new_code_cell("def clip(x, low, high):\n    ### BEGIN SOLUTION\n"
                      "    return max(low, min(x, high))\n    ### END SOLUTION\n",
                      metadata=_meta("clip", solution=True)),
        new_code_cell("assert clip(5, 0, 10) == 5, 'a value inside the range stays'\n"
                      "### BEGIN HIDDEN TESTS\n"
                      "assert clip(-3, 0, 10) == 0, 'clip should raise values below low to low'\n"
                      "assert clip(42, 0, 10) == 10, "
                      "'clip should lower values above high to high'\n"
                      "### END HIDDEN TESTS\n",
                      metadata=_meta("clip_tests", grade=True, locked=True,
                                     points=POINTS["clip_tests"])),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def write_course(root: Path, extra_config: str = "") -> Path:
    """The course folder: nbgrader_config.py and source/week3/<notebook>.ipynb."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        "c.CourseDirectory.root = '.'\n"
        "c.CourseDirectory.db_url = 'sqlite:///gradebook.db'\n" + extra_config)
    folder = root / "source" / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(), folder / f"{NOTEBOOK}.ipynb")
    return root


def submission(release: Path, answers: dict[str, str] | None) -> nbformat.NotebookNode:
    """The released notebook with `answers` (solution grade_id -> code) filled in."""
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if answers and grade_id in answers:
            cell.source = answers[grade_id]
    return nb

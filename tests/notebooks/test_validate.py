"""`nbgrader validate` tells a student the truth: which exercises are unfinished or wrong, and
success only when every check passes (the browser's Validate button: tests/browser)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from grader.samples import BUGS, Course
from utils.public_tests import EXERCISES

SUCCESS = "Success! Your notebook passes all the tests."


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """`nbgrader validate` output for the untouched release, one bug, and the reference."""
    course, folder = Course(), tmp_path_factory.mktemp("validate")
    notebooks = {"untouched": course.release, "buggy": course.answered(update_lr=BUGS["update_lr"]),
                 "correct": course.answered()}
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")

    def validate(name):
        return subprocess.run([sys.executable, "-m", "nbgrader", "validate", f"{name}.ipynb"],
                              cwd=folder, capture_output=True, text=True, timeout=900).stdout

    with ThreadPoolExecutor(max_workers=2) as pool:  # the two slow ones train six models
        return dict(zip(notebooks, pool.map(validate, notebooks), strict=True))


def flat(text):
    return " ".join(text.split())


def test_the_untouched_release_fails_on_every_exercise(validated):
    report = flat(validated["untouched"])
    assert SUCCESS not in report and "VALIDATION FAILED ON 8 CELL(S)!" in report
    for name, number in EXERCISES.items():
        assert f"CheckFailed: Exercise {number} ({name}): not implemented yet" in report


def test_one_wrong_exercise_is_named_with_its_message(validated):
    report = flat(validated["buggy"])
    assert SUCCESS not in report and "VALIDATION FAILED ON 1 CELL(S)!" in report
    assert "Exercise 7 (update_lr): update_lr(0.5, 2, 1) is 0.5, expected 0.16666666666666666" \
        in report


def test_a_correct_notebook_validates(validated):
    assert SUCCESS in validated["correct"]

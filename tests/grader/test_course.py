"""Courses and assignments are read from the course folder, never hard-wired in grader/."""

from __future__ import annotations

from pathlib import Path

import pytest
import tiny_course as tiny

from grader import course
from grader.course import Course, CourseError


def test_this_repository_course_is_read_from_its_config():
    ours = Course.load()
    assert ours.root == course.REPO / "notebooks"
    assert ours.course_id == "optimization-methods"
    assert ours.db_url == f"sqlite:///{ours.root / 'gradebook.db'}"  # relative to the course
    assignment = ours.assignment()
    assert sum(points for _, points in assignment.graded_cells()) == 100
    assert assignment.columns()[0] == "update_parameters_with_gd"
    assert len(assignment.columns()) == 8


def test_another_course_gives_its_own_names_points_and_columns(tmp_path):
    root = tiny.write_course(tmp_path / "c")
    assignment = Course.load(root).assignment()
    assert (assignment.course.course_id, assignment.name, assignment.notebook) == (
        tiny.COURSE_ID, tiny.ASSIGNMENT, tiny.NOTEBOOK)
    assert assignment.graded_cells() == [(k, float(v)) for k, v in tiny.POINTS.items()]
    assert assignment.columns() == ["mean", "clip"]
    assert assignment.course.db_url == f"sqlite:///{root / 'gradebook.db'}"


def test_a_course_without_config_is_named_after_its_folder(tmp_path):
    (tmp_path / "ml-2027" / "source" / "hw1").mkdir(parents=True)
    (tmp_path / "ml-2027" / "source" / "hw1" / "hw1.ipynb").write_text("{}")
    found = Course.load(tmp_path / "ml-2027")
    assert found.course_id == "ml-2027" and found.assignment_names() == ["hw1"]


def test_unclear_choices_are_refused_with_the_names(tmp_path):
    root = tiny.write_course(tmp_path / "c")
    other = root / "source" / "week4"
    other.mkdir()
    (other / "a.ipynb").write_text("{}")
    (other / "b.ipynb").write_text("{}")
    loaded = Course.load(root)
    with pytest.raises(CourseError, match="week3, week4"):
        loaded.assignment()
    with pytest.raises(CourseError, match="no assignment 'week9'.*week3, week4"):
        loaded.assignment("week9")
    with pytest.raises(CourseError, match="2 notebooks"):
        _ = loaded.assignment("week4").notebook
    with pytest.raises(CourseError, match="no course folder"):
        Course.load(tmp_path / "missing")


def test_no_module_of_the_grader_names_this_repository_assignment():
    ours = course.default_assignment()
    names = {ours.name, ours.course.course_id, *ours.columns()}
    for module in sorted(Path(course.__file__).parent.rglob("*.py")):
        if module.name == "samples.py":  # the demo's sample class answers this assignment
            continue
        for number, line in enumerate(module.read_text().splitlines(), 1):
            if line.startswith("METADATA_KEY ="):  # the project's own metadata key
                continue
            named = [name for name in names if f'"{name}"' in line or f"'{name}'" in line]
            assert not named, f"{module.name}:{number} names {named}"


def test_short_column_names_come_from_the_course_or_stay_unique():
    from grader.report import short_names

    ours = course.default_assignment()
    assert short_names(ours.columns(), ours.course)["update_parameters_with_momentum"] == \
        "momentum"
    generic = short_names(["mean", "update_parameters_with_gd", "learning_rate_decay",
                           "weight_decay_with_decay"])
    assert generic == {"mean": "mean", "update_parameters_with_gd": "gd",
                       "learning_rate_decay": "learning_rate_decay",
                       "weight_decay_with_decay": "weight_decay_with_decay"}

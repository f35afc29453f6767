"""A worker's private gradebook copies: one file and one SQLAlchemy engine per process, yet
each copy starts from its template and is gone once used."""

from __future__ import annotations

from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader import course, gradebook


@pytest.fixture
def template(tmp_path) -> Path:
    db = tmp_path / "template.db"
    with Gradebook(course.sqlite_url(db)) as gb:
        gb.add_student("in-the-template")
    return db


def students(url: str) -> list[str]:
    with Gradebook(url) as gb:
        return sorted(student.id for student in gb.students)


def test_each_copy_starts_from_its_template_and_reuses_one_engine(template):
    with gradebook.private_copy(template) as first:
        with Gradebook(first) as gb:
            gb.add_student("written-in-the-first-copy")
            engine = gb.engine
        assert students(first) == ["in-the-template", "written-in-the-first-copy"]
    file = Path(first[len("sqlite:///"):])
    assert not file.exists()  # gone before any student code could run
    with gradebook.private_copy(template) as second:
        assert second == first
        assert students(second) == ["in-the-template"]
        with Gradebook(second) as gb:
            assert gb.engine is engine
    assert students(course.sqlite_url(template)) == ["in-the-template"]  # template untouched


def test_a_copy_in_use_is_never_overwritten(template):
    with gradebook.private_copy(template), pytest.raises(RuntimeError):
        with gradebook.private_copy(template):
            pass


def test_other_gradebooks_keep_engines_of_their_own(template):
    url = course.sqlite_url(template)
    with Gradebook(url) as one, Gradebook(url) as other:
        assert one.engine is not other.engine

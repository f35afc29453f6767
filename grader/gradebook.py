"""The class gradebook (nbgrader's database): registration, saving scores, reading them back."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from traitlets.config import Config

from . import atomic, course, lock, pipeline
from .release import generate_assignment


class GradebookMismatch(Exception):
    """The gradebook was made for another version of the assignment."""


@lock.one_writer
def register(db_url: str, template_db: Path, workdir: Path) -> None:
    """Make sure the class gradebook knows the assignment described by `template_db`.

    A gradebook already holding the assignment is kept as long as its graded cells and points
    match the current source (nbgrader refuses to regenerate an assignment with submissions).
    """
    template_url = course.sqlite_url(template_db)
    new_sqlite = db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists()
    if new_sqlite:  # same content as a fresh registration, without running nbgrader again
        atomic.copy(template_db, Path(db_url[len("sqlite:///"):]))
        return
    with Gradebook(db_url, course.COURSE_ID) as gb:
        try:
            gb.find_assignment(course.ASSIGNMENT)
            known = True
        except MissingEntry:
            known = False
    if not known:
        generate_assignment(db_url, Path(workdir) / "registered-course")
    elif graded_cells(db_url) != graded_cells(template_url):
        raise GradebookMismatch(
            f"the gradebook at {db_url} was made for a different version of the assignment "
            "(graded cells or points differ); grade into a new --out folder or --db")


def graded_cells(db_url: str) -> list[tuple[str, float]]:
    """(grade_id, max points) of each autograded cell, in notebook order."""
    with Gradebook(db_url, course.COURSE_ID) as gb:
        notebook = gb.find_notebook(course.NOTEBOOK, course.ASSIGNMENT)
        cells = [(c.name, float(c.max_score)) for c in notebook.grade_cells]
    rank = {name: i for i, name in enumerate(course.cell_order())}
    return sorted(cells, key=lambda cell: rank.get(cell[0], len(rank)))


@lock.one_writer
def save(db_url: str, student_id: str, autograded: Path | None) -> None:
    """Record one student's scores (zeros when there is no autograded notebook)."""
    with Gradebook(db_url, course.COURSE_ID) as gb:
        gb.update_or_create_student(student_id)
        submission = gb.update_or_create_submission(course.ASSIGNMENT, student_id)
        atomic.crash_point("gradebook-save")  # test hook: the submission exists, scores not yet
        if autograded is None:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()
            return
    from .notebook_io import read_notebook

    nb = read_notebook(autograded)
    resources = {"nbgrader": {"notebook": course.NOTEBOOK, "assignment": course.ASSIGNMENT,
                              "student": student_id, "db_url": db_url}}
    pipeline.run(pipeline.SAVE, nb, resources, Config())


def scores(db_url: str, student_ids: list[str]) -> dict[str, dict[str, float]]:
    """Points per graded cell for each student (manual overrides win over autograder scores)."""
    table = {}
    with Gradebook(db_url, course.COURSE_ID) as gb:
        for student in student_ids:
            try:
                notebook = gb.find_submission_notebook(course.NOTEBOOK, course.ASSIGNMENT, student)
            except MissingEntry:
                continue
            table[student] = {grade.name: float(grade.score or 0) for grade in notebook.grades}
    return table

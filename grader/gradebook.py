"""The class gradebook (nbgrader's database): registration, saving scores, reading them back."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from nbgrader.api import Course, Gradebook, MissingEntry

from . import atomic, course, lock, pipeline
from .course import Assignment
from .release import generate_assignment


class GradebookMismatch(Exception):
    """The gradebook was made for another version of the assignment."""


@lock.one_writer
def register(assignment: Assignment, db_url: str, template_db: Path, workdir: Path) -> None:
    """Make sure the class gradebook knows the assignment described by `template_db`.

    A gradebook already holding the assignment is kept as long as its graded cells and points
    match the current source (nbgrader refuses to regenerate an assignment with submissions).
    """
    template_url = course.sqlite_url(template_db)
    new_sqlite = db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists()
    if new_sqlite:  # same content as a fresh registration, without running nbgrader again
        atomic.copy(template_db, Path(db_url[len("sqlite:///"):]))
        return
    with Gradebook(db_url, assignment.course.course_id) as gb:
        try:
            gb.find_assignment(assignment.name)
            known = True
        except MissingEntry:
            known = False
    if not known:
        generate_assignment(assignment, db_url, Path(workdir) / "registered-course")
    elif graded_cells(assignment, db_url) != graded_cells(assignment, template_url):
        raise GradebookMismatch(
            f"the gradebook at {db_url} was made for a different version of the assignment "
            "(graded cells or points differ); grade into a new --out folder or --db")


def graded_cells(assignment: Assignment, db_url: str) -> list[tuple[str, float]]:
    """(grade_id, max points) of each autograded cell, in notebook order."""
    with Gradebook(db_url, assignment.course.course_id) as gb:
        notebook = gb.find_notebook(assignment.notebook, assignment.name)
        cells = [(c.name, float(c.max_score)) for c in notebook.grade_cells]
    rank = {name: i for i, name in enumerate(assignment.cell_order())}
    return sorted(cells, key=lambda cell: rank.get(cell[0], len(rank)))


@lock.one_writer
def save(assignment: Assignment, db_url: str, student_id: str, autograded: Path | None,
         submitted_at: datetime | None = None) -> None:
    """Record one student's scores (zeros when there is no autograded notebook).

    `submitted_at` (nbgrader's timestamp.txt, an LMS attempt time) becomes the submission's
    timestamp: the formgrader then counts the submission as autograded, and late penalties
    apply as the course's LateSubmissionPlugin says.
    """
    with Gradebook(db_url, assignment.course.course_id) as gb:
        gb.update_or_create_student(student_id)
        stamp = {"timestamp": submitted_at} if submitted_at else {}
        submission = gb.update_or_create_submission(assignment.name, student_id, **stamp)
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
    resources = {"nbgrader": {"notebook": assignment.notebook, "assignment": assignment.name,
                              "student": student_id, "db_url": db_url}}
    pipeline.run(pipeline.SAVE, nb, resources, assignment.course.config)


def drop_stray_courses(assignment: Assignment, db_url: str) -> None:
    """Remove the empty 'default_course' row nbgrader's preprocessors add to every gradebook
    they open, so that only the course's own row is left."""
    with Gradebook(db_url, assignment.course.course_id) as gb:
        for other in gb.db.query(Course).filter(Course.id != assignment.course.course_id):
            if not other.assignments:
                gb.db.delete(other)
        gb.db.commit()


def scores(assignment: Assignment, db_url: str,
           student_ids: list[str]) -> dict[str, dict[str, float]]:
    """Points per graded cell for each student (manual overrides win over autograder scores)."""
    table = {}
    with Gradebook(db_url, assignment.course.course_id) as gb:
        for student in student_ids:
            try:
                notebook = gb.find_submission_notebook(assignment.notebook, assignment.name,
                                                       student)
            except MissingEntry:
                continue
            table[student] = {grade.name: float(grade.score or 0) for grade in notebook.grades}
    return table


def lateness(assignment: Assignment, db_url: str,
             student_ids: list[str]) -> dict[str, tuple[float, float]]:
    """(seconds late, nbgrader's late penalty) of each student's submission."""
    table = {}
    with Gradebook(db_url, assignment.course.course_id) as gb:
        for student in student_ids:
            try:
                submission = gb.find_submission(assignment.name, student)
            except MissingEntry:
                continue
            table[student] = (float(submission.total_seconds_late or 0),
                              float(submission.late_submission_penalty or 0))
    return table

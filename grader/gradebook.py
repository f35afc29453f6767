"""The class gradebook (nbgrader's database): registration, saving scores, reading them back."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nbgrader.api import (
    Assignment,
    BaseCell,
    Comment,
    Grade,
    Gradebook,
    MissingEntry,
    Notebook,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
)
from sqlalchemy import or_
from sqlalchemy.orm import selectinload
from traitlets.config import Config

from . import course, pipeline
from .release import generate_assignment


class GradebookMismatch(Exception):
    """The gradebook was made for another version of the assignment."""


def register(db_url: str, template_db: Path, workdir: Path) -> None:
    """Make sure the class gradebook knows the assignment described by `template_db`.

    A gradebook already holding the assignment is kept as long as its graded cells and points
    match the current source (nbgrader refuses to regenerate an assignment with submissions).
    """
    template_url = course.sqlite_url(template_db)
    new_sqlite = db_url.startswith("sqlite:///") and not Path(db_url[len("sqlite:///"):]).exists()
    if new_sqlite:  # same content as a fresh registration, without running nbgrader again
        shutil.copy(template_db, db_url[len("sqlite:///"):])
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


def save(db_url: str, student_id: str, autograded: Path | None,
         grader_entries: dict | None = None) -> None:
    """Record one student's scores with nbgrader's SaveAutoGrades (zeros without a notebook).

    `grader_entries` (see `grader_entries`) are put in first, as if a grader had entered them.
    """
    with Gradebook(db_url, course.COURSE_ID) as gb:
        gb.update_or_create_student(student_id)
        submission = gb.update_or_create_submission(course.ASSIGNMENT, student_id)
        if grader_entries:
            _enter(submission, grader_entries)
            gb.db.commit()
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


@contextmanager
def private_copy(template_db: Path) -> Iterator[str]:
    """The URL of a throw-away copy of a gradebook, for one worker's use."""
    with tempfile.TemporaryDirectory(prefix="gradebook-") as folder:
        db = Path(folder) / "gradebook.db"
        shutil.copy(template_db, db)
        yield course.sqlite_url(db)


def autograder_entries(db_url: str, student_id: str, cells: set[str]) -> dict:
    """What SaveAutoGrades wrote for `student_id`'s `cells`, per notebook: auto scores and
    auto comments (saved into the class gradebook later by `save_many`)."""
    with Gradebook(db_url, course.COURSE_ID) as gb:
        submission = gb.find_submission(course.ASSIGNMENT, student_id)
        return {nb.name: {"grades": {g.name: g.auto_score for g in nb.grades if g.name in cells},
                          "comments": {c.name: c.auto_comment for c in nb.comments
                                       if c.name in cells}}
                for nb in submission.notebooks}


def grader_entries(db_url: str, student_ids: list[str]) -> dict[str, dict]:
    """What graders entered by hand (manual scores, extra credit, comments) for each student
    who has any: a worker puts them in its private gradebook, so its feedback page shows them."""
    entries: dict[str, dict] = {}
    with Gradebook(db_url, course.COURSE_ID) as gb:
        for chunk in _chunks(student_ids):
            for kind, model, fields in (("grades", Grade, ("manual_score", "extra_credit")),
                                        ("comments", Comment, ("manual_comment",))):
                changed = or_(*(getattr(model, name).isnot(None) for name in fields))
                for row, student, cell in _of_students(gb, model, chunk).filter(changed):
                    values = {name: getattr(row, name) for name in fields}
                    entries.setdefault(student, {"grades": {}, "comments": {}})[kind][cell] = values
    return entries


def _enter(submission, entries: dict) -> None:
    for notebook in submission.notebooks:
        for kind, rows in (("grades", notebook.grades), ("comments", notebook.comments)):
            for row in rows:
                for name, value in entries[kind].get(row.name, {}).items():
                    setattr(row, name, value)


def save_many(db_url: str, results: list[tuple[str, dict | None]],
              gb: Gradebook | None = None, layout: Layout | None = None) -> None:
    """Record many students' scores in one transaction, exactly as `save` would one by one.

    Each result is (student_id, entries): the `autograder_entries` a worker computed from its
    private gradebook, or None for a student without an autograded notebook (zeros). `gb` and
    `layout`: an open gradebook to use (and leave open) and its assignment's Layout.
    """
    if not results:
        return
    if gb is None:
        with Gradebook(db_url, course.COURSE_ID) as opened:
            return save_many(db_url, results, opened, layout)
    layout = layout or Layout(gb)
    known, submissions = set(), {}
    for chunk in _chunks([student for student, _ in results]):
        known.update(id_ for (id_,) in gb.db.query(Student.id).filter(Student.id.in_(chunk)))
        notebooks = selectinload(SubmittedAssignment.notebooks)
        submissions.update((sub.student_id, sub) for sub in gb.db.query(SubmittedAssignment)
                           .options(notebooks.selectinload(SubmittedNotebook.grades),
                                    notebooks.selectinload(SubmittedNotebook.comments))
                           .filter(SubmittedAssignment.assignment_id == layout.assignment_id,
                                   SubmittedAssignment.student_id.in_(chunk)))
    for student_id, entries in results:
        if student_id not in known:
            gb.db.add(Student(id=student_id))
            known.add(student_id)
        if student_id not in submissions:
            submissions[student_id] = layout.new_submission(gb, student_id)
        for notebook in submissions[student_id].notebooks:
            name = layout.names[notebook.notebook_id]
            _put(notebook, None if entries is None else entries.get(name, {}), layout.names)
    gb.db.commit()


class Layout:
    """The assignment's notebooks and cells, by id, read once: rows are linked by id, since
    touching a relationship would load every student's rows."""

    def __init__(self, gb: Gradebook):
        assignment = gb.find_assignment(course.ASSIGNMENT)
        self.assignment_id = assignment.id
        self.notebooks = [(nb.id, [c.id for c in nb.grade_cells],
                           [c.id for c in nb.solution_cells], [c.id for c in nb.task_cells])
                          for nb in assignment.notebooks]
        self.names = {nb.id: nb.name for nb in assignment.notebooks}
        self.names.update((cell.id, cell.name) for nb in assignment.notebooks
                          for cell in [*nb.grade_cells, *nb.solution_cells, *nb.task_cells])

    def new_submission(self, gb: Gradebook, student_id: str) -> SubmittedAssignment:
        """A submission with an empty grade and comment per cell, as nbgrader's
        add_submission makes it."""
        submission = SubmittedAssignment(assignment_id=self.assignment_id, student_id=student_id)
        for notebook_id, grade_cells, solution_cells, task_cells in self.notebooks:
            submitted = SubmittedNotebook(notebook_id=notebook_id, assignment=submission)
            for cell_id in grade_cells:
                Grade(cell_id=cell_id, notebook=submitted)
            for cell_id in solution_cells:
                Comment(cell_id=cell_id, notebook=submitted)
            for cell_id in task_cells:
                Comment(cell_id=cell_id, notebook=submitted)
                Grade(cell_id=cell_id, notebook=submitted)
        gb.db.add(submission)
        return submission


class Batch:
    """Scores waiting for `save_many`: committed once `seconds` have passed since the last
    commit, by `commit()`, and on leaving the `with` block (even when stopped by an error)."""

    def __init__(self, db_url: str, seconds: float = 5.0):
        self.db_url, self.seconds = db_url, seconds
        self.pending: list[tuple[str, dict | None]] = []
        self.since = time.monotonic()
        # opened once: opening it, and reading the assignment, cost more than a small batch
        self.gb: Gradebook | None = None
        self.layout: Layout | None = None

    def add(self, student_id: str, entries: dict | None) -> None:
        self.pending.append((student_id, entries))
        if time.monotonic() - self.since >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.pending:
            self.gb = self.gb or Gradebook(self.db_url, course.COURSE_ID)
            self.layout = self.layout or Layout(self.gb)
            save_many(self.db_url, self.pending, self.gb, self.layout)
        self.pending = []
        self.since = time.monotonic()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.commit()
        finally:
            if self.gb is not None:
                self.gb.close()


def _put(notebook, entries: dict | None, names: dict[str, str]) -> None:
    """SaveAutoGrades' rules on one submitted notebook (None: zero points, as `save`)."""
    for grade in notebook.grades:
        name = names[grade.cell_id]
        if entries is None:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        elif name in entries.get("grades", {}):
            grade.auto_score = entries["grades"][name]
            # a manual score, or no autograder score, leaves the cell for a grader to review
            grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    for comment in notebook.comments:
        if entries is not None and names[comment.cell_id] in entries.get("comments", {}):
            comment.auto_comment = entries["comments"][names[comment.cell_id]]


def scores(db_url: str, student_ids: list[str]) -> dict[str, dict[str, float]]:
    """Points per graded cell for each student (manual overrides win over autograder scores)."""
    table: dict[str, dict[str, float]] = {}
    with Gradebook(db_url, course.COURSE_ID) as gb:
        for chunk in _chunks(student_ids):
            for grade, student, cell in _of_students(gb, Grade, chunk):
                table.setdefault(student, {})[cell] = float(grade.score or 0)
    return table


def _of_students(gb: Gradebook, model, student_ids: list[str]):
    """(row, student id, cell name) of this assignment's grades or comments for these students."""
    return (gb.db.query(model, SubmittedAssignment.student_id, BaseCell.name)
            .join(SubmittedNotebook, model.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(BaseCell, model.cell_id == BaseCell.id)
            .filter(Assignment.name == course.ASSIGNMENT, Notebook.name == course.NOTEBOOK,
                    SubmittedAssignment.student_id.in_(student_ids)))


def _chunks(items: list, size: int = 500):
    """Slices small enough for an SQL IN (...) list."""
    for start in range(0, len(items), size):
        yield items[start:start + size]

"""The class gradebook (nbgrader's database): registration, saving scores, reading them back."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import nbgrader.api
import sqlalchemy
from nbgrader import utils
from nbgrader.api import Assignment as AssignmentRow
from nbgrader.api import (
    BaseCell,
    Comment,
    Course,
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
    _save(assignment, db_url, student_id, autograded, submitted_at, crash_point=True)


def score(assignment: Assignment, db_url: str, student_id: str, autograded: Path,
          submitted_at: datetime | None, due: datetime | None, grader_entries: dict) -> None:
    """`save` into a worker's private copy of the gradebook, as the class gradebook will hold
    it: what graders entered there (`grader_entries`) and its due date `due` (with the
    student's extension) put in first, so that scores and late penalties come out the same."""
    _save(assignment, db_url, student_id, autograded, submitted_at, due=due,
          grader_entries=grader_entries)


def _save(assignment: Assignment, db_url: str, student_id: str, autograded: Path | None,
          submitted_at: datetime | None, *, crash_point: bool = False, due: datetime | None = None,
          grader_entries: dict | None = None) -> None:
    """nbgrader's SaveAutoGrades and AssignLatePenalties on one submission (zeros without a
    notebook)."""
    with Gradebook(db_url, assignment.course.course_id) as gb:
        gb.update_or_create_student(student_id)
        stamp = {"timestamp": submitted_at} if submitted_at else {}
        submission = gb.update_or_create_submission(assignment.name, student_id, **stamp)
        if crash_point:  # test hook: the submission exists, scores not yet
            atomic.crash_point("gradebook-save")
        if grader_entries is not None:  # a private copy: the class gradebook's own state
            submission.assignment.duedate = due
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
    resources = {"nbgrader": {"notebook": assignment.notebook, "assignment": assignment.name,
                              "student": student_id, "db_url": db_url}}
    pipeline.run(pipeline.SAVE, nb, resources, assignment.course.config)


@contextmanager
def private_copy(template_db: Path) -> Iterator[str]:
    """The URL of a throw-away copy of a gradebook, for one worker's use; the copy is gone
    when the block ends.

    Always the same file of a private folder of this process (and thread): every nbgrader
    Gradebook opened on it (a submission opens ~10) then shares one SQLAlchemy engine, and its
    compiled queries.
    """
    db = _private_folder(threading.get_ident()) / "gradebook.db"
    if db.exists():
        raise RuntimeError("a private gradebook copy is already in use in this process")
    url = course.sqlite_url(db)
    _REUSED.setdefault(url, None)
    try:
        shutil.copy(template_db, db)
        yield url
    finally:
        if _REUSED[url] is not None:
            _REUSED[url].dispose()  # connections a failed step left open
        db.unlink(missing_ok=True)


_REUSED: dict[str, sqlalchemy.Engine | None] = {}  # private copies' URLs, and their engines


@contextmanager
def throw_away(url: str) -> Iterator[str]:
    """Gradebooks opened on `url` in this block share an engine that skips the journal and
    the fsync at each commit: for a file that is made again whenever it is lost."""
    _REUSED[url] = None
    try:
        yield url
    finally:
        engine = _REUSED.pop(url, None)
        if engine is not None:
            engine.dispose()


def _create_engine(url, *args, **kwargs):
    """nbgrader's create_engine; one engine, without durability, per throw-away gradebook (a
    private copy, the template) (Gradebook.close only disposes of its connections)."""
    if url not in _REUSED:
        return sqlalchemy.create_engine(url, *args, **kwargs)
    if _REUSED[url] is None:
        _REUSED[url] = sqlalchemy.create_engine(url, *args, **kwargs)
        sqlalchemy.event.listen(_REUSED[url], "connect", _without_durability)
    return _REUSED[url]


def _without_durability(connection, _record) -> None:
    """A throw-away copy needs no durability: no journal file and no fsync at each commit
    (SaveAutoGrades commits once per cell). What is stored is the same."""
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA journal_mode = MEMORY")


nbgrader.api.create_engine = _create_engine


@functools.cache
def _private_folder(_thread: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="gradebook-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def autograder_entries(assignment: Assignment, db_url: str, student_id: str,
                       cells: set[str]) -> dict:
    """What SaveAutoGrades and AssignLatePenalties wrote for `student_id`, per notebook: auto
    scores and auto comments of `cells`, and the late penalty (saved by `save_many` later)."""
    with Gradebook(db_url, assignment.course.course_id) as gb:
        submission = gb.find_submission(assignment.name, student_id)
        return {nb.name: {"grades": {g.name: g.auto_score for g in nb.grades if g.name in cells},
                          "comments": {c.name: c.auto_comment for c in nb.comments
                                       if c.name in cells},
                          "late_submission_penalty": nb.late_submission_penalty}
                for nb in submission.notebooks}


def grader_entries(assignment: Assignment, db_url: str, student_ids: list[str]) -> dict[str, dict]:
    """What graders entered by hand (manual scores, extra credit, comments) for each student
    who has any: a worker puts them in its private gradebook, so its feedback page shows them."""
    entries: dict[str, dict] = {}
    with Gradebook(db_url, assignment.course.course_id) as gb:
        for chunk in _chunks(student_ids):
            for kind, model, fields in (("grades", Grade, ("manual_score", "extra_credit")),
                                        ("comments", Comment, ("manual_comment",))):
                changed = or_(*(getattr(model, name).isnot(None) for name in fields))
                rows = _of_students(gb, assignment, model, chunk).filter(changed)
                for row, student, cell in rows:
                    values = {name: getattr(row, name) for name in fields}
                    entries.setdefault(student, {"grades": {}, "comments": {}})[kind][cell] = values
    return entries


def due_dates(assignment: Assignment, db_url: str,
              student_ids: list[str]) -> dict[str, datetime]:
    """Each student's due date (the assignment's, plus any extension), if there is one."""
    with Gradebook(db_url, assignment.course.course_id) as gb:
        try:
            due = gb.find_assignment(assignment.name).duedate
        except MissingEntry:
            return {}
        if due is None:
            return {}
        table = dict.fromkeys(student_ids, due)
        for chunk in _chunks(student_ids):
            for sub in (gb.db.query(SubmittedAssignment).join(AssignmentRow)
                        .filter(AssignmentRow.name == assignment.name,
                                SubmittedAssignment.extension.isnot(None),
                                SubmittedAssignment.student_id.in_(chunk))):
                table[sub.student_id] = due + sub.extension
    return table


def _enter(submission, entries: dict) -> None:
    for notebook in submission.notebooks:
        for kind, rows in (("grades", notebook.grades), ("comments", notebook.comments)):
            for row in rows:
                for name, value in entries.get(kind, {}).get(row.name, {}).items():
                    setattr(row, name, value)


Result = tuple[str, dict | None, datetime | None]  # student, autograder_entries, submitted at


@lock.one_writer
def save_many(assignment: Assignment, db_url: str, results: list[Result],
              gb: Gradebook | None = None, layout: Layout | None = None) -> None:
    """Record many students' scores in one transaction, exactly as `save` would one by one.

    Each result is (student_id, entries, submitted_at): the `autograder_entries` a worker
    computed from its private gradebook, or None for a student without an autograded notebook
    (zeros), and the submission's time. `gb` and `layout`: an open gradebook to use (and leave
    open) and its assignment's Layout.
    """
    if not results:
        return
    if gb is None:
        with Gradebook(db_url, assignment.course.course_id) as opened:
            return save_many.__wrapped__(assignment, db_url, results, opened, layout)
    layout = layout or Layout(gb, assignment)
    known, submissions = set(), {}
    for chunk in _chunks([student for student, _, _ in results]):
        known.update(id_ for (id_,) in gb.db.query(Student.id).filter(Student.id.in_(chunk)))
        notebooks = selectinload(SubmittedAssignment.notebooks)
        submissions.update((sub.student_id, sub) for sub in gb.db.query(SubmittedAssignment)
                           .options(notebooks.selectinload(SubmittedNotebook.grades),
                                    notebooks.selectinload(SubmittedNotebook.comments))
                           .filter(SubmittedAssignment.assignment_id == layout.assignment_id,
                                   SubmittedAssignment.student_id.in_(chunk)))
    for student_id, entries, submitted_at in results:
        if student_id not in known:
            gb.db.add(Student(id=student_id))
            known.add(student_id)
        if student_id not in submissions:
            submissions[student_id] = layout.new_submission(gb, student_id)
        submission = submissions[student_id]
        if submitted_at:
            submission.timestamp = utils.parse_utc(submitted_at)
        atomic.crash_point("gradebook-save")  # test hook: the submission exists, scores not yet
        for notebook in submission.notebooks:
            name = layout.names[notebook.notebook_id]
            mine = None if entries is None else entries.get(name, {})
            _put(notebook, mine, layout.names)
            if mine is not None:  # AssignLatePenalties' result (None: not late)
                notebook.late_submission_penalty = mine.get("late_submission_penalty")
    gb.db.commit()


class Layout:
    """The assignment's notebooks and cells, by id, read once: rows are linked by id, since
    touching a relationship would load every student's rows."""

    def __init__(self, gb: Gradebook, assignment: Assignment):
        row = gb.find_assignment(assignment.name)
        self.assignment_id = row.id
        self.notebooks = [(nb.id, [c.id for c in nb.grade_cells],
                           [c.id for c in nb.solution_cells], [c.id for c in nb.task_cells])
                          for nb in row.notebooks]
        self.names = {nb.id: nb.name for nb in row.notebooks}
        self.names.update((cell.id, cell.name) for nb in row.notebooks
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

    def __init__(self, assignment: Assignment, db_url: str, seconds: float = 5.0):
        self.assignment, self.db_url, self.seconds = assignment, db_url, seconds
        self.pending: list[Result] = []
        self.since = time.monotonic()
        # opened once: opening it, and reading the assignment, cost more than a small batch
        self.gb: Gradebook | None = None
        self.layout: Layout | None = None

    def add(self, student_id: str, entries: dict | None,
            submitted_at: datetime | None = None) -> None:
        self.pending.append((student_id, entries, submitted_at))
        if time.monotonic() - self.since >= self.seconds:
            self.commit()

    def commit(self) -> None:
        if self.pending:
            self.gb = self.gb or Gradebook(self.db_url, self.assignment.course.course_id)
            self.layout = self.layout or Layout(self.gb, self.assignment)
            save_many(self.assignment, self.db_url, self.pending, self.gb, self.layout)
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
    table: dict[str, dict[str, float]] = {}
    with Gradebook(db_url, assignment.course.course_id) as gb:
        for chunk in _chunks(student_ids):
            for grade, student, cell in _of_students(gb, assignment, Grade, chunk):
                table.setdefault(student, {})[cell] = float(grade.score or 0)
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


def _of_students(gb: Gradebook, assignment: Assignment, model, student_ids: list[str]):
    """(row, student id, cell name) of this assignment's grades or comments for these students."""
    return (gb.db.query(model, SubmittedAssignment.student_id, BaseCell.name)
            .join(SubmittedNotebook, model.notebook_id == SubmittedNotebook.id)
            .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
            .join(AssignmentRow, SubmittedAssignment.assignment_id == AssignmentRow.id)
            .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
            .join(BaseCell, model.cell_id == BaseCell.id)
            .filter(AssignmentRow.name == assignment.name, Notebook.name == assignment.notebook,
                    SubmittedAssignment.student_id.in_(student_ids)))


def _chunks(items: list, size: int = 500):
    """Slices small enough for an SQL IN (...) list."""
    for start in range(0, len(items), size):
        yield items[start:start + size]

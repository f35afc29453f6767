"""What grading produced, against what the coordinator used to produce from the same grading.

Before the workers rendered feedback and computed scores, the coordinating process did it one
submission at a time with stock nbgrader: SaveAutoGrades from each autograded notebook into the
class gradebook, then GenerateFeedback per student. This module keeps that path as the
baseline, run here on the very autograded notebooks of the class under test (a second grading
would differ in ways that say nothing about scoring: random ids of restored cells, how a
kernel's output happened to be chunked), and compares feedback pages, gradebook rows and
grades.csv with it. Used by tests/grader/test_equivalence.py (sample class) and
tests/hostile/test_equivalence.py (hostile class).
"""

from __future__ import annotations

import csv
import html
import logging
import re
import shutil
import warnings
from datetime import datetime
from pathlib import Path

from nbgrader.api import Comment, Grade, Gradebook, Student, SubmittedAssignment
from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning

from grader import course, gradebook, pipeline
from grader.autograde import Outdir, open_outdir, stored_results

# ISO dates and times, should a page or a row ever carry one (none does today)
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d|Z)?")


def normalised(text: str) -> str:
    return TIMESTAMP.sub("<timestamp>", text)


def stock_page(out: Outdir, db_url: str, student: str, work: Path) -> str:
    """nbgrader's GenerateFeedback for one student, as the coordinator used to run it."""
    assignment = out.assignment
    config = assignment.course.nbgrader_config(out.autograded.parent, db_url)
    config.CourseDirectory.autograded_directory = out.autograded.name
    config.CourseDirectory.feedback_directory = str(work / "stock-feedback")
    config.GenerateFeedback.preprocessors = pipeline.FEEDBACK
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment.name
    coursedir.student_id = student
    converter = GenerateFeedback(coursedir=coursedir, config=config)
    converter.force = True
    converter.log.setLevel(logging.ERROR)
    converter.start()
    page = work / "stock-feedback" / student / assignment.name / f"{assignment.notebook}.html"
    return page.read_text(encoding="utf-8")


def stock_gradebook(out: Outdir, students: list[str], work: Path) -> str:
    """A gradebook filled the old way: nbgrader's SaveAutoGrades and AssignLatePenalties, one
    student at a time, with the submission times the run recorded."""
    db = work / "stock-gradebook.db"
    shutil.copy(out.template_db, db)
    url = course.sqlite_url(db)
    records = stored_results(out)
    with warnings.catch_warnings():  # nbgrader's add_submission is noisy with SQLAlchemy 2
        warnings.simplefilter("ignore", SAWarning)
        for student in sorted(students):
            notebook = out.autograded_notebook(student)
            when = records.get(student, {}).get("submitted_at")
            gradebook.save(out.assignment, url, student, notebook if notebook.exists() else None,
                           submitted_at=datetime.fromisoformat(when) if when else None)
    return url


def rows(db_url: str) -> dict[str, list[tuple]]:
    """Every student's rows in the gradebook, without the random primary keys."""
    with Gradebook(db_url) as gb:
        return {
            "students": sorted((s.id, s.first_name, s.last_name, s.email, s.lms_user_id)
                               for s in gb.db.query(Student)),
            "submissions": sorted((s.student.id, s.assignment.name, str(s.timestamp),
                                   str(s.extension), notebook.name, notebook.flagged,
                                   notebook.late_submission_penalty)
                                  for s in gb.db.query(SubmittedAssignment)
                                  for notebook in s.notebooks),
            "grades": sorted((g.student.id, g.name, g.auto_score, g.manual_score,
                              g.extra_credit, g.needs_manual_grade, g.score)
                             for g in gb.db.query(Grade)),
            "comments": sorted((c.student.id, c.name, str(c.auto_comment),
                                str(c.manual_comment)) for c in gb.db.query(Comment)),
        }


def stock_scores(out: Outdir, db_url: str, student: str) -> dict[str, float]:
    """Points per graded function, read as the old report code read them."""
    assignment = out.assignment
    with Gradebook(db_url, assignment.course.course_id) as gb:
        notebook = gb.find_submission_notebook(assignment.notebook, assignment.name, student)
        return {course.function_of(g.name): float(g.score or 0) for g in notebook.grades}


def assert_same_as_stock(out_path: Path, work: Path) -> None:
    """Pages, gradebook rows and grades.csv of a graded class equal the old coordinator's."""
    out, db_url = open_outdir(out_path)
    with (out.grades_csv).open() as handle:
        grades = {row["student_id"]: row for row in csv.DictReader(handle)}
    work.mkdir(parents=True, exist_ok=True)
    stock_url = stock_gradebook(out, list(grades), work)
    assert rows(db_url) == rows(stock_url)
    for student, row in grades.items():
        scores = stock_scores(out, stock_url, student)
        assert {name: float(row[name]) for name in scores} == scores, student
        assert float(row["total"]) == sum(scores.values()), student
        page = normalised(out.feedback_page(student).read_text(encoding="utf-8"))
        if out.autograded_notebook(student).exists():
            assert page == normalised(stock_page(out, stock_url, student, work)), student
        else:
            assert "could not be graded" in page and html.escape(row["status"]) in page, student

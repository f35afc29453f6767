"""Per-student feedback pages from the gradebook, without the hidden tests."""

from __future__ import annotations

import html
import logging
import shutil
from pathlib import Path

from nbgrader.converters import GenerateFeedback
from nbgrader.coursedir import CourseDirectory

from . import atomic, course, pipeline


def generate(out, db_url: str, rows: list[dict], force: bool = False) -> None:
    """Write feedback/<student_id>.html for every row (nbgrader's page, or a note why not)."""
    out.feedback.mkdir(parents=True, exist_ok=True)
    for row in rows:
        student = row["student_id"]
        target = out.feedback_page(student)
        notebook = out.autograded_notebook(student)
        if not notebook.exists():
            atomic.write_text(target, _no_notebook_page(out.assignment.name, student,
                                                        row["status"]))
            _submission_files_beside(out, student, target.parent)
            continue
        if not force and target.exists() and target.stat().st_mtime >= notebook.stat().st_mtime:
            continue
        produced = _nbgrader_feedback(out, db_url, student)
        atomic.copy(produced, target)
        _submission_files_beside(out, student, target.parent)


def _submission_files_beside(out, student: str, folder: Path) -> None:
    """In a course, release_feedback needs the submission's timestamp and secret here."""
    if out.in_course:
        autograded = out.autograded_notebook(student).parent
        for name in course.SUBMISSION_FILES:
            if (autograded / name).is_file():
                shutil.copy2(autograded / name, folder / name)


def _nbgrader_feedback(out, db_url: str, student: str) -> Path:
    """Run nbgrader's GenerateFeedback for one student with hidden tests stripped."""
    assignment = out.assignment
    config = assignment.course.nbgrader_config(out.autograded.parent, db_url)
    config.CourseDirectory.autograded_directory = out.autograded.name
    config.CourseDirectory.feedback_directory = str(out.work / "nbgrader-feedback")
    config.GenerateFeedback.preprocessors = pipeline.FEEDBACK
    coursedir = CourseDirectory(config=config)
    coursedir.assignment_id = assignment.name
    coursedir.student_id = student
    converter = GenerateFeedback(coursedir=coursedir, config=config)
    converter.force = True
    converter.log.setLevel(logging.ERROR)
    converter.start()
    return out.work / "nbgrader-feedback" / student / assignment.name / \
        f"{assignment.notebook}.html"


def _no_notebook_page(assignment: str, student: str, status: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Feedback for {html.escape(student)}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>{html.escape(assignment)}: feedback for {html.escape(student)}</h1>
<p><strong>Your submission could not be graded:</strong> {html.escape(status)}.</p>
<p>Score: 0. Download the assignment notebook again, copy your answers into it, check that it
opens in JupyterLab, and submit the <code>.ipynb</code> file again.</p>
</body></html>
"""

"""`python -m grader autograde`: grade a whole class into a gradebook, feedback and a report."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import shutil
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from nbgrader.utils import parse_utc
from tqdm import tqdm

from . import atomic, course, feedback, gradebook, report, sandbox
from .collect import Submission, UsageError, collect, collect_submitted
from .course import Assignment
from .hidden_tests import seeds
from .roster import Roster
from .runners import run_dask, run_local
from .worker import Job


class Outdir:
    """The layout of an autograde output folder.

    `in_course`: autograded notebooks and feedback go into the course's own autograded/ and
    feedback/<student>/<assignment>/ folders, where nbgrader's next steps look for them;
    otherwise everything stays under `root`.
    """

    def __init__(self, root: Path, assignment: Assignment | None = None,
                 in_course: bool = False):
        self.root = Path(root)
        self.assignment = assignment or course.default_assignment()
        self.in_course = in_course
        self.work = self.root / ".work"
        self.results = self.work / "results"
        if in_course:
            self.autograded = self.assignment.course.directory("autograded")
            self.feedback = self.assignment.course.directory("feedback")
        else:
            self.autograded = self.root / "autograded"
            self.feedback = self.root / "feedback"
        self.grades_csv = self.root / "grades.csv"
        self.report = self.root / "report.html"
        self.template_db = self.work / "template.db"
        self.layout = self.work / "layout.json"

    def autograded_notebook(self, student_id: str) -> Path:
        return self.autograded / student_id / self.assignment.name / \
            f"{self.assignment.notebook}.ipynb"

    def feedback_page(self, student_id: str) -> Path:
        if self.in_course:  # nbgrader's layout, what release_feedback copies out
            return self.feedback / student_id / self.assignment.name / \
                f"{self.assignment.notebook}.html"
        return self.feedback / f"{student_id}.html"

    def result(self, student_id: str) -> Path:
        return self.results / f"{student_id}.json"

    def remember(self, db_url: str) -> None:
        """Note what was graded where, for `report`, `feedback` and `export` later."""
        atomic.write_text(self.layout, json.dumps({
            "course": str(self.assignment.course.root), "assignment": self.assignment.name,
            "in_course": self.in_course, "db_url": db_url}))


def open_outdir(root: Path, db_url: str | None = None) -> tuple[Outdir, str]:
    """An autograde output folder as it was graded, and its gradebook URL."""
    root = Path(root).resolve()
    layout_file = root / ".work" / "layout.json"
    if not layout_file.is_file():  # graded before layouts were noted: this repo's assignment
        return Outdir(root), db_url or course.sqlite_url(root / "gradebook.db")
    layout = json.loads(layout_file.read_text())
    assignment = course.Course.load(layout["course"]).assignment(layout["assignment"])
    return Outdir(root, assignment, layout["in_course"]), db_url or layout["db_url"]


def fingerprints(assignment: Assignment, submissions: list[Submission],
                 settings: dict) -> dict[str, str]:
    """Identifies each grading: the submission's bytes, the source notebook and the settings."""
    common = hashlib.sha256(assignment.source_notebook.read_bytes())
    common.update(json.dumps(settings, sort_keys=True).encode())
    prints = {}
    for sub in submissions:
        if sub.path is not None:
            digest = common.copy()
            digest.update(sub.path.read_bytes())
            prints[sub.student_id] = digest.hexdigest()
    return prints


def grade_class(submissions_path: Path, out: Path, *, jobs: int | None = None, timeout: int = 60,
                skip: bool = True, db_url: str | None = None, dask: str | None = None,
                force: bool = False, memory_mb: int = 4096, quiet: bool = False,
                assignment: Assignment | None = None, in_course: bool = False,
                roster: str | Path | None = None, fresh_kernels: bool = False,
                runner: Callable[[list[Job], int], Iterable[dict]] | None = None) -> list[dict]:
    """Grade every submission; write grades.csv, feedback and the report; return the rows.

    `in_course`: `submissions_path` is the course's submitted/ folder; grade the assignment's
    submissions into the course itself (its gradebook, autograded/, feedback/).

    The workers grade, score and render each submission's feedback page; this process only
    collects their results, saves them to the gradebook in batches and writes the class
    outputs. `runner` replaces the local pool or Dask (the bench feeds it stored results).
    """
    out = Outdir(Path(out).resolve(), assignment, in_course)
    assignment = out.assignment
    out.results.mkdir(parents=True, exist_ok=True)
    if in_course:
        submissions, warnings = collect_submitted(submissions_path, assignment), []
        db_url = db_url or assignment.course.db_url
    else:
        roster = Roster.read(roster) if roster else None
        submissions, warnings = collect(submissions_path, out.work / "unzipped", assignment,
                                        roster)
    for warning in warnings:
        print(f"warning: {warning}")
    unisolated = sandbox.warning()  # kernels run in bubblewrap when it works here
    if unisolated:
        print(f"warning: {unisolated}")
    db_url = db_url or course.sqlite_url(out.root / "gradebook.db")
    out.remember(db_url)
    _make_template(out)
    gradebook.register(assignment, db_url, out.template_db, out.work)

    prints = fingerprints(assignment, submissions, {"timeout": timeout, "skip": skip})
    by_student = {sub.student_id: sub for sub in submissions}
    to_grade, results = [], {}
    for sub in submissions:
        if in_course:
            _copy_submission_files(out, sub)
        if sub.problem is not None:  # a malformed notebook is found by its worker, in parallel
            out.autograded_notebook(sub.student_id).unlink(missing_ok=True)
            record = _described({"student_id": sub.student_id, "status": sub.problem}, sub)
            atomic.write_text(out.result(sub.student_id), json.dumps(record))
            results[sub.student_id] = record
            continue
        done = _previous_result(out, sub, prints[sub.student_id])
        if done and not force:
            results[sub.student_id] = _described(done, sub)
        else:  # a stale record must not meet the notebook of a grading that stopped midway
            out.result(sub.student_id).unlink(missing_ok=True)
            out.autograded_notebook(sub.student_id).unlink(missing_ok=True)
            to_grade.append(sub)
    due = gradebook.due_dates(assignment, db_url, sorted(by_student))
    pending = jobs_for(out, to_grade, timeout, skip, memory_mb,
                       gradebook.grader_entries(assignment, db_url,
                                                [sub.student_id for sub in to_grade]), due,
                       fresh_kernels)

    # A result file, written before its scores join a batch, is the durable record of a
    # grading: a run stopped before a batch was committed loses no grading, the next run saves
    # the stored results again (below, first, in one transaction). So batches only bound how
    # far the gradebook lags behind the results: a few seconds (gradebook.Batch).
    with gradebook.Batch(assignment, db_url) as batch:  # also when stopped: what came is saved
        for _, record in sorted(results.items()):
            _save(batch, out, record, reused=True, due=due.get(record["student_id"]))
        batch.commit()
        workers = jobs or os.cpu_count() or 1
        runner = runner or (functools.partial(_on_dask, dask) if dask else run_local)
        with tqdm(total=len(pending), desc="Grading", unit="submission", disable=quiet) as bar:
            for record in runner(pending, workers):
                record["fingerprint"] = prints[record["student_id"]]
                record = _described(record, by_student[record["student_id"]])
                atomic.write_text(out.result(record["student_id"]), json.dumps(record))
                _save(batch, out, record)
                results[record["student_id"]] = record
                bar.update()

    gradebook.drop_stray_courses(assignment, db_url)
    return publish(out, db_url, results)


def publish(out: Outdir, db_url: str, results: dict[str, dict], force_feedback: bool = False):
    """From the gradebook: grades.csv, feedback pages and the report for these students."""
    rows, cells = publish_rows(out, db_url, results)
    _write_csv(out.grades_csv, rows, cells)
    feedback.generate(out, db_url, rows, force=force_feedback)
    notebooks = {row["student_id"]: out.autograded_notebook(row["student_id"]) for row in rows}
    report.write(out.report, rows, cells, out.assignment,
                 {student: path for student, path in notebooks.items() if path.exists()})
    return rows


def publish_rows(out: Outdir, db_url: str, results: dict[str, dict]):
    """The grades table from the gradebook: (rows, graded cells)."""
    cells = gradebook.graded_cells(out.assignment, db_url)
    return _rows(out.assignment, db_url, sorted(results), results, cells), cells


def stored_results(out: Outdir) -> dict[str, dict]:
    """The result records of everyone graded into `out` so far."""
    if not out.results.is_dir():
        raise UsageError(f"{out.root} holds no grading results; run autograde first")
    records = (json.loads(p.read_text()) for p in sorted(out.results.glob("*.json")))
    return {record["student_id"]: record for record in records}


def _on_dask(address: str, jobs: list[Job], workers: int) -> Iterable[dict]:
    return run_dask(jobs, address, workers)


def _make_template(out: Outdir) -> None:
    """A gradebook holding only the assignment, copied by each worker for its sanitizing step."""
    from .release import generate_assignment

    out.template_db.unlink(missing_ok=True)
    shutil.rmtree(out.work / "template-course", ignore_errors=True)
    # made anew by every run: no need to fsync each of its commits
    with gradebook.throw_away(course.sqlite_url(out.template_db)) as url:
        generate_assignment(out.assignment, url, out.work / "template-course")


def jobs_for(out: Outdir, submissions: list[Submission], timeout: int, skip: bool,
             memory_mb: int, grader_entries: dict | None = None,
             due: dict[str, datetime] | None = None, fresh_kernels: bool = False) -> list[Job]:
    """One worker job per submission; what they share is read from the course once."""
    assignment = out.assignment
    grader_entries, due = grader_entries or {}, due or {}
    # data files shipped beside the notebook (the source's: a release may not be built yet)
    scratch = [str(p) for p in assignment.source_dir.iterdir()
               if p.is_file() and p.suffix != ".ipynb"]
    order = assignment.cell_order()
    hidden = [str(assignment.course.root), str(course.REPO / ".git")]
    secret = seeds.grading_secret(assignment.course.root)
    return [Job(student_id=sub.student_id, submission=str(sub.path.resolve()),
                assignment=assignment.name, notebook=assignment.notebook, hidden_paths=hidden,
                template_db=str(out.template_db.resolve()),
                autograded=str(out.autograded_notebook(sub.student_id).resolve()),
                result=str(out.work.resolve() / "running" / f"{sub.student_id}.json"),
                scratch_files=scratch, timeout=timeout, total_timeout=3 * timeout,
                cell_order=order, skip=skip, memory_mb=memory_mb,
                inputs_key=seeds.inputs_key(secret, sub.path.read_bytes()),
                source_notebook=str(assignment.source_notebook),
                course=str(assignment.course.root),
                submitted_at=sub.submitted_at.isoformat() if sub.submitted_at else "",
                due=due[sub.student_id].isoformat() if sub.student_id in due else "",
                feedback=str(out.feedback_page(sub.student_id).resolve()),
                beside_feedback=_beside_feedback(out, sub.student_id),
                grader_entries=grader_entries.get(sub.student_id, {}),
                fork_kernels=not fresh_kernels)
            for sub in submissions]


def _beside_feedback(out: Outdir, student_id: str) -> list[str]:
    """In a course, the submission files release_feedback needs beside the feedback page."""
    if not out.in_course:
        return []
    folder = out.autograded_notebook(student_id).parent
    return [str(folder / name) for name in course.SUBMISSION_FILES if (folder / name).is_file()]


def _previous_result(out: Outdir, sub: Submission, fingerprint: str) -> dict | None:
    """The stored result of an identical earlier grading, if its notebook is still there
    (or, for a malformed submission, was never made)."""
    path = out.result(sub.student_id)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    if record.get("fingerprint") != fingerprint:
        return None
    made = out.autograded_notebook(sub.student_id).exists()
    return record if made or record["status"].startswith("malformed notebook") else None


def _described(record: dict, sub: Submission) -> dict:
    """The record with what collecting learnt about the submission (notes, time, student?)."""
    record = {**record, "notes": list(sub.notes), "is_student": sub.is_student,
              "submitted_at": sub.submitted_at.isoformat() if sub.submitted_at else None}
    return record


def _copy_submission_files(out: Outdir, sub: Submission) -> None:
    """timestamp.txt and submission_secret.txt beside the autograded notebook, as nbgrader's
    autograde leaves them (release_feedback reads them there)."""
    target = out.autograded_notebook(sub.student_id).parent
    target.mkdir(parents=True, exist_ok=True)
    for name in course.SUBMISSION_FILES:
        if (sub.folder / name).is_file():
            shutil.copy2(sub.folder / name, target / name)


def _save(batch: gradebook.Batch, out: Outdir, record: dict, reused: bool = False,
          due: datetime | None = None) -> None:
    """Queue one student's scores: the worker's, or zeros if there is no autograded notebook.

    A `reused` record's late penalty was computed against the gradebook of its run: a submission
    that is late against today's due date `due` is saved nbgrader's way, so that the penalty
    follows today's due date and manual scores; one that is not late has none.
    """
    if not record.get("is_student", True):  # a file tied to nobody: a row, no gradebook entry
        return
    student = record["student_id"]
    notebook = out.autograded_notebook(student)
    when = record.get("submitted_at")
    submitted_at = datetime.fromisoformat(when) if when else None
    late = bool(due and submitted_at and parse_utc(submitted_at) > due)
    entries = record.get("gradebook")
    if not notebook.exists():
        batch.add(student, None, submitted_at)
    elif entries is not None and not (reused and late):
        if reused:  # not late now: AssignLatePenalties would clear any penalty
            entries = {name: {**notebook_entries, "late_submission_penalty": None}
                       for name, notebook_entries in entries.items()}
        batch.add(student, entries, submitted_at)
    else:  # scored by no worker (an older version), or late: nbgrader's way, after the batch
        batch.commit()
        gradebook.save(out.assignment, batch.db_url, student, notebook, submitted_at=submitted_at)


def _rows(assignment: Assignment, db_url: str, students: list[str], results: dict,
          cells: list[tuple[str, float]]) -> list[dict]:
    """One row per student: points per graded function, total, maximum and status."""
    points = gradebook.scores(assignment, db_url, students)
    late = gradebook.lateness(assignment, db_url, students)
    rows = []
    for student in students:
        earned = points.get(student, {})
        row = {"student_id": student}
        row.update({course.function_of(cell): earned.get(cell, 0.0) for cell, _ in cells})
        row["total"] = sum(earned.get(cell, 0.0) for cell, _ in cells)
        row["max_total"] = sum(maximum for _, maximum in cells)
        record = results.get(student, {})
        notes = list(record.get("notes", []))
        seconds, penalty = late.get(student, (0.0, 0.0))
        if seconds > 0:
            notes.append(f"late by {_duration(seconds)}, penalty {penalty:g}")
        row["status"] = "; ".join([record.get("status", "not graded"), *notes])
        rows.append(row)
    return rows


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def _write_csv(path: Path, rows: list[dict], cells: list[tuple[str, float]]) -> None:
    columns = ["student_id", *[course.function_of(c) for c, _ in cells],
               "total", "max_total", "status"]
    handle = io.StringIO(newline="")
    writer = csv.DictWriter(handle, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _fmt(value) for key, value in row.items()})
    atomic.write_text(path, handle.getvalue())


def _fmt(value):
    return f"{value:g}" if isinstance(value, float) else value

"""`python -m grader autograde`: grade a whole class into a gradebook, feedback and a report."""

from __future__ import annotations

import csv
import functools
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from tqdm import tqdm

from . import course, feedback, gradebook, report, sandbox
from .collect import Submission, UsageError, collect
from .runners import run_dask, run_local
from .worker import Job


class Outdir:
    """The layout of an autograde output folder."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.work = self.root / ".work"
        self.results = self.work / "results"
        self.autograded = self.root / "autograded"
        self.feedback = self.root / "feedback"
        self.grades_csv = self.root / "grades.csv"
        self.report = self.root / "report.html"
        self.template_db = self.work / "template.db"

    def autograded_notebook(self, student_id: str) -> Path:
        return self.autograded / student_id / course.ASSIGNMENT / f"{course.NOTEBOOK}.ipynb"

    def result(self, student_id: str) -> Path:
        return self.results / f"{student_id}.json"

    def feedback_page(self, student_id: str) -> Path:
        return self.feedback / f"{student_id}.html"


def fingerprints(submissions: list[Submission], settings: dict) -> dict[str, str]:
    """Identifies each grading: the submission's bytes, the source notebook and the settings."""
    common = hashlib.sha256(course.SOURCE_NOTEBOOK.read_bytes())
    common.update(json.dumps(settings, sort_keys=True).encode())
    prints = {}
    for sub in submissions:
        digest = common.copy()
        digest.update(sub.path.read_bytes())
        prints[sub.student_id] = digest.hexdigest()
    return prints


def grade_class(submissions_path: Path, out: Path, *, jobs: int | None = None, timeout: int = 60,
                skip: bool = True, db_url: str | None = None, dask: str | None = None,
                force: bool = False, memory_mb: int = 4096, quiet: bool = False,
                runner: Callable[[list[Job], int], Iterable[dict]] | None = None) -> list[dict]:
    """Grade every submission; write grades.csv, feedback and the report; return the rows.

    The workers grade, score and render each submission's feedback page; this process only
    collects their results, saves them to the gradebook in batches and writes the class
    outputs. `runner` replaces the local pool or Dask (the bench feeds it stored results).
    """
    out = Outdir(Path(out).resolve())
    out.results.mkdir(parents=True, exist_ok=True)
    submissions, warnings = collect(submissions_path, out.work / "unzipped")
    for warning in warnings:
        print(f"warning: {warning}")
    unisolated = sandbox.warning()  # kernels run in bubblewrap when it works here
    if unisolated:
        print(f"warning: {unisolated}")
    db_url = db_url or course.sqlite_url(out.root / "gradebook.db")
    _make_template(out)
    gradebook.register(db_url, out.template_db, out.work)

    prints = fingerprints(submissions, {"timeout": timeout, "skip": skip})
    to_grade, results = [], {}
    for sub in submissions:  # a malformed notebook is found by its worker, in parallel
        done = _previous_result(out, sub, prints[sub.student_id])
        if done and not force:
            results[sub.student_id] = done
        else:
            out.autograded_notebook(sub.student_id).unlink(missing_ok=True)
            to_grade.append(sub)
    entries = gradebook.grader_entries(db_url, [sub.student_id for sub in to_grade])
    pending = jobs_for(out, to_grade, timeout, skip, memory_mb, entries)

    # A result file, written before its scores join a batch, is the durable record of a
    # grading: a run stopped before a batch was committed loses no grading, the next run saves
    # the stored results again (below, first, in one transaction). So batches only bound how
    # far the gradebook lags behind the results: a few seconds (gradebook.Batch).
    with gradebook.Batch(db_url) as batch:  # also when stopped: what was collected is saved
        for _, record in sorted(results.items()):
            _save(batch, out, record)
        batch.commit()
        workers = jobs or os.cpu_count() or 1
        runner = runner or (functools.partial(_on_dask, dask) if dask else run_local)
        with tqdm(total=len(pending), desc="Grading", unit="submission", disable=quiet) as bar:
            for record in runner(pending, workers):
                record["fingerprint"] = prints[record["student_id"]]
                out.result(record["student_id"]).write_text(json.dumps(record))
                _save(batch, out, record)
                results[record["student_id"]] = record
                bar.update()

    return publish(out, db_url, results)


def publish(out: Outdir, db_url: str, results: dict[str, dict], force_feedback: bool = False):
    """From the gradebook: grades.csv, feedback pages and the report for these students."""
    cells = gradebook.graded_cells(db_url)
    rows = _rows(db_url, sorted(results), results, cells)
    _write_csv(out.grades_csv, rows, cells)
    feedback.generate(out, db_url, rows, force=force_feedback)
    report.write(out.report, rows, cells)
    return rows


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
    generate_assignment(course.sqlite_url(out.template_db), out.work / "template-course")


def jobs_for(out: Outdir, submissions: list[Submission], timeout: int, skip: bool,
             memory_mb: int, grader_entries: dict | None = None) -> list[Job]:
    """One worker job per submission; what they share is read from the course once."""
    grader_entries = grader_entries or {}
    scratch = [str(p) for p in course.RELEASE_DIR.iterdir() if p.is_file() and p.suffix != ".ipynb"]
    order = course.cell_order()
    return [Job(student_id=sub.student_id, submission=str(sub.path.resolve()),
                template_db=str(out.template_db.resolve()),
                autograded=str(out.autograded_notebook(sub.student_id).resolve()),
                result=str(out.work.resolve() / "running" / f"{sub.student_id}.json"),
                scratch_files=scratch, timeout=timeout, total_timeout=3 * timeout,
                cell_order=order, skip=skip, memory_mb=memory_mb,
                feedback=str(out.feedback_page(sub.student_id).resolve()),
                grader_entries=grader_entries.get(sub.student_id, {}))
            for sub in submissions]


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


def _save(batch: gradebook.Batch, out: Outdir, record: dict) -> None:
    """Queue one student's scores: the worker's, or zeros if there is no autograded notebook."""
    student = record["student_id"]
    notebook = out.autograded_notebook(student)
    if not notebook.exists():
        batch.add(student, None)
    elif "gradebook" in record:
        batch.add(student, record["gradebook"])
    else:  # scored by no worker (it died after grading, or an older version): nbgrader's way
        gradebook.save(batch.db_url, student, notebook)


def _rows(db_url: str, students: list[str], results: dict,
          cells: list[tuple[str, float]]) -> list[dict]:
    """One row per student: points per graded function, total, maximum and status."""
    points = gradebook.scores(db_url, students)
    rows = []
    for student in students:
        earned = points.get(student, {})
        row = {"student_id": student}
        row.update({course.function_of(cell): earned.get(cell, 0.0) for cell, _ in cells})
        row["total"] = sum(earned.get(cell, 0.0) for cell, _ in cells)
        row["max_total"] = sum(maximum for _, maximum in cells)
        row["status"] = results.get(student, {}).get("status", "not graded")
        rows.append(row)
    return rows


def _write_csv(path: Path, rows: list[dict], cells: list[tuple[str, float]]) -> None:
    columns = ["student_id", *[course.function_of(c) for c, _ in cells],
               "total", "max_total", "status"]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _fmt(value) for key, value in row.items()})


def _fmt(value):
    return f"{value:g}" if isinstance(value, float) else value

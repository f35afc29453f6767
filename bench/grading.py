"""Bench: a class graded by `python -m grader autograde` versus stock `nbgrader autograde`."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from grader import course

OURS = course.default_assignment()  # this repository's own assignment

BIN = Path(sys.executable).parent


def tool_env(**extra: str) -> dict:
    """The environment for the venv's command-line tools (nbgrader runs `alembic` from PATH)."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **extra}


def ours(submissions: Path, out: Path, jobs: int = 2) -> tuple[float, dict[str, float]]:
    """Seconds `python -m grader autograde --jobs N` takes, and each student's total."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "autograde", str(submissions),
                    "--out", str(out), "--jobs", str(jobs)],
                   check=True, capture_output=True, env=tool_env())
    seconds = time.perf_counter() - started
    with (out / "grades.csv").open() as handle:
        return seconds, {row["student_id"]: float(row["total"]) for row in csv.DictReader(handle)}


def stock_course(root: Path, submissions: Path) -> Path:
    """A throw-away nbgrader course: the source, its generated assignment, the submissions."""
    shutil.copytree(OURS.source_notebook.parent, root / "source" / OURS.name)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {OURS.course.course_id!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n")
    _nbgrader(root, "generate_assignment", OURS.name, "--force")
    for notebook in sorted(submissions.glob("*.ipynb")):
        folder = root / "submitted" / notebook.stem / OURS.name
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / f"{OURS.notebook}.ipynb")
    return root


def stock(root: Path) -> tuple[float, dict[str, float]]:
    """Seconds stock `nbgrader autograde` takes on the course, and each student's total."""
    from nbgrader.api import Gradebook

    started = time.perf_counter()
    _nbgrader(root, "autograde", OURS.name, check=False)  # a failed student: exit 1
    seconds = time.perf_counter() - started
    with Gradebook(course.sqlite_url(root / "gradebook.db")) as gb:
        return seconds, {s.student.id: float(s.score) for s in gb.assignment_submissions(
            OURS.name)}


def _nbgrader(root: Path, *args: str, check: bool = True) -> None:
    subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, check=check, capture_output=True,
                   env=tool_env())


def run(submissions: Path, work: Path, jobs: int = 2) -> dict:
    """Grade the class both ways, one after the other, and compare time and totals."""
    ours_seconds, ours_totals = ours(submissions, work / "ours", jobs)
    stock_seconds, stock_totals = stock(stock_course(work / "stock", submissions))
    differ = {student: {"ours": total, "stock": stock_totals.get(student)}
              for student, total in ours_totals.items() if stock_totals.get(student) != total}
    return {"students": len(ours_totals), "jobs": jobs, "ours_seconds": round(ours_seconds, 2),
            "stock_seconds": round(stock_seconds, 2),
            "speedup": round(stock_seconds / ours_seconds, 1), "totals_that_differ": differ}

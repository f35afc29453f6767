"""`python -m grader demo` (`make demo`): release, grade a sample class, show the gradebook."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from . import course
from .autograde import grade_class
from .release import build_release
from .report import short_names
from .samples import write_class
from .table import print_table

DEMO_TIMEOUT = 10  # seconds per cell: the sample infinite loop should not hold the demo up


def main(args) -> int:
    """Build the release, write the sample class, autograde it and print the gradebook."""
    out = Path(args.out)
    print("1. Building the student release (nbgrader generate_assignment) ...")
    assignment = course.default_assignment()  # the sample class answers this one
    release = build_release(assignment)
    print(f"   {_shown(release)}")

    print("2. Writing a sample class of submissions ...")
    submissions = out / "submissions"
    if submissions.exists():
        shutil.rmtree(submissions)
    samples = write_class(submissions)
    width = max(len(s.student_id) for s in samples)
    for sample in samples:
        print(f"   {sample.student_id.ljust(width)}  {sample.notes}")

    print(f"3. Autograding {len(samples)} submissions with {args.jobs} parallel jobs "
          f"(timeout {DEMO_TIMEOUT} s per cell) ...")
    started = time.perf_counter()
    rows = grade_class(submissions, out / "graded", jobs=args.jobs, timeout=DEMO_TIMEOUT,
                       assignment=assignment)
    elapsed = time.perf_counter() - started
    print(f"\nGradebook ({elapsed:.1f} s):\n")
    print_table(rows, short_names(assignment.columns(), assignment.course))
    graded = out / "graded"
    print(f"\nGrades:   {graded / 'grades.csv'}")
    print(f"Feedback: {graded / 'feedback'}/<student_id>.html")
    print(f"Report:   {graded / 'report.html'}")
    return 0


def _shown(path: Path) -> Path:
    """`path` relative to the repository when it lies inside it."""
    return path.relative_to(course.REPO) if path.is_relative_to(course.REPO) else path

"""`python -m grader export`: the gradebook as an LMS's grade-import file.

Scores come from the gradebook, so manual overrides entered in the formgrader are included,
and late penalties (nbgrader's) are subtracted. Rows tied to nobody (unmatched files) are left
out: an LMS cannot import them; grades.csv still lists them.

- ``canvas``: Canvas's gradebook CSV (Grades > Import): ``Student, ID, SIS User ID,
  SIS Login ID, Section, <assignment>``, then one row per student, a second row
  ``Points Possible`` giving the assignment's maximum. Canvas matches rows by ``ID`` (its user
  id) or the SIS ids: take them from a roster (`lms_id`, `sis_id`, `email`).
- ``moodle``: for Moodle's "Import grades > CSV file": ``Full name, Email address, ID number,
  <assignment>, Feedback``; at import, map ``Email address`` (or ``ID number``) to the user
  field of the same name and ``<assignment>`` to the grade item.
- ``csv``: everything: ``student_id, name, lms_id, email``, points per exercise, ``total``,
  ``late_penalty``, ``score`` (total minus penalty), ``max_total``, ``status``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from . import atomic, gradebook
from .autograde import Outdir, publish_rows, stored_results
from .roster import Roster


def export(out: Outdir, db_url: str, fmt: str, roster: str | Path | None = None,
           target: Path | None = None) -> Path:
    """Write OUT/export-<fmt>.csv (or `target`) and return its path."""
    roster = Roster.read(roster) if roster else Roster({})
    results = stored_results(out)
    rows, cells = publish_rows(out, db_url, results)
    rows = [row for row in rows if results.get(row["student_id"], {}).get("is_student", True)]
    late = gradebook.lateness(out.assignment, db_url, [row["student_id"] for row in rows])
    penalties = {student: penalty for student, (_, penalty) in late.items()}
    maximum = sum(points for _, points in cells)
    target = Path(target or out.root / f"export-{fmt}.csv")
    name = out.assignment.name
    handle = io.StringIO(newline="")
    writer = csv.writer(handle)
    if fmt == "canvas":
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", name])
        writer.writerow(["Points Possible", "", "", "", "", _num(maximum)])
        for row in rows:
            student = row["student_id"]
            writer.writerow([roster.get(student, "name") or student,
                             roster.get(student, "lms_id"), roster.get(student, "sis_id"),
                             roster.get(student, "email") or student,
                             roster.get(student, "section"),
                             _num(row["total"] - penalties.get(student, 0.0))])
    elif fmt == "moodle":
        writer.writerow(["Full name", "Email address", "ID number", name, "Feedback"])
        for row in rows:
            student = row["student_id"]
            writer.writerow([roster.get(student, "name") or student,
                             roster.get(student, "email"),
                             roster.get(student, "sis_id") or student,
                             _num(row["total"] - penalties.get(student, 0.0)), row["status"]])
    else:
        exercises = [key for key in rows[0] if key not in
                     ("student_id", "total", "max_total", "status")] if rows else []
        writer.writerow(["student_id", "name", "lms_id", "email", *exercises, "total",
                         "late_penalty", "score", "max_total", "status"])
        for row in rows:
            student = row["student_id"]
            penalty = penalties.get(student, 0.0)
            writer.writerow([student, roster.get(student, "name"),
                             roster.get(student, "lms_id"), roster.get(student, "email"),
                             *[_num(row[e]) for e in exercises], _num(row["total"]),
                             _num(penalty), _num(row["total"] - penalty),
                             _num(row["max_total"]), row["status"]])
    atomic.write_text(target, handle.getvalue())  # never a half-written file to import
    return target


def _num(value: float) -> str:
    return f"{value:g}"

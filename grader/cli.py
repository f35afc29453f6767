"""Command line: parse arguments, then hand over to one `main`-like function per task."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from . import course, lock


def _assignment(args) -> course.Assignment:
    return course.Course.load(args.course).assignment(args.assignment)


def _out_folder(args) -> Path:
    """The output folder named by --out, or the course's reports folder of the assignment."""
    return Path(args.out) if args.out else course_reports(_assignment(args))


@lock.holding_output_folder(_out_folder)
def _autograde(args) -> int:
    from .autograde import grade_class
    from .collect import UsageError
    from .report import short_names
    from .table import print_table

    assignment = _assignment(args)
    in_course = args.submissions is None  # nbgrader's course loop: submitted/ -> autograded/
    if not in_course and not args.out:
        raise UsageError("--out OUTDIR is required when grading a folder or archive")
    out = Path(args.out) if args.out else course_reports(assignment)
    submissions = assignment.course.directory("submitted") if in_course else args.submissions
    rows = grade_class(Path(submissions), out, jobs=args.jobs,
                       timeout=args.timeout, skip=not args.no_skip, db_url=args.db,
                       dask=args.dask, force=args.force, memory_mb=args.memory_mb,
                       assignment=assignment, in_course=in_course, roster=args.roster,
                       fresh_kernels=args.fresh_kernels)
    print_table(rows, short_names(assignment.columns(), assignment.course))
    print(f"\nGrades: {out / 'grades.csv'}\nReport: {out / 'report.html'}")
    return 0


def course_reports(assignment: course.Assignment) -> Path:
    """Where grades.csv and report.html of a course-loop grading go."""
    return assignment.course.root / "reports" / assignment.name


def _outdir(args):
    """The output folder (see _out_folder) and the gradebook it was graded into."""
    from .autograde import open_outdir

    return open_outdir(_out_folder(args), args.db)


@lock.holding_output_folder(_out_folder)
def _publish(args, what: str) -> int:
    from .autograde import publish, stored_results

    out, db_url = _outdir(args)
    publish(out, db_url, stored_results(out), force_feedback=(what == "feedback"))
    print(f"{what} regenerated in {out.root}")
    return 0


@lock.holding_output_folder(_out_folder)
def _export(args) -> int:
    from .export import export

    out, db_url = _outdir(args)
    path = export(out, db_url, args.format, roster=args.roster,
                  target=Path(args.to) if args.to else None)
    print(f"{args.format} gradebook written to {path}")
    return 0


def _release(args) -> int:
    from .release import main

    return main(args)


def _demo(args) -> int:
    from .demo import main

    return main(args)


def _wait_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                   help="if another run is writing --out, wait up to this long for it "
                        "(default: stop at once, naming that run)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grader",
        description="Release, autograde, report on and export any assignment of an nbgrader "
                    "course (nbgrader underneath).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("release", help="regenerate and validate the student version")
    _course_arguments(p)
    p.add_argument("--release-dir", help="where to write it (default: COURSE/release/NAME)")
    p.set_defaults(func=_release)

    p = sub.add_parser("autograde", help="grade a class folder, an LMS archive, or the "
                                         "course's submitted/ folder")
    p.add_argument("submissions", nargs="?",
                   help="folder or .zip with one notebook per student (an LMS download-all "
                        "archive as it comes); without it, grade COURSE/submitted/*/NAME/ "
                        "into the course (autograded/, feedback/, gradebook)")
    p.add_argument("--out", help="output folder for grades, feedback, report (required with "
                                 "SUBMISSIONS; default COURSE/reports/NAME)")
    _course_arguments(p)
    p.add_argument("--roster", help="CSV mapping LMS names/ids to student ids (see README)")
    p.add_argument("--jobs", type=int, default=os.cpu_count(),
                   help="submissions graded in parallel (default: number of cores)")
    p.add_argument("--timeout", type=int, default=60,
                   help="seconds one cell may run (default 60); a submission gets 3x that in all")
    p.add_argument("--db", help="gradebook SQLAlchemy URL (default: sqlite in --out, or the "
                                "course's own gradebook)")
    p.add_argument("--no-skip", action="store_true",
                   help="also run the training/plot cells tagged 'skip-autograde'")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="grade on a Dask cluster (tcp://HOST:PORT, or 'local')")
    p.add_argument("--memory-mb", type=int, default=4096,
                   help="memory cap per submission in MiB (default 4096; 0 = none)")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="start each kernel as a new interpreter in a new sandbox, instead of "
                        "forking it from a warm one (slower; for comparison)")
    _wait_argument(p)
    p.set_defaults(func=_autograde)

    for what in ("feedback", "report"):
        p = sub.add_parser(what, help=f"regenerate the {what} from the gradebook, no regrading")
        p.add_argument("--out", help="the autograde output folder (default COURSE/reports/NAME)")
        _course_arguments(p)
        p.add_argument("--db", help="gradebook SQLAlchemy URL (default: the one graded into)")
        _wait_argument(p)
        p.set_defaults(func=lambda args, what=what: _publish(args, what))

    p = sub.add_parser("export", help="the grades in an LMS's gradebook-import format")
    p.add_argument("--format", required=True, choices=["canvas", "moodle", "csv"])
    p.add_argument("--out", help="the autograde output folder (default COURSE/reports/NAME)")
    _course_arguments(p)
    p.add_argument("--db", help="gradebook SQLAlchemy URL (default: the one graded into)")
    p.add_argument("--roster", help="CSV with the LMS's ids/names of each student")
    p.add_argument("--to", help="file to write (default OUT/export-FORMAT.csv)")
    _wait_argument(p)
    p.set_defaults(func=_export)

    p = sub.add_parser("demo", help="release, grade a sample class, print the gradebook")
    p.add_argument("--out", default="demo-output", help="working folder (default demo-output)")
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.set_defaults(func=_demo)
    return parser


def _course_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", help="nbgrader course folder holding nbgrader_config.py and "
                                    "source/ (default: this repository's notebooks/)")
    p.add_argument("--assignment", help="assignment name in COURSE/source/ (default: the only one)")


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m grader` and the `optgrader` script."""
    from sqlalchemy.exc import OperationalError, SAWarning

    from .collect import UsageError
    from .course import CourseError
    from .gradebook import GradebookMismatch
    from .release import ReleaseError
    from .validate import ReleaseInvalid

    # nbgrader's update_or_create_submission trips SQLAlchemy autoflush warnings: harmless noise
    warnings.filterwarnings("ignore", category=SAWarning)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, CourseError, GradebookMismatch, ReleaseError, ReleaseInvalid) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OperationalError as err:  # e.g. a --db server that is down or refuses us
        print(f"error: the gradebook database failed: {err.orig or err}".rstrip(),
              file=sys.stderr)
        return 2

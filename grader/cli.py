"""Command line: parse arguments, then hand over to one `main`-like function per task."""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

from . import course, lock


@lock.holding_output_folder
def _autograde(args) -> int:
    from .autograde import grade_class
    from .table import print_table

    rows = grade_class(Path(args.submissions), Path(args.out), jobs=args.jobs,
                       timeout=args.timeout, skip=not args.no_skip, db_url=args.db,
                       dask=args.dask, force=args.force, memory_mb=args.memory_mb)
    print_table(rows)
    print(f"\nGrades: {Path(args.out) / 'grades.csv'}\nReport: {Path(args.out) / 'report.html'}")
    return 0


@lock.holding_output_folder
def _publish(args, what: str) -> int:
    from .autograde import Outdir, publish, stored_results

    out = Outdir(Path(args.out))
    db_url = args.db or course.sqlite_url(out.root / "gradebook.db")
    publish(out, db_url, stored_results(out), force_feedback=(what == "feedback"))
    print(f"{what} regenerated in {out.root}")
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
        description="Release, autograde and report on the optimization-methods assignment "
                    "(nbgrader underneath).")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("release", help="regenerate and validate the student version")
    p.add_argument("--release-dir", help="where to write it (default: notebooks/release/...)")
    p.set_defaults(func=_release)

    p = sub.add_parser("autograde", help="grade a class folder or .zip of submissions")
    p.add_argument("submissions", help="folder (or .zip) with one notebook per student")
    p.add_argument("--out", required=True, help="output folder for grades, feedback, report")
    p.add_argument("--jobs", type=int, default=os.cpu_count(),
                   help="submissions graded in parallel (default: number of cores)")
    p.add_argument("--timeout", type=int, default=60,
                   help="seconds one cell may run (default 60); a submission gets 3x that in all")
    p.add_argument("--db", help="gradebook SQLAlchemy URL (default: sqlite in --out)")
    p.add_argument("--no-skip", action="store_true",
                   help="also run the training/plot cells tagged 'skip-autograde'")
    p.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="grade on a Dask cluster (tcp://HOST:PORT, or 'local')")
    p.add_argument("--memory-mb", type=int, default=4096,
                   help="memory cap per submission in MiB (default 4096; 0 = none)")
    _wait_argument(p)
    p.set_defaults(func=_autograde)

    for what in ("feedback", "report"):
        p = sub.add_parser(what, help=f"regenerate the {what} from the gradebook, no regrading")
        p.add_argument("--out", required=True, help="the autograde output folder")
        p.add_argument("--db", help="gradebook SQLAlchemy URL (default: sqlite in --out)")
        _wait_argument(p)
        p.set_defaults(func=lambda args, what=what: _publish(args, what))

    p = sub.add_parser("demo", help="release, grade a sample class, print the gradebook")
    p.add_argument("--out", default="demo-output", help="working folder (default demo-output)")
    p.add_argument("--jobs", type=int, default=os.cpu_count())
    p.set_defaults(func=_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m grader` and the `optgrader` script."""
    from sqlalchemy.exc import OperationalError, SAWarning

    from .collect import UsageError
    from .gradebook import GradebookMismatch
    from .release import ReleaseError
    from .validate import ReleaseInvalid

    # nbgrader's update_or_create_submission trips SQLAlchemy autoflush warnings: harmless noise
    warnings.filterwarnings("ignore", category=SAWarning)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, GradebookMismatch, ReleaseError, ReleaseInvalid) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OperationalError as err:  # e.g. a --db server that is down or refuses us
        print(f"error: the gradebook database failed: {err.orig or err}".rstrip(),
              file=sys.stderr)
        return 2

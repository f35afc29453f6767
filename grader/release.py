"""`python -m grader release`: regenerate the student version from the instructor source."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory

from . import course
from .course import Assignment
from .notebook_io import METADATA_KEY, read_notebook, write_clean
from .validate import validate_release

NOTE = "Student version generated from the instructor source; edit the source, not this file."


class ReleaseError(RuntimeError):
    """nbgrader could not generate the student version."""


def generate_assignment(assignment: Assignment, db_url: str, workdir: Path) -> Path:
    """Run nbgrader generate_assignment into `workdir`, registering the assignment at `db_url`.

    Each call uses its own throw-away course folder, so a release can always be regenerated even
    when a class gradebook already holds submissions (nbgrader refuses --force then).
    """
    Path(workdir).mkdir(parents=True, exist_ok=True)
    config = assignment.course.nbgrader_config(workdir, db_url)
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_assignment = True
    converter.log.setLevel(logging.ERROR)
    coursedir.assignment_id = assignment.name
    try:
        converter.start()
    except Exception as err:  # nbgrader wraps everything in NbGraderException
        raise ReleaseError(f"nbgrader generate_assignment failed: {err}") from err
    return Path(workdir) / "release" / assignment.name


def build_release(assignment: Assignment | None = None, release_dir: Path | None = None) -> Path:
    """Generate, validate and write the clean student release; return its notebook path."""
    assignment = assignment or course.default_assignment()
    release_dir = Path(release_dir or assignment.release_dir)
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        tmp = Path(tmp)
        generated = generate_assignment(assignment, course.sqlite_url(tmp / "gradebook.db"),
                                        tmp / "course")
        nb = read_notebook(generated / f"{assignment.notebook}.ipynb")
        validate_release(nb, read_notebook(assignment.source_notebook))
        source = assignment.source_notebook.relative_to(assignment.course.root.parent)
        nb.metadata[METADATA_KEY] = {"generated_by": "python -m grader release",
                                     "source": source.as_posix(), "note": NOTE}
        if release_dir.exists():
            shutil.rmtree(release_dir)
        release_dir.mkdir(parents=True)
        for extra in generated.iterdir():  # data files shipped beside the notebook, if any
            if extra.suffix != ".ipynb":
                copy = shutil.copytree if extra.is_dir() else shutil.copy2
                copy(extra, release_dir / extra.name)
        target = release_dir / f"{assignment.notebook}.ipynb"
        write_clean(nb, target)
    return target


def main(args) -> int:
    """CLI entry: build the release and say where it is."""
    assignment = course.Course.load(args.course).assignment(args.assignment)
    target = build_release(assignment, Path(args.release_dir) if args.release_dir else None)
    print(f"Student release written to {target} (validated: no solutions, no hidden tests).")
    return 0

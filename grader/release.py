"""`python -m grader release`: regenerate the student version from the instructor source."""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

from nbgrader.converters import GenerateAssignment
from nbgrader.coursedir import CourseDirectory

from . import course
from .notebook_io import read_notebook, write_clean
from .validate import validate_release

GENERATED_NOTE = {
    "generated_by": "python -m grader release",
    "source": "notebooks/source/optimization_methods/optimization_methods.ipynb",
    "note": "Student version generated from the instructor source; edit the source, not this file.",
}


class ReleaseError(RuntimeError):
    """nbgrader could not generate the student version."""


def generate_assignment(db_url: str, workdir: Path,
                        source_dir: Path = course.COURSE / "source") -> Path:
    """Run nbgrader generate_assignment into `workdir`, registering the assignment at `db_url`.

    Each call uses its own throw-away course folder, so a release can always be regenerated even
    when a class gradebook already holds submissions (nbgrader refuses --force then).
    """
    Path(workdir).mkdir(parents=True, exist_ok=True)
    config = course.nbgrader_config(workdir, db_url, source_dir=source_dir)
    coursedir = CourseDirectory(config=config)
    converter = GenerateAssignment(coursedir=coursedir, config=config)
    converter.force = True
    converter.create_assignment = True
    converter.log.setLevel(logging.ERROR)
    coursedir.assignment_id = course.ASSIGNMENT
    try:
        converter.start()
    except Exception as err:  # nbgrader wraps everything in NbGraderException
        raise ReleaseError(f"nbgrader generate_assignment failed: {err}") from err
    return Path(workdir) / "release" / course.ASSIGNMENT


def build_release(release_dir: Path = course.RELEASE_DIR) -> Path:
    """Generate, validate and write the clean student release; return its notebook path."""
    with tempfile.TemporaryDirectory(prefix="release-") as tmp:
        tmp = Path(tmp)
        generated = generate_assignment(course.sqlite_url(tmp / "gradebook.db"), tmp / "course")
        nb = read_notebook(generated / f"{course.NOTEBOOK}.ipynb")
        validate_release(nb, read_notebook(course.SOURCE_NOTEBOOK))
        nb.metadata["optimization_methods"] = GENERATED_NOTE
        if release_dir.exists():
            shutil.rmtree(release_dir)
        release_dir.mkdir(parents=True)
        for extra in generated.iterdir():  # data files shipped beside the notebook, if any
            if extra.suffix != ".ipynb":
                copy = shutil.copytree if extra.is_dir() else shutil.copy2
                copy(extra, release_dir / extra.name)
        target = release_dir / f"{course.NOTEBOOK}.ipynb"
        write_clean(nb, target)
    return target


def main(args) -> int:
    """CLI entry: build the release and say where it is."""
    target = build_release(Path(args.release_dir) if args.release_dir else course.RELEASE_DIR)
    print(f"Student release written to {target} (validated: no solutions, no hidden tests).")
    return 0

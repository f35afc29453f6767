"""What a course and one of its assignments are, read from an nbgrader course folder.

Nothing here names a particular assignment: a `Course` is what its ``nbgrader_config.py`` says
(course id, root, gradebook), an `Assignment` is a ``source/<name>/`` folder and its notebook,
whose nbgrader cells give the graded cells, their points and the grades table's column names.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO = Path(__file__).resolve().parents[1]
DEFAULT_COURSE = REPO / "notebooks"  # this repository's own course: the default of --course
CONFIG_FILE = "nbgrader_config.py"

# Autograder cells are named "<graded function>_tests"; the grades table names columns after the
# function itself.
TEST_CELL_SUFFIX = "_tests"
# Cells tagged like this only train or plot: students run them, the grader may skip them.
SKIP_TAG = "skip-autograde"
# Files `nbgrader collect` leaves beside a submission; `release_feedback` needs them beside
# the autograded notebook and the feedback page, to match feedback to the submission.
SUBMISSION_FILES = ("timestamp.txt", "submission_secret.txt")


class CourseError(Exception):
    """The course folder or the assignment asked for cannot be used; the message says why."""


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an sqlite gradebook file."""
    return f"sqlite:///{Path(path).resolve()}"


@dataclass(frozen=True)
class Course:
    """An nbgrader course folder, as its nbgrader_config.py describes it."""

    root: Path
    course_id: str
    db_url: str
    config: Config = field(compare=False, repr=False)

    @classmethod
    def load(cls, folder: Path | str | None = None) -> Course:
        """Read `folder`/nbgrader_config.py (default: this repository's notebooks/)."""
        folder = Path(folder or DEFAULT_COURSE).resolve()
        if not folder.is_dir():
            raise CourseError(f"no course folder at {folder}")
        config = Config()
        if (folder / CONFIG_FILE).is_file():
            try:
                config = PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()
            except Exception as err:  # a broken config file: say which and why
                raise CourseError(f"cannot read {folder / CONFIG_FILE}: {err}") from None
        settings = config.CourseDirectory
        # nbgrader reads a relative root and sqlite path against the folder it runs in: the
        # course folder, for a course described by its own config file
        root = (folder / settings.get("root", ".")).resolve()
        db_url = settings.get("db_url") or sqlite_url(root / "gradebook.db")
        if db_url.startswith("sqlite:///") and not db_url.startswith("sqlite:////"):
            db_url = sqlite_url(root / db_url[len("sqlite:///"):])
        return cls(root, settings.get("course_id") or root.name, db_url, config)

    def directory(self, kind: str) -> Path:
        """A course sub-folder as nbgrader names it (`submitted`, `autograded`, `feedback`...)."""
        return self.root / self.config.CourseDirectory.get(f"{kind}_directory", kind)

    def assignment_names(self) -> list[str]:
        """Assignments with at least one notebook in source/."""
        source = self.directory("source")
        if not source.is_dir():
            return []
        return sorted(p.name for p in source.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and any(p.glob("*.ipynb")))

    def assignment(self, name: str | None = None) -> Assignment:
        """The assignment called `name`; without a name, the course's only one."""
        names = self.assignment_names()
        if name is None:
            if len(names) != 1:
                found = ", ".join(names) if names else "none"
                raise CourseError(
                    f"{self.root} has {len(names)} assignments in source/ ({found}): "
                    "choose one with --assignment NAME")
            name = names[0]
        if name not in names:
            raise CourseError(f"no assignment '{name}' in {self.directory('source')} "
                              f"(found: {', '.join(names) or 'none'})")
        return Assignment(self, name)

    def nbgrader_config(self, root: Path, db_url: str, source_dir: Path | None = None) -> Config:
        """nbgrader's config for this course, rooted at `root` with its gradebook at `db_url`.

        Everything else the course configured (late-submission plugin, ignore patterns, ...)
        is kept, so our steps behave as the course's own nbgrader commands would.
        """
        c = copy.deepcopy(self.config)
        c.CourseDirectory.root = str(root)
        c.CourseDirectory.course_id = self.course_id
        c.CourseDirectory.db_url = db_url
        c.CourseDirectory.source_directory = str(source_dir or self.directory("source"))
        c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                    "*.db"]
        return c


@dataclass(frozen=True)
class Assignment:
    """One assignment of a course: source/<name>/<notebook>.ipynb and what it grades."""

    course: Course
    name: str

    @property
    def source_dir(self) -> Path:
        return self.course.directory("source") / self.name

    @property
    def release_dir(self) -> Path:
        return self.course.directory("release") / self.name

    @cached_property
    def notebook(self) -> str:
        """The name (without .ipynb) of the assignment's notebook."""
        notebooks = sorted(p.stem for p in self.source_dir.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise CourseError(
                f"assignment '{self.name}' has {len(notebooks)} notebooks "
                f"({', '.join(notebooks)}); the grader handles one notebook per assignment")
        return notebooks[0]

    @property
    def source_notebook(self) -> Path:
        return self.source_dir / f"{self.notebook}.ipynb"

    @property
    def release_notebook(self) -> Path:
        return self.release_dir / f"{self.notebook}.ipynb"

    def cell_order(self) -> list[str]:
        """grade_ids of the source notebook's nbgrader cells, in notebook order."""
        return cell_order(self.source_notebook)

    def graded_cells(self) -> list[tuple[str, float]]:
        """(grade_id, points) of each autograded cell of the source, in notebook order."""
        cells = json.loads(self.source_notebook.read_text(encoding="utf-8"))["cells"]
        graded = []
        for cell in cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution") and cell["cell_type"] == "code":
                graded.append((meta["grade_id"], float(meta.get("points", 0))))
        return graded

    def columns(self) -> list[str]:
        """Grades-table column of each graded cell, in notebook order."""
        return [function_of(grade_id) for grade_id, _ in self.graded_cells()]


def default_assignment() -> Assignment:
    """The only assignment of this repository's own course."""
    return Course.load().assignment()


def cell_order(notebook_path: Path) -> list[str]:
    """grade_ids of a notebook's nbgrader cells, in notebook order."""
    cells = json.loads(Path(notebook_path).read_text(encoding="utf-8"))["cells"]
    ids = (cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in cells)
    return [grade_id for grade_id in ids if grade_id]


def function_of(grade_id: str) -> str:
    """The graded function an nbgrader cell id belongs to ("adam_tests" -> "adam")."""
    for prefix in ("public_",):
        if grade_id.startswith(prefix):
            grade_id = grade_id[len(prefix):]
    if grade_id.endswith(TEST_CELL_SUFFIX):
        grade_id = grade_id[: -len(TEST_CELL_SUFFIX)]
    return grade_id


# Names this module had before courses were read from disk, derived now from the default
# course, for code written against them (tests, benchmarks); grader/ itself uses Assignment.
_LEGACY = {
    "ASSIGNMENT": lambda a: a.name,
    "NOTEBOOK": lambda a: a.notebook,
    "COURSE_ID": lambda a: a.course.course_id,
    "COURSE": lambda a: a.course.root,
    "SOURCE_NOTEBOOK": lambda a: a.source_notebook,
    "RELEASE_DIR": lambda a: a.release_dir,
    "RELEASE_NOTEBOOK": lambda a: a.release_notebook,
}


def __getattr__(name: str):
    if name in _LEGACY:
        return _LEGACY[name](default_assignment())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

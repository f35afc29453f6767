"""Where the course lives and how nbgrader is configured for it."""

from __future__ import annotations

from pathlib import Path

from traitlets.config import Config

ASSIGNMENT = "optimization_methods"
NOTEBOOK = "optimization_methods"
COURSE_ID = "optimization-methods"

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "notebooks"
SOURCE_NOTEBOOK = COURSE / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
RELEASE_DIR = COURSE / "release" / ASSIGNMENT
RELEASE_NOTEBOOK = RELEASE_DIR / f"{NOTEBOOK}.ipynb"

# Autograder cells are named "<graded function>_tests"; the grades table names columns after the
# function itself.
TEST_CELL_SUFFIX = "_tests"
# Cells tagged like this only train or plot: students run them, the grader may skip them.
SKIP_TAG = "skip-autograde"


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of an sqlite gradebook file."""
    return f"sqlite:///{Path(path).resolve()}"


def nbgrader_config(root: Path, db_url: str, source_dir: Path | None = None) -> Config:
    """An nbgrader config for a course rooted at `root` with its gradebook at `db_url`."""
    c = Config()
    c.CourseDirectory.root = str(root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = db_url
    if source_dir is not None:
        c.CourseDirectory.source_directory = str(source_dir)
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.db"]
    return c


def cell_order(notebook_path: Path = SOURCE_NOTEBOOK) -> list[str]:
    """grade_ids of the instructor notebook's nbgrader cells, in notebook order."""
    import json

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

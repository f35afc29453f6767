"""Checks that a student release gives nothing away and lacks nothing that is graded."""

from __future__ import annotations

from nbformat import NotebookNode

FORBIDDEN_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class ReleaseInvalid(ValueError):
    """The generated release is unsafe or incomplete."""


def nbgrader_cells(nb: NotebookNode) -> dict[str, dict]:
    """Map grade_id -> nbgrader metadata for every nbgrader-tracked cell."""
    cells = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if "grade_id" in meta:
            cells[meta["grade_id"]] = meta
    return cells


def graded_cell_ids(nb: NotebookNode) -> list[str]:
    """Ids of autograded cells (grade cells with points), in notebook order."""
    return [gid for gid, meta in nbgrader_cells(nb).items() if meta.get("grade")]


def validate_release(release: NotebookNode, source: NotebookNode) -> None:
    """Raise ReleaseInvalid unless `release` hides all answers and keeps every graded cell."""
    problems = []
    for index, cell in enumerate(release.cells):
        for marker in FORBIDDEN_MARKERS:
            if marker in cell.source:
                problems.append(f"cell {index} still contains '{marker}'")
    source_cells, release_cells = nbgrader_cells(source), nbgrader_cells(release)
    for gid, meta in source_cells.items():
        if gid not in release_cells:
            problems.append(f"cell '{gid}' is missing from the release")
        elif meta.get("points") != release_cells[gid].get("points"):
            problems.append(f"cell '{gid}' has different points in the release")
    if not graded_cell_ids(release):
        problems.append("no graded cells at all")
    if problems:
        raise ReleaseInvalid("unsafe or incomplete release:\n  " + "\n  ".join(problems))

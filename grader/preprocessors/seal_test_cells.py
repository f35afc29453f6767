"""Seal the autograder cells: their tests run through the kernel guard and end with a token."""

from __future__ import annotations

import secrets

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import course

TOKEN_PREFIX = "grader-pass-"


def sealed_source(guard: str, token: str, function: str, source: str) -> str:
    """One line that runs `source` through the guard, passing it the function under test."""
    passed = f", {function}={function}" if function.isidentifier() else ""
    return f"{guard}.run_tests({token!r}, {source!r}{passed})"


class SealTestCells(NbGraderPreprocessor):
    """Rewrite each autograder cell (already restored from the gradebook) into a guarded call.

    The guard (grader/kernel_guard.py), installed under a random name before any student code,
    runs the cell's test code with pristine builtins and numpy and prints the cell's token - a
    fresh secret per cell and per grading - only when every assertion passed. The tokens and the
    original sources go to ``resources["grader"]``: RequirePassTokens checks the tokens after
    execution and puts the sources back, so the autograded notebook and the feedback show the
    test cells as the instructor wrote them.
    """

    def preprocess(self, nb, resources):
        grader = resources.setdefault("grader", {})
        guard = grader.setdefault("guard", "_grader_" + secrets.token_hex(8))
        seals = grader.setdefault("seals", {})
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
                continue
            grade_id = cell.metadata.nbgrader["grade_id"]
            token = TOKEN_PREFIX + secrets.token_hex(16)
            seals[grade_id] = {"token": token, "source": cell.source}
            cell.source = sealed_source(guard, token, course.function_of(grade_id), cell.source)
        return nb, resources

"""Seal the autograder cells: their tests run through the kernel guard and end with a token."""

from __future__ import annotations

import secrets

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from .. import course
from ..kernel_guard import TOKEN_PREFIX

__all__ = ["TOKEN_PREFIX", "SealTestCells", "sealed_source"]


def sealed_source(guard: str, grade_id: str, function: str, source: str) -> str:
    """One line that runs `source` through the guard, passing it the function under test."""
    passed = f", {function}={function}" if function.isidentifier() else ""
    return f"{guard}.run_tests({grade_id!r}, {source!r}{passed})"


class SealTestCells(NbGraderPreprocessor):
    """Rewrite each autograder cell (already restored from the gradebook) into a guarded call.

    The guard (grader/kernel_guard.py), installed under a random name before any student code,
    runs the cell's test code with pristine builtins and numpy and, only when every assertion
    passed, prints the cell's pass token: an HMAC of its grade id and test code under a key
    drawn here for this grading. The key never appears in a cell - SandboxedExecute hands it to
    the guard silently - so neither a sealed cell nor whatever rewrites it can show the token.
    The guard's name, the key and the original sources go to ``resources["grader"]``:
    RequirePassTokens computes the expected tokens after execution and puts the sources back, so
    the autograded notebook and the feedback show the test cells as the instructor wrote them.
    """

    def preprocess(self, nb, resources):
        grader = resources.setdefault("grader", {})
        guard = grader.setdefault("guard", "_grader_" + secrets.token_hex(8))
        grader.setdefault("key", secrets.token_bytes(32))
        seals = grader.setdefault("seals", {})
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
                continue
            grade_id = cell.metadata.nbgrader["grade_id"]
            seals[grade_id] = cell.source
            cell.source = sealed_source(guard, grade_id, course.function_of(grade_id), cell.source)
        return nb, resources

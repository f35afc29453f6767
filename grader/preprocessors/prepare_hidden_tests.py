"""Replace each autograder cell with code that only reports what the student's function does."""

from __future__ import annotations

import secrets

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from ..hidden_tests import judge


class PrepareHiddenTests(NbGraderPreprocessor):
    """Draw each autograder cell's hidden-test inputs and put the reporting code in its place.

    The checks come from the hidden blocks of the instructor's notebook (``source_notebook``),
    run here with its reference solution; the inputs are drawn from ``resources["grader"]
    ["inputs_key"]`` (per submission, from the grader's secret: the same file gets the same
    inputs). The kernel then runs, instead of the cell, code that calls the student's function
    on those inputs and sends back what came out; JudgeHiddenTests compares it with the
    reference's results, here, and puts the cell's source back. Graded cells without a
    ``check(...)`` in their hidden block run as written (judged the nbgrader way, in the kernel).
    """

    source_notebook = Unicode(help="the instructor's notebook holding the hidden tests").tag(
        config=True)
    skip_tag = Unicode("skip-autograde", help="cells the reference run skips").tag(config=True)

    def preprocess(self, nb, resources):
        grader = resources.setdefault("grader", {})
        key = grader.setdefault("inputs_key", secrets.token_hex(32))
        checks = judge.load_checks(self.source_notebook, self.skip_tag)
        prepared = grader.setdefault("hidden_tests", {})
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
                continue
            grade_id = cell.metadata.nbgrader["grade_id"]
            if grade_id not in checks:
                continue
            prepared[index] = (judge.prepare(grade_id, checks[grade_id], key), cell.source)
            cell.source = prepared[index][0].source()
        return nb, resources

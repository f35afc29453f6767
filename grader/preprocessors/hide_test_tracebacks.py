"""Feedback shows why a test failed, not the hidden test code around the failure."""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

HINT = "(Run the public test cell in your notebook to see a full traceback.)"


class HideTestTracebacks(NbGraderPreprocessor):
    """Reduce error outputs of autograder cells to 'ErrorName: message'.

    IPython tracebacks quote the failing source lines, which in a test cell are the hidden tests.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell):
            for out in cell.outputs:
                if out.output_type == "error":
                    out.traceback = [f"{out.ename}: {out.evalue}", HINT]
        return cell, resources

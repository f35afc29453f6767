"""Make sure a test cell that did not run (or faked a score) cannot earn points."""

from __future__ import annotations

from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

NOT_RUN = "this test cell did not run (the kernel died or the time limit was reached before it)"


class FailUnrunTests(NbGraderPreprocessor):
    """Give autograder cells that never ran an error output, and drop displayed values.

    nbgrader awards full marks to a test cell without error output, and partial marks to one that
    displays a number; a test cell left unrun by a dead kernel, or one whose display a student
    hooked, must not profit from either.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            return cell, resources
        cell.outputs = [out for out in cell.outputs if out.output_type != "execute_result"]
        if cell.execution_count is None:
            cell.outputs.append(new_output("error", ename="NotRun", evalue=NOT_RUN,
                                           traceback=[f"NotRun: {NOT_RUN}"]))
        return cell, resources

"""Judge what each autograder cell sent back against the reference, and say so in the cell."""

from __future__ import annotations

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..hidden_tests import judge

DIED = "the kernel died while the hidden tests of this cell were running"
TIMED_OUT = "the hidden tests of this cell did not finish within the time limit"


class JudgeHiddenTests(NbGraderPreprocessor):
    """Give each cell PrepareHiddenTests replaced its verdict, and its source back.

    The verdict comes from the results the cell sent back (set aside by SandboxedExecute), read
    as data and compared here with the reference's: nothing the kernel printed, raised or
    claimed decides it. The cell's outputs become what the student needs: the streams it
    printed, then "passed" or an error that says what is wrong (an error output is what makes
    nbgrader give the cell 0). A cell that never ran is left to FailUnrunTests.
    """

    def preprocess(self, nb, resources):
        grader = resources.get("grader", {})
        results = grader.get("results", {})
        events = grader.get("events", {})
        for index, (prepared, source) in grader.get("hidden_tests", {}).items():
            cell = nb.cells[index]
            cell.source = source
            if cell.execution_count is None:
                continue
            errors = [out for out in cell.outputs if out.output_type == "error"]
            cell.outputs = [out for out in cell.outputs if out.output_type == "stream"]
            reports = results.get(index, [])
            error = f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
            if not reports and index == events.get("kernel_died"):
                error = DIED
            elif not reports and index in events.get("timeouts", []):
                error = TIMED_OUT
            verdict = judge.verdict(prepared, reports, error[:300])
            if verdict.passed:
                cell.outputs.append(new_output("stream", name="stdout",
                                               text=verdict.message + "\n"))
            else:
                cell.outputs.append(new_output("error", ename=verdict.ename,
                                               evalue=verdict.message,
                                               traceback=[f"{verdict.ename}: {verdict.message}"]))
        return nb, resources

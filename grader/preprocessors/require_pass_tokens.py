"""An autograder cell passes only if its hidden tests ran to the end: its token is required."""

from __future__ import annotations

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

INCOMPLETE = ("the tests in this cell did not run to the end (did the notebook's code change "
              "how cells run, silence errors or exit early?)")
DIED = "the kernel died while the tests in this cell were running"


class RequirePassTokens(NbGraderPreprocessor):
    """Fail each sealed autograder cell that ran but did not print its token; restore sources.

    nbgrader gives full marks to a test cell without an error output. A student cell that
    silences tracebacks, swallows exceptions, makes IPython skip cells or exits mid-cell can
    produce exactly that; it cannot produce the token, a secret SealTestCells put in the cell
    that the guard prints only after the tests passed. A cell that never ran is left to
    FailUnrunTests. The token is removed from the outputs and the cell gets back the source it
    had before sealing.
    """

    def preprocess(self, nb, resources):
        grader = resources.get("grader", {})
        seals = grader.get("seals", {})
        died = grader.get("events", {}).get("kernel_died")
        for index, cell in enumerate(nb.cells):
            seal = seals.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if seal is None or cell.cell_type != "code":
                continue
            cell.source = seal["source"]
            printed = _remove_token(cell, seal["token"])
            if cell.execution_count is None:
                continue
            if any(out.output_type == "error" for out in cell.outputs):
                continue
            if index == died:
                _fail(cell, "KernelDied", DIED)
            elif not printed:
                _fail(cell, "TestsIncomplete", INCOMPLETE)
        return nb, resources


def _remove_token(cell, token: str) -> bool:
    """Drop `token` from the cell's stdout, and traceback frames quoting the sealed call (they
    show the token and the test code); True if the token was printed."""
    found = False
    kept = []
    for out in cell.outputs:
        if out.output_type == "error":
            out.traceback = [frame for frame in out.traceback if token not in frame]
        if out.output_type == "stream" and out.get("name") == "stdout" and token in out.text:
            found = True
            out.text = out.text.replace("\n" + token + "\n", "").replace(token, "")
            if not out.text.strip():
                continue
        kept.append(out)
    cell.outputs = kept
    return found


def _fail(cell, ename: str, message: str) -> None:
    cell.outputs.append(new_output("error", ename=ename, evalue=message,
                                   traceback=[f"{ename}: {message}"]))

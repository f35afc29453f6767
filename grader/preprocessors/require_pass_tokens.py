"""An autograder cell passes only if its hidden tests ran to the end: its token is required."""

from __future__ import annotations

import re

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from ..kernel_guard import TOKEN_PREFIX, pass_token

INCOMPLETE = ("the tests in this cell did not run to the end (did the notebook's code change "
              "how cells run, silence errors or exit early?)")
DIED = "the kernel died while the tests in this cell were running"
TOKEN_LINE = re.compile("^" + re.escape(TOKEN_PREFIX) + "[0-9a-f]*\n?", re.MULTILINE)


class RequirePassTokens(NbGraderPreprocessor):
    """Fail each sealed autograder cell that ran but did not print its token; restore sources.

    nbgrader gives full marks to a test cell without an error output. A student cell that
    silences tracebacks, swallows exceptions, makes IPython skip cells, exits mid-cell or
    rewrites the sealed cell can produce exactly that; it cannot produce the token, an HMAC of
    the cell's grade id and its original test code under the key SealTestCells drew, which the
    guard prints only after that test code passed. The expected token is computed here, from
    the key and the sources SealTestCells recorded. A cell that never ran is left to
    FailUnrunTests. Tokens (and lines posing as one) are removed from the outputs, and the cell
    gets back the source it had before sealing.
    """

    def preprocess(self, nb, resources):
        grader = resources.get("grader", {})
        seals = grader.get("seals", {})
        guard = grader.get("guard")
        died = grader.get("events", {}).get("kernel_died")
        for index, cell in enumerate(nb.cells):
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            source = seals.get(grade_id)
            if source is None or cell.cell_type != "code":
                continue
            cell.source = source
            token = pass_token(grader["key"], grade_id, source)
            printed = _remove_tokens(cell, token, guard)
            if cell.execution_count is None:
                continue
            if any(out.output_type == "error" for out in cell.outputs):
                continue
            if index == died:
                _fail(cell, "KernelDied", DIED)
            elif not printed:
                _fail(cell, "TestsIncomplete", INCOMPLETE)
        return nb, resources


def _remove_tokens(cell, token: str, guard: str) -> bool:
    """Drop `token`, and any line posing as a token, from the cell's stdout, and traceback
    frames quoting the sealed call - they name the `guard` and show the test code; True if the
    token was printed."""
    found = False
    kept = []
    for out in cell.outputs:
        if out.output_type == "error":
            out.traceback = [frame for frame in out.traceback if guard not in frame]
        if out.output_type == "stream" and out.get("name") == "stdout" and \
                TOKEN_PREFIX in out.text:
            found = found or token in out.text
            text = out.text.replace("\n" + token + "\n", "").replace(token, "")
            out.text = TOKEN_LINE.sub("", text)
            if not out.text.strip():
                continue
        kept.append(out)
    cell.outputs = kept
    return found


def _fail(cell, ename: str, message: str) -> None:
    cell.outputs.append(new_output("error", ename=ename, evalue=message,
                                   traceback=[f"{ename}: {message}"]))


"""Read notebooks defensively and write them clean (no outputs, stable JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat import NotebookNode

# Cell metadata worth keeping in a stored notebook: nbgrader's, tags, and JupyterLab's read-only
# flags (nbgrader sets them on locked cells of the release).
KEPT_CELL_METADATA = ("nbgrader", "tags", "editable", "deletable")
# Notebook metadata key under which this project (not an assignment) notes a generated release.
METADATA_KEY = "optimization_methods"
KEPT_NOTEBOOK_METADATA = ("kernelspec", "language_info", METADATA_KEY)


class NotebookError(ValueError):
    """A file that cannot be used as a notebook; the message says why in plain words."""


def read_notebook(path: Path) -> NotebookNode:
    """Read a v4 notebook, raising NotebookError with a readable reason when it is unusable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError("not a text file (is it really a .ipynb?)") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotebookError(
            f"not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise NotebookError("JSON without a list of cells: not a Jupyter notebook")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # nbformat raises several unrelated types
        raise NotebookError(f"not a valid Jupyter notebook ({str(err).splitlines()[0]})") from None
    return nb


def clean(nb: NotebookNode) -> NotebookNode:
    """Strip outputs, execution counts and volatile metadata, keeping nbgrader's."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEPT_NOTEBOOK_METADATA}
    if "language_info" in nb.metadata:
        nb.metadata["language_info"] = {"name": nb.metadata["language_info"].get("name", "python")}
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEPT_CELL_METADATA}
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not cell.get("attachments"):
            cell.pop("attachments", None)
    return nb


def dumps_clean(nb: NotebookNode) -> str:
    """Stable, diff-friendly text of a cleaned notebook (Jupyter's own layout: sorted keys,
    sources as lists of lines)."""
    text = nbformat.writes(clean(nb), version=4)
    return text if text.endswith("\n") else text + "\n"


def write_clean(nb: NotebookNode, path: Path) -> None:
    """Write `nb` cleaned to `path`, creating folders as needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_clean(nb), encoding="utf-8")

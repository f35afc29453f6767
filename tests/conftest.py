"""Shared fixtures: the instructor notebook and a namespace holding its reference solutions."""

import types
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")  # the notebook's imports cell pulls in pyplot; never open a window

ROOT = Path(__file__).resolve().parents[1]
SOURCE_NOTEBOOK = ROOT / "notebooks/source/optimization_methods/optimization_methods.ipynb"


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def python_source(cell):
    """The cell's code without IPython magics (lines starting with %)."""
    return "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))


@pytest.fixture(scope="session")
def source_notebook_path():
    return SOURCE_NOTEBOOK


@pytest.fixture(scope="session")
def source_notebook(source_notebook_path):
    return nbformat.read(source_notebook_path, as_version=4)


@pytest.fixture(scope="session")
def cells_by_grade_id(source_notebook):
    return {grade_id(cell): cell for cell in source_notebook.cells if grade_id(cell)}


@pytest.fixture(scope="session")
def solutions(source_notebook):
    """The source notebook's imports cell and solution cells, executed in one namespace."""
    namespace = {"__name__": "solutions"}
    for cell in source_notebook.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if grade_id(cell) == "imports" or nbgrader.get("solution"):
            exec(compile(python_source(cell), f"<cell {cell.id}>", "exec"), namespace)
    return types.SimpleNamespace(**namespace)


# Notebooks under tests/ are fixtures (submissions to grade), not notebooks for nbval to run.
collect_ignore_glob = ["**/*.ipynb"]

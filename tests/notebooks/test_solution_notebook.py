"""The instructor notebook, executed top to bottom, reproduces the assignment's figures.

One kernel run (about 15-20 s: six training runs) is shared by every test in this module.
"""

import re

import nbformat
import pytest
from nbclient import NotebookClient

EXPECTED_ACCURACIES = {
    "GD": "0.7967",
    "Momentum": "0.7967",
    "Adam": "0.9400",
    "GD + decay": "0.9433",
    "Momentum + decay": "0.9533",
    "Adam + decay": "0.9400",
}


def text_output(cell):
    return "".join(
        output.get("text", "") for output in cell.outputs if output.output_type == "stream"
    )


@pytest.fixture(scope="module")
def executed_notebook(source_notebook, source_notebook_path):
    notebook = nbformat.from_dict(source_notebook)  # a copy: the session fixture stays clean
    folder = source_notebook_path.parent  # the kernel runs where the notebook lives
    client = NotebookClient(
        notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return {cell.id: cell for cell in notebook.cells}


def test_solution_notebook_executes_without_errors(executed_notebook):
    errors = [
        f"{cell_id}: {output.ename}: {output.evalue}"
        for cell_id, cell in executed_notebook.items()
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_solution_notebook_reproduces_the_six_training_accuracies(executed_notebook):
    table = text_output(executed_notebook["table-final"])
    rows = dict(re.findall(r"^(\S.*?)\s{2,}(\d\.\d{4})$", table, flags=re.MULTILINE))
    assert rows == EXPECTED_ACCURACIES, table


def test_each_training_run_prints_its_own_accuracy(executed_notebook):
    runs = {
        "train-gd": "GD",
        "train-momentum": "Momentum",
        "train-adam": "Adam",
        "train-gd-decay": "GD + decay",
        "train-momentum-decay": "Momentum + decay",
        "train-adam-decay": "Adam + decay",
    }
    for cell_id, name in runs.items():
        output = text_output(executed_notebook[cell_id])
        assert f"training accuracy: {EXPECTED_ACCURACIES[name]}" in output, cell_id
        assert output.count("epoch ") in (5, 10), "cost printed every 1000 epochs"


def test_solution_notebook_draws_every_figure(executed_notebook):
    plotting = [
        cell_id
        for cell_id, cell in executed_notebook.items()
        if cell.cell_type == "code" and "plt.show()" in cell.source
    ]
    assert len(plotting) == 11  # data, 6 decision boundaries, 2 cost plots, 2 schedules
    for cell_id in plotting:
        images = [
            output
            for output in executed_notebook[cell_id].outputs
            if "image/png" in output.get("data", {})
        ]
        assert len(images) == 1, f"{cell_id} should show exactly one figure"


def test_public_checks_pass_in_the_solution_notebook(executed_notebook):
    checks = [cell_id for cell_id in executed_notebook if cell_id.endswith("_tests")]
    assert len(checks) == 8
    for cell_id in checks:
        assert text_output(executed_notebook[cell_id]) == "All tests passed.\n", cell_id

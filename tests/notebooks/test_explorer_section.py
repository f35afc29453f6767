"""The notebook's explorer section, run in a real kernel: finished, blank, and as static HTML.

Only the cells the section needs run (imports, the exercise cells, the section itself), so the
training runs are not repeated here; nbval runs the whole source notebook.
"""

import base64

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from grader import course

WIDGET = "application/vnd.jupyter.widget-view+json"
SECTION_START = "explorer-intro"


def section_notebook(path):
    """The notebook at path, keeping the imports, the exercise cells and the explorer section."""
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    start = next(i for i, cell in enumerate(cells) if cell.id == SECTION_START)
    exercises = [cell for cell in cells[:start]
                 if cell.metadata.get("nbgrader", {}).get("solution")
                 or cell.metadata.get("nbgrader", {}).get("grade_id") == "imports"]
    notebook.cells = exercises + cells[start:]
    return notebook


def execute(notebook, folder):
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return {cell.id: cell for cell in notebook.cells}


def displays(cell):
    return [output.data for output in cell.outputs if output.output_type == "display_data"]


def errors(cells):
    return [f"{cell_id}: {output.ename}: {output.evalue}" for cell_id, cell in cells.items()
            if cell.cell_type == "code" for output in cell.outputs
            if output.output_type == "error"]


@pytest.fixture(scope="module")
def finished():
    notebook = section_notebook(course.SOURCE_NOTEBOOK)
    return notebook, execute(notebook, course.SOURCE_NOTEBOOK.parent)


@pytest.fixture(scope="module")
def blank():
    notebook = section_notebook(course.RELEASE_NOTEBOOK)
    return execute(notebook, course.RELEASE_NOTEBOOK.parent)


def test_section_cells_are_skipped_by_the_autograder(source_notebook):
    cells = source_notebook.cells
    start = next(i for i, cell in enumerate(cells) if cell.id == SECTION_START)
    assert start > 0 and all("nbgrader" not in cell.metadata for cell in cells[start:])
    code = [cell for cell in cells[start:] if cell.cell_type == "code"]
    assert len(code) == 4
    assert all(cell.metadata.get("tags") == ["skip-autograde"] for cell in code)


def test_the_solution_shows_the_explorer_with_a_static_picture(finished):
    _, cells = finished
    assert errors(cells) == []
    (panel,) = displays(cells["explorer"])
    assert WIDGET in panel
    assert base64.b64decode(panel["image/jpeg"]).startswith(b"\xff\xd8")


def test_unwritten_try_it_cells_are_named_and_the_rest_is_shown(finished):
    _, cells = finished
    message, panel = displays(cells["explorer-try-it"])
    text = message["text/markdown"]
    assert "the optional Nesterov cell (`update_parameters_with_nesterov`) is not written" in text
    assert "the optional RMSProp cell (`update_parameters_with_rmsprop`) is not written" in text
    assert "Meanwhile it shows: momentum, Adam." in text
    assert WIDGET in panel and "image/jpeg" in panel


def test_a_blank_notebook_says_what_to_finish_and_draws_nothing(blank):
    assert errors(blank) == []
    (message,) = displays(blank["explorer"])
    text = message["text/markdown"]
    assert set(message) == {"text/markdown", "text/plain"}  # no widget, no empty figure
    for number, function in ((1, "update_parameters_with_gd"), (3, "initialize_velocity"),
                             (5, "initialize_adam"), (7, "update_lr"), (8, "schedule_lr_decay")):
        assert f"exercise {number} (`{function}`) is not written yet" in text
    assert "random_mini_batches" not in text  # the explorer does not need exercise 2
    assert "nothing to draw" in text


def test_plain_nbconvert_html_shows_the_picture_where_widgets_cannot_run(finished):
    notebook, _ = finished
    # Saved from JupyterLab (which by default keeps no widget state) the widgets cannot be
    # rebuilt, so nbconvert falls back to the picture the panel carries.
    saved = nbformat.from_dict(notebook)
    saved.metadata.pop("widgets")
    html, _ = HTMLExporter().from_notebook_node(saved)
    # the section's two explorers are this notebook's only figures (no training cells here)
    assert html.count('src="data:image/jpeg;base64,') == 2
    # Executed headless, the widget state is stored, and the page rebuilds the panels from it,
    # the figure included.
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    images = [model for model in state.values() if model["model_name"] == "ImageModel"]
    assert len(images) == 2 and all(model["buffers"] for model in images)

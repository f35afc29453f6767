"""The optimizer explorer in real JupyterLab: it renders, its sliders redraw it, quickly.

The notebook is a temporary copy of the source notebook without its training runs: the
imports, the exercise (solution) cells and the explorer section, run with Run All.
"""

from __future__ import annotations

import hashlib
import re

import nbformat
import pytest
from playwright.sync_api import expect

from grader import course
from tests.browser.conftest import screenshot_path
from tests.browser.lab import CELLS, CODE_CELLS, open_notebook, run_all

KERNEL_TIMEOUT = 120_000  # ms: a kernel start and the run of the exercises on a loaded machine
REDRAW_LIMIT = 0.5  # seconds from the key press to the new picture loaded in the page
MOVES = 4  # slider moves timed, one after another
EXPLORER = ".optimizer-explorer"

# In the page: time from each key press on a slider (or choice in a menu) to the load of the
# next picture.
TIMER = """explorer => {
    window.explorerTimes = [];
    const image = explorer.querySelector('img');
    const pressed = () => { window.explorerPressed = performance.now(); };
    explorer.addEventListener('keydown', pressed, true);
    explorer.addEventListener('change', pressed, true);
    image.addEventListener('load', () => {
        if (window.explorerPressed !== undefined) {
            window.explorerTimes.push((performance.now() - window.explorerPressed) / 1000);
            window.explorerPressed = undefined;
        }
    });
}"""


def write_explorer_notebook(source, folder):
    """folder/explorer.ipynb: the notebook at source without anything but its exercises."""
    notebook = nbformat.read(source, as_version=4)
    cells = notebook.cells
    start = next(i for i, cell in enumerate(cells) if cell.id == "explorer-intro")
    keep = [cell for cell in cells[:start]
            if cell.metadata.get("nbgrader", {}).get("solution")
            or cell.metadata.get("nbgrader", {}).get("grade_id") == "imports"]
    notebook.cells = keep + cells[start:]
    nbformat.write(notebook, folder / "explorer.ipynb")
    return folder


@pytest.fixture(scope="module")
def explorer_notebook(tmp_path_factory):
    """The solution's exercises and the explorer section."""
    return write_explorer_notebook(course.SOURCE_NOTEBOOK, tmp_path_factory.mktemp("solved"))


@pytest.fixture(scope="module")
def blank_notebook(tmp_path_factory):
    """The student release's unwritten exercises and the explorer section."""
    return write_explorer_notebook(course.RELEASE_NOTEBOOK, tmp_path_factory.mktemp("blank"))


def open_and_run(page, lab) -> None:
    """Open explorer.ipynb, wait for its kernel as a student would, and run all cells."""
    open_notebook(page, lab.url("explorer.ipynb"))
    cells = len(nbformat.read(lab.root / "explorer.ipynb", as_version=4).cells)
    expect(page.locator(CELLS)).to_have_count(cells, timeout=KERNEL_TIMEOUT)  # all loaded
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    ready = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\| Idle$"))
    expect(dialog.or_(ready).first).to_be_visible(timeout=KERNEL_TIMEOUT)
    if dialog.is_visible():  # Lab asks when the kernel was slow to start: take the default
        dialog.get_by_role("button", name="Select").click()
    expect(ready).to_be_visible(timeout=KERNEL_TIMEOUT)
    run_all(page)


def picture(page, explorer) -> bytes:
    """The explorer's figure as the page shows it (a screenshot of its image)."""
    return explorer.locator("img").screenshot()


def test_explorer_renders_and_its_sliders_redraw_it_live(page, lab_factory, explorer_notebook):
    lab = lab_factory(explorer_notebook)
    open_and_run(page, lab)

    explorers = page.locator(EXPLORER)
    explorers.nth(1).wait_for(timeout=KERNEL_TIMEOUT)
    assert explorers.count() == 2  # the explorer and the "try it" one
    explorer = explorers.first
    explorer.scroll_into_view_if_needed()
    page.wait_for_function("image => image.complete && image.naturalWidth > 600",
                           arg=explorer.locator("img").element_handle(), timeout=30_000)
    outputs = page.locator(CODE_CELLS).filter(has=page.locator(EXPLORER)).first
    assert "Error displaying widget" not in outputs.locator(".jp-OutputArea").inner_text()
    explorer.screenshot(path=screenshot_path("explorer-rendered"))

    before = picture(page, explorer)
    explorer.evaluate(TIMER)
    beta = explorer.locator(".widget-slider", has_text="β").first  # momentum's beta
    handle = beta.locator(".noUi-handle")
    readout = beta.locator(".widget-readout")
    start = float(readout.inner_text())
    for move in range(1, MOVES + 1):
        handle.focus()
        page.keyboard.press("ArrowRight")  # one step of the slider: 0.01
        page.wait_for_function(f"window.explorerTimes.length >= {move}", timeout=10_000)
    after = picture(page, explorer)
    explorer.screenshot(path=screenshot_path("explorer-after-moves"))

    assert float(readout.inner_text()) == pytest.approx(start + MOVES * 0.01)
    assert hashlib.sha256(after).digest() != hashlib.sha256(before).digest()
    times = page.evaluate("window.explorerTimes")
    print(f"redraw times in the browser (s): {[round(t, 3) for t in times]}")
    assert len(times) == MOVES and max(times) <= REDRAW_LIMIT, times


def test_the_explorer_follows_a_change_of_surface(page, lab_factory, explorer_notebook):
    lab = lab_factory(explorer_notebook)
    open_and_run(page, lab)
    explorer = page.locator(EXPLORER).first
    explorer.wait_for(timeout=KERNEL_TIMEOUT)
    explorer.scroll_into_view_if_needed()
    before = picture(page, explorer)
    explorer.evaluate(TIMER)
    explorer.locator("select").first.select_option(label="curved valley (Rosenbrock)")
    page.wait_for_function("window.explorerTimes.length >= 1", timeout=10_000)
    start_x = explorer.locator(".widget-slider", has_text="start x").locator(".widget-readout")
    # the valley's own start, window and settings (the readout writes a typographic minus)
    expect(start_x).to_have_text(re.compile(r"^[-\u2212]1\.50$"))
    after = picture(page, explorer)
    explorer.screenshot(path=screenshot_path("explorer-valley"))
    assert after != before
    times = page.evaluate("window.explorerTimes")
    print(f"surface switch in the browser (s): {times}")
    assert times[0] <= REDRAW_LIMIT, times


def test_unfinished_exercises_get_a_message_and_no_figure(page, lab_factory, blank_notebook):
    lab = lab_factory(blank_notebook)
    open_and_run(page, lab)
    message = page.locator(".jp-OutputArea-output", has_text="Finish these first").first
    message.wait_for(timeout=KERNEL_TIMEOUT)
    message.scroll_into_view_if_needed()
    message.screenshot(path=screenshot_path("explorer-unfinished"))
    text = message.inner_text()
    assert "exercise 1 (update_parameters_with_gd) is not written yet" in text
    assert "nothing to draw" in text
    assert page.locator(EXPLORER).count() == 0
    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, errors.all_inner_texts()

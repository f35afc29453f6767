"""What a student does in JupyterLab, as Playwright steps: open a notebook, run it, read it, type.

Selectors are JupyterLab 4's own class names; every wait has a timeout, so a hung kernel or a
changed page fails the test instead of blocking it.
"""

from __future__ import annotations

import os

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # skip the browser tests locally; under CI they must run (conftest.py)
    if os.environ.get("CI"):
        raise
    pytest.skip("playwright is not installed (pip install -e '.[dev]')", allow_module_level=True)

OPEN_TIMEOUT = 90_000  # ms: first load of JupyterLab plus a kernel start, on a loaded machine
RUN_TIMEOUT = 240_000  # ms: Run All on the untouched release stops at exercise 1; longer runs

NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CELLS = f"{NOTEBOOK} .jp-Notebook .jp-Cell"
CODE_CELLS = f"{NOTEBOOK} .jp-Notebook .jp-CodeCell"
KERNEL_STATUS = f"{NOTEBOOK} .jp-Notebook-ExecutionIndicator"


def wait_idle(page: Page, timeout: float = RUN_TIMEOUT) -> None:
    """Wait until the notebook's kernel is idle and no cell is queued or running ([*])."""
    page.wait_for_function(
        """([indicator, prompts]) => {
            const status = document.querySelector(indicator);
            const bar = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                .some(item => / \\| Idle$/.test(item.textContent));
            return bar && status && status.dataset.status === 'idle'
                && [...document.querySelectorAll(prompts)]
                    .every(prompt => !prompt.textContent.includes('*'));
        }""",
        arg=[KERNEL_STATUS, f"{CELLS} .jp-InputPrompt"], timeout=timeout)


def open_notebook(page: Page, url: str) -> None:
    """Open `url` (a Lab.url of a notebook); return once all its cells are rendered and its
    kernel has started and is idle."""
    page.goto(url)
    contents = url.replace("/lab/tree/", "/api/contents/", 1).replace("?reset&", "?")
    cells = len(page.request.get(contents).json()["content"]["cells"])
    expect(page.locator(CELLS)).to_have_count(cells, timeout=OPEN_TIMEOUT)
    wait_idle(page, timeout=OPEN_TIMEOUT)


def menu(page: Page, top: str, item: str) -> None:
    """Click `item` in the menu-bar menu `top` (e.g. "Run", "Run All Cells")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).first.click()


def run_all(page: Page, timeout: float = RUN_TIMEOUT) -> None:
    """Run → Run All Cells, then wait until the kernel is idle again (the run ended or stopped
    at the first error)."""
    menu(page, "Run", "Run All Cells")
    wait_idle(page, timeout=timeout)


def cell_outputs(page: Page) -> list[str]:
    """The text of each code cell's output area, in notebook order ("" when it has none)."""
    return page.eval_on_selector_all(
        CODE_CELLS,
        """cells => cells.map(cell => {
            const area = cell.querySelector('.jp-OutputArea');
            return area ? area.textContent : '';
        })""",
    )


def cell_source(page: Page, index: int) -> str:
    """The code in the editor of cell `index` (counting every cell, as in the .ipynb)."""
    return page.locator(CELLS).nth(index).locator(".cm-content").evaluate(
        "content => [...content.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')")


def type_into_cell(page: Page, index: int, code: str) -> None:
    """Replace the code of cell `index` (counting every cell, as in the .ipynb) by typing it.

    Each line is typed key by key; line breaks and indentation are inserted as text, so the
    editor's auto-indent cannot double the indentation of the typed code.
    """
    cell = page.locator(CELLS).nth(index)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    for number, line in enumerate(code.splitlines()):
        text = line.lstrip(" ")
        indent = line[: len(line) - len(text)]
        page.keyboard.insert_text(("\n" if number else "") + indent)
        page.keyboard.type(text)
    typed = cell_source(page, index)
    if typed.rstrip() != code.rstrip():
        raise AssertionError(f"the editor holds\n{typed}\ninstead of the typed\n{code}")


def run_cell(page: Page, index: int, timeout: float = RUN_TIMEOUT) -> None:
    """Select cell `index` (counting every cell) and run it with Shift+Enter, then wait."""
    cell = page.locator(CELLS).nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Shift+Enter")
    wait_idle(page, timeout=timeout)


def cell_output(page: Page, index: int) -> str:
    """The text of the output area of cell `index` (counting every cell, as in the .ipynb)."""
    area = page.locator(CELLS).nth(index).locator(".jp-OutputArea")
    return area.first.text_content() if area.count() else ""


VALIDATE_TIMEOUT = 300_000  # ms: Validate runs the whole notebook, training included


def validate(page: Page) -> None:
    """Click nbgrader's Validate button (it saves the notebook, then validates the saved file);
    return once its results dialog is shown."""
    page.locator(f"{NOTEBOOK} .jp-Toolbar").get_by_text("Validate", exact=True).click()
    expect(page.locator(".jp-Dialog-header")).to_have_text(
        "Validation Results", timeout=VALIDATE_TIMEOUT)

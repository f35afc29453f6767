"""The student release opens in JupyterLab with its maths typeset and no error dialog."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot_path
from tests.browser.lab import open_notebook


def test_release_opens_with_rendered_maths_and_no_error_dialog(student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    notebook = page.locator(".jp-NotebookPanel .jp-Notebook")
    expect(notebook.get_by_role("heading", name="Optimization methods")).to_be_visible()
    # MathJax typesets $...$ into mjx-container elements, leaving no raw TeX behind; the
    # introduction's notation paragraph alone holds eight formulas
    introduction = notebook.locator(".jp-MarkdownCell .jp-RenderedMarkdown").first
    expect(introduction.locator("mjx-container").nth(7)).to_be_attached(timeout=30_000)
    assert "$" not in introduction.text_content()
    assert "W^{[l]}" not in introduction.text_content()
    assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
    page.screenshot(path=screenshot_path("release_opened"))

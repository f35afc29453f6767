"""Student mode (`make lab`) shows only student tools; `make formgrader` opens the course."""

from __future__ import annotations

import re
import shutil
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from grader import course
from tests.browser.conftest import REPO, screenshot_path
from tests.browser.lab import open_notebook

NOTEBOOK = f"{course.NOTEBOOK}.ipynb"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def makefile_recipe(target: str) -> str:
    text = (REPO / "Makefile").read_text()
    return re.search(rf"^{target}:.*\n((?:\t.*\n)+)", text, flags=re.MULTILINE).group(1)


def test_make_lab_uses_the_student_config():
    assert "JUPYTER_CONFIG_PATH=$(abspath jupyter/student)" in makefile_recipe("lab")


def test_student_lab_shows_validate_and_no_instructor_tools(student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    toolbar = page.locator(".jp-NotebookPanel .jp-Toolbar")
    expect(toolbar.get_by_text("Validate", exact=True)).to_be_visible()
    expect(page.locator(".lm-MenuBar-itemLabel", has_text="Run")).to_be_visible()
    for instructor_tool in ("Create Assignment", "Nbgrader", "Formgrader", "Assignments",
                            "Courses"):
        assert page.get_by_text(instructor_tool, exact=True).count() == 0, instructor_tool
    assert page.locator(".jp-Dialog").count() == 0
    assert page.get_by_text(re.compile("Error fetching courses|exchange", re.I)).count() == 0
    page.screenshot(path=screenshot_path("student_mode"))
    # nor can the instructor tools be reached by URL: their server extensions are off
    for path in ("formgrader", "assignments", "courses"):
        assert status(f"{student_lab.base}/{path}?token={student_lab.token}") == 404, path


@pytest.fixture(scope="module")
def instructor_lab(lab_factory, tmp_path_factory):
    """JupyterLab as `make formgrader` runs it, on a throw-away copy of the course folder."""
    folder = tmp_path_factory.mktemp("course") / "notebooks"
    shutil.copytree(course.COURSE, folder, ignore=shutil.ignore_patterns("gradebook.db", ".*"))
    recipe = makefile_recipe("formgrader")
    assert "cd notebooks &&" in recipe and "--LabApp.default_url=/formgrader" in recipe
    return lab_factory(folder, cwd=folder, args=["--LabApp.default_url=/formgrader"])


def test_formgrader_target_opens_the_course(instructor_lab, page):
    page.goto(f"{instructor_lab.base}/?token={instructor_lab.token}")
    expect(page).to_have_url(re.compile(r"/formgrader"), timeout=60_000)
    expect(page.get_by_text("Manage Assignments").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text(course.ASSIGNMENT).first).to_be_visible(timeout=60_000)
    page.screenshot(path=screenshot_path("formgrader"))

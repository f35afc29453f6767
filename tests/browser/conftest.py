"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, real JupyterLab servers.

Locally the tests skip (saying why) when Chromium or Playwright is missing; with the environment
variable CI set they fail instead, because CI must run them (.ci/run installs chromium).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Headless, and quiet: without the background-networking flags Chromium floods a closed network.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT = 90  # seconds; JupyterLab's first start on a loaded 2-core machine is slow


def _unavailable(reason: str):
    """Skip locally; fail under CI, which must run the browser tests."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: browser tests must run; .ci/run installs chromium)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's chromium binary, if installed."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (Debian's binary; Playwright cannot download browsers here)."""
    executable = chromium_path()
    if executable is None:
        _unavailable("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab server whose root folder is `root`."""

    root: Path
    port: int
    token: str
    process: subprocess.Popen = field(repr=False)
    log: Path = field(repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, relpath: str = "", view: str = "lab/tree") -> str:
        """The authenticated URL of `relpath` (a path under root) in lab view, opened in a fresh
        workspace (without the tabs of earlier tests)."""
        path = f"/{quote(str(relpath))}" if relpath else ""
        return f"{self.base}/{view}{path}?reset&token={self.token}"

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}",
                                        timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Stop the server, then anything it left in its process group (its kernels)."""
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: jupyter shuts its kernels down and exits
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group we created for this server
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def lab_factory(tmp_path_factory):
    """`lab_factory(folder, env=None, args=(), cwd=None) -> Lab`: JupyterLab serving `folder`.

    Each server runs with its own empty Jupyter config, runtime and settings folders (so nothing
    of the developer's ~/.jupyter leaks in), plus `env` and extra command-line `args`; it is
    stopped, kernels included, at the end of the session.
    """
    labs: list[Lab] = []

    def start(folder: Path, env: dict[str, str] | None = None, args=(), cwd=None) -> Lab:
        home = Path(tempfile.mkdtemp(prefix="lab-home-", dir=tmp_path_factory.getbasetemp()))
        port, token = _free_port(), secrets.token_hex(16)
        environment = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
            "IPYTHONDIR": str(home / "ipython"),
            "MPLBACKEND": "Agg",
            **(env or {}),
        }
        # no "get notified about Jupyter news?" toast over the notebook in screenshots
        labconfig = home / "config" / "labconfig"
        labconfig.mkdir(parents=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        log = home / "server.log"
        command = [
            sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
            f"--port={port}", "--ServerApp.port_retries=0", f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={Path(folder).resolve()}", *args,
        ]
        if os.geteuid() == 0:  # CI and these dev machines run as root
            command.append("--allow-root")
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=cwd or folder, env=environment,
                                       stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        lab = Lab(Path(folder), port, token, process, log)
        labs.append(lab)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not lab.answers():
            if process.poll() is not None or time.monotonic() > deadline:
                lab.stop()
                raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        return lab

    yield start
    for lab in labs:
        lab.stop()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test item, for the `page` fixture's screenshot."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def screenshot_path(name: str) -> Path:
    """Where a screenshot called `name` goes (tests/browser/screenshots/, gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") + ".png")


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; a failing test leaves screenshots/<test name>.png."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    new_page = context.new_page()
    yield new_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            new_page.screenshot(path=screenshot_path(request.node.name), full_page=True)
        except Exception as err:  # a crashed page must not hide the test's own failure
            print(f"could not save a screenshot: {err}")
    context.close()


REPO = Path(__file__).resolve().parents[2]
# The Jupyter config `make lab` adds for students: only the Validate button of nbgrader's tools.
STUDENT_CONFIG = REPO / "jupyter" / "student"


@pytest.fixture(scope="session")
def student_lab(lab_factory, tmp_path_factory):
    """JupyterLab as `make lab` runs it, serving a throw-away copy of the release folder."""
    from grader import course

    folder = tmp_path_factory.mktemp("student") / course.ASSIGNMENT
    shutil.copytree(course.RELEASE_DIR, folder)
    return lab_factory(folder, env={"JUPYTER_CONFIG_PATH": str(STUDENT_CONFIG)})


@pytest.fixture
def student_notebook(student_lab, request):
    """`student_notebook(nb=None) -> relpath`: a notebook of this test's own in the student lab
    (the untouched release, or `nb`), so tests that edit and save do not disturb each other."""
    import nbformat

    from grader import course

    def write(nb=None) -> str:
        name = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name) + ".ipynb"
        if nb is None:
            shutil.copy(course.RELEASE_NOTEBOOK, student_lab.root / name)
        else:
            nbformat.write(nb, student_lab.root / name)
        return name

    return write

"""While a submission is graded, its code reaches nothing on disk but its own scratch folder.

The hostile class (conftest.py) includes "spy": a reference solution whose update_lr is wrong
unless it can copy the instructor's solution from the source notebook, and which tries to read
the source notebook, the gradebook, the gradebook template and another student's submission,
and to create files in the course folder, the grading output and the submissions folder. The
control at the end runs the same code in an unsandboxed kernel, where all of it succeeds.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from hostile_class import CHEATER, SPY_MARK, listening_port, spy_code, spy_targets
from judge import JudgeKernel

from grader import course, sandbox
from grader.sandbox import Sandbox

OURS = course.default_assignment()  # this repository's own assignment

needs_bwrap = pytest.mark.skipif(sandbox.probe() is not None,
                                 reason=f"no filesystem isolation here: {sandbox.probe()}")


def spy_report(graded) -> dict[str, str]:
    text = graded.cell_output("spy", marker=SPY_MARK)
    return json.loads(text.strip().splitlines()[-1])


@needs_bwrap
def test_submission_cannot_read_instructor_files_or_other_submissions(graded_hostile_class):
    graded = graded_hostile_class
    targets, _ = spy_targets(graded.root)
    assert all(Path(path).exists() for path in targets.values())  # there to be read...
    report = spy_report(graded)
    for label in targets:
        assert report[f"read {label}"] == "FileNotFoundError", (label, report)  # ...not in there


@needs_bwrap
def test_submission_cannot_write_into_course_output_or_submissions(graded_hostile_class):
    graded = graded_hostile_class
    _, writable = spy_targets(graded.root)
    report = spy_report(graded)
    for label in writable:
        assert report[f"write {label}"] in ("FileNotFoundError", "OSError", "PermissionError"), \
            (label, report)
    assert not list(OURS.course.root.rglob(".spy-*"))


@needs_bwrap
def test_submission_sees_no_network_and_no_other_process(graded_hostile_class):
    report = spy_report(graded_hostile_class)
    assert report["connect"] != "connected", report
    assert report["processes"] <= 3, report  # bwrap's init, the kernel, maybe a helper


@needs_bwrap
def test_cheater_cannot_copy_the_solution_and_grading_stays_correct(graded_hostile_class):
    graded = graded_hostile_class
    row = graded.rows["spy"]
    assert float(row["update_lr"]) == 0
    assert float(row["total"]) == 95 and row["status"] == "graded"
    assert float(graded.rows["reference"]["total"]) == 100
    # the files it went for are intact
    reference = graded.submissions / "reference.ipynb"
    assert nbformat.read(reference, as_version=4) == graded.samples["reference"].notebook


def test_control_without_the_sandbox_all_of_it_succeeds(graded_hostile_class, tmp_path):
    """The same code in an ordinary kernel (as grading ran before bubblewrap) reads everything,
    writes everywhere and copies the solution: the tests above check a real defence."""
    targets, _ = spy_targets(graded_hostile_class.root)
    targets = {label: path for label, path in targets.items() if Path(path).exists()}
    writable = {"a folder of the machine": str(tmp_path)}
    kernel = JudgeKernel.for_course()
    try:
        with listening_port() as port:
            ok, stdout, error = kernel.run(spy_code(targets, writable, port))
        report = json.loads(stdout.strip().splitlines()[-1])
        kernel.run(CHEATER.format(source=str(OURS.source_notebook)))
        cheated, _ = kernel.run_test("update_lr")
    finally:
        kernel.close()
    assert ok, error
    assert all(report[f"read {label}"].startswith("read ") for label in targets), report
    assert report["write a folder of the machine"] == "created a file"
    assert report["connect"] == "connected" and report["processes"] > 3
    assert cheated, "reading the source notebook gives the solution away"


# --- the sandbox's command line (no bwrap needed) ---------------------------------------------


def test_sandbox_binds_only_what_python_needs_and_hides_course_paths(tmp_path):
    readable = ["/usr", "/etc", str(tmp_path / "venv")]
    (tmp_path / "venv" / "course").mkdir(parents=True)
    box = Sandbox(writable=str(tmp_path / "scratch"), readable=readable,
                  hidden=[str(tmp_path / "venv" / "course"), "/somewhere/else"])
    args = box.command(["python", "-m", "ipykernel_launcher"], extra_binds=["/run/k.json"])
    line = " ".join(args)
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--cap-drop ALL",
                 "--tmpfs /tmp", "--remount-ro /", "--unsetenv JPY_PARENT_PID"):
        assert flag in line
    assert f"--ro-bind {tmp_path / 'venv'} {tmp_path / 'venv'}" in line
    assert f"--tmpfs {tmp_path / 'venv' / 'course'}" in line  # hidden inside a readable path
    assert "/somewhere/else" not in line  # not readable anyway: nothing to hide
    assert f"--bind {tmp_path / 'scratch'} {tmp_path / 'scratch'}" in line
    assert "--bind /run/k.json /run/k.json" in line
    assert args[args.index("--") + 1:] == ["python", "-m", "ipykernel_launcher"]
    assert str(OURS.course.root) not in line and str(course.REPO) + " " not in line


def test_default_sandbox_never_exposes_the_course_folder(tmp_path):
    box = sandbox.default_sandbox(str(tmp_path), hidden=[str(OURS.course.root)])
    args = box.command(["python"])
    bound = [args[i + 1] for i, arg in enumerate(args) if arg == "--ro-bind"]
    assert str(course.REPO) not in bound
    if any(OURS.course.root.is_relative_to(path) for path in bound):
        assert f"--tmpfs {OURS.course.root}" in " ".join(args)


def test_missing_bwrap_is_reported_with_a_hint(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    sandbox._capability.cache_clear()
    try:
        reason = sandbox.probe()
        warning = sandbox.warning()
    finally:
        sandbox._capability.cache_clear()
    assert "bubblewrap (bwrap) is not installed" in reason and "apt-get install" in reason
    assert "WITHOUT filesystem isolation" in warning

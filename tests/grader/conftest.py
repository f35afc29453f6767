"""Fixtures for the grader tests: a throw-away class graded once through the real CLI."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from grader.samples import sample_class, write_class

TIMEOUT = 5  # seconds per cell; the sample infinite loop costs two of them


def _run_cli(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run `python -m grader ARGS` as an instructor would."""
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, timeout=timeout)


def _read_grades(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open() as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="session")
def run_cli():
    return _run_cli


@pytest.fixture(scope="session")
def read_grades():
    return _read_grades


@pytest.fixture(scope="session")
def samples():
    return {sample.student_id: sample for sample in sample_class()}


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory, samples):
    """The sample class written to disk and autograded with 2 parallel jobs."""
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    write_class(submissions, list(samples.values()))
    out = root / "graded"
    result = _run_cli("autograde", str(submissions), "--out", str(out), "--jobs", "2",
                     "--timeout", str(TIMEOUT))
    assert result.returncode == 0, result.stderr[-3000:]
    return submissions, out, TIMEOUT

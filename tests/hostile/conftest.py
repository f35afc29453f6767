"""The hostile class (hostile_class.py), graded once per session through the real grader."""

from __future__ import annotations

import warnings

import nbformat
import pytest
from hostile_class import TIMEOUT, GradedClass, hostile_class, listening_port
from sqlalchemy.exc import SAWarning

from grader import sandbox
from grader.autograde import grade_class


@pytest.fixture(scope="session")
def graded_hostile_class(tmp_path_factory) -> GradedClass:
    root = tmp_path_factory.mktemp("hostile")
    isolated = sandbox.probe() is None
    with listening_port() as port:
        samples = hostile_class(root, isolated, port)
        submissions = root / "submissions"
        submissions.mkdir()
        for sample in samples:
            nbformat.write(sample.notebook, submissions / f"{sample.student_id}.ipynb")
        with warnings.catch_warnings():  # nbgrader's gradebook code is noisy with SQLAlchemy 2
            warnings.simplefilter("ignore", SAWarning)
            rows = grade_class(submissions, root / "graded", jobs=2, timeout=TIMEOUT, quiet=True)
    return GradedClass(root, submissions, root / "graded", {r["student_id"]: r for r in rows},
                       {s.student_id: s for s in samples}, isolated)

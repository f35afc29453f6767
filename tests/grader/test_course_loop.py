"""nbgrader's own course loop on one machine, with our autograde in the middle.

release_assignment -> fetch_assignment -> submit -> collect -> `python -m grader autograde
--course DIR --assignment NAME` -> release_feedback -> fetch_feedback, all with nbgrader's real
commands and a temporary exchange; each student has their own exchange cache, as students on
a JupyterHub do. The course is the small second course of tiny_course.py.
"""

from __future__ import annotations

import csv
import html
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tiny_course as tiny
from nbgrader.api import Course, Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config import Config

from grader import course as grader_course

BIN = Path(sys.executable).parent
# student -> answers; dave answers correctly but after the due date
CLASS = {"alice": tiny.CORRECT, "bob": tiny.BUGGY, "carol": None, "dave": tiny.CORRECT}
# what this repository's course config tells stock `nbgrader generate_feedback` to do
OUR_FEEDBACK_CONFIG = list(grader_course.Course.load().config.GenerateFeedback.preprocessors)
HIDDEN_CODE = ["assert clip(42, 0, 10) == 10", "assert mean([4.0, 8.0]) == 6.0"]


def nbgrader(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result


def grader(*args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def student_home(root: Path, student: str, exchange: Path) -> Path:
    home = root / "students" / student
    home.mkdir(parents=True)
    (home / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {tiny.COURSE_ID!r}\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.Exchange.cache = {str(home / '.nbgrader-cache')!r}\n")
    return home


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    """The whole loop, timed; returns the course folder and the students' homes."""
    started = time.perf_counter()
    root = tmp_path_factory.mktemp("loop")
    exchange = root / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    course_dir = tiny.write_course(root / "course", extra_config=(
        f"c.Exchange.root = {str(exchange)!r}\n"
        "c.LateSubmissionPlugin.penalty_method = 'zero'\n"
        f"c.GenerateFeedback.preprocessors = {OUR_FEEDBACK_CONFIG!r}\n"))
    nbgrader(course_dir, "generate_assignment", tiny.ASSIGNMENT)
    nbgrader(course_dir, "release_assignment", tiny.ASSIGNMENT)
    homes = {s: student_home(root, s, exchange) for s in CLASS}
    for student, answers in CLASS.items():
        home = homes[student]
        nbgrader(home, "fetch_assignment", tiny.ASSIGNMENT, f"--student={student}")
        notebook = home / tiny.ASSIGNMENT / f"{tiny.NOTEBOOK}.ipynb"
        if answers is not None:
            import nbformat

            nbformat.write(tiny.submission(notebook, answers), notebook)
        if student == "dave":  # the due date passes before dave submits
            due = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            nbgrader(course_dir, "db", "assignment", "add", tiny.ASSIGNMENT, f"--duedate={due}")
            time.sleep(1.5)
        nbgrader(home, "submit", tiny.ASSIGNMENT, f"--student={student}")
    nbgrader(course_dir, "collect", tiny.ASSIGNMENT)
    graded = time.perf_counter()
    grader("autograde", "--course", str(course_dir), "--assignment", tiny.ASSIGNMENT,
           "--jobs", "2", "--timeout", "20")
    autograde_seconds = time.perf_counter() - graded
    nbgrader(course_dir, "release_feedback", tiny.ASSIGNMENT)
    for student in CLASS:
        nbgrader(homes[student], "fetch_feedback", tiny.ASSIGNMENT, f"--student={student}")
    print(f"\nexchange loop: {time.perf_counter() - started:.1f} s in all, "
          f"our autograde {autograde_seconds:.1f} s")
    return course_dir, homes


def api(course_dir: Path) -> NbGraderAPI:
    config = Config()
    config.CourseDirectory.root = str(course_dir)
    config.CourseDirectory.course_id = tiny.COURSE_ID
    config.CourseDirectory.db_url = f"sqlite:///{course_dir / 'gradebook.db'}"
    return NbGraderAPI(config=config)


def visible_text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_each_student_fetches_only_their_own_feedback_without_hidden_tests(loop):
    _, homes = loop
    expected = {"alice": 10, "bob": 3, "carol": 0, "dave": 0}  # dave's 10 late: "zero" penalty
    for student, home in homes.items():
        pages = list((home / tiny.ASSIGNMENT / "feedback").rglob("*.html"))
        assert len(pages) == 1, f"{student} fetched {pages}"
        text = visible_text(pages[0])
        for line in HIDDEN_CODE:
            assert line not in text, f"{student}'s feedback shows hidden test code"
        assert "HIDDEN TESTS" not in text
        score = re.search(r"Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
        assert score, f"no score in {student}'s feedback"
        assert float(score[1]) == expected[student] and float(score[2]) == 10
    others = [s for s in homes if s != "alice"]
    alice_text = visible_text(next((homes["alice"] / tiny.ASSIGNMENT / "feedback").rglob("*.html")))
    assert not any(f"Student: {s}" in alice_text for s in others)


def test_nbgrader_api_shows_autograded_submissions_with_scores_and_timestamps(loop):
    course_dir, _ = loop
    submissions = {s["student"]: s for s in api(course_dir).get_submissions(tiny.ASSIGNMENT)}
    assert set(submissions) == set(CLASS)
    for student, sub in submissions.items():
        assert sub["autograded"], f"{student} not shown as autograded"
        assert sub["timestamp"], student
        stamp = (course_dir / "submitted" / student / tiny.ASSIGNMENT / "timestamp.txt")
        assert (course_dir / "autograded" / student / tiny.ASSIGNMENT / "timestamp.txt"
                ).read_text() == stamp.read_text()
    assert submissions["alice"]["score"] == 10 and submissions["bob"]["score"] == 3
    assert submissions["carol"]["score"] == 0
    # late: nbgrader's "zero" penalty takes dave's 10 points back
    assert submissions["dave"]["score"] == 10
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}", tiny.COURSE_ID) as gb:
        dave = gb.find_submission(tiny.ASSIGNMENT, "dave")
        assert dave.total_seconds_late > 0 and dave.late_submission_penalty == 10
        assert gb.find_submission(tiny.ASSIGNMENT, "alice").late_submission_penalty == 0
        assert [c.id for c in gb.db.query(Course)] == [tiny.COURSE_ID]


def test_manual_override_through_nbgraders_api_shows_in_our_exports(loop, tmp_path):
    course_dir, _ = loop
    url = f"sqlite:///{course_dir / 'gradebook.db'}"
    with Gradebook(url, tiny.COURSE_ID) as gb:
        grade = gb.find_grade("clip_tests", tiny.NOTEBOOK, tiny.ASSIGNMENT, "bob")
        grade.manual_score = 5  # a TA gives partial credit in the formgrader
        gb.db.commit()
    target = tmp_path / "grades.csv"
    grader("export", "--format", "csv", "--course", str(course_dir), "--assignment",
           tiny.ASSIGNMENT, "--to", str(target))
    with target.open(newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(rows["bob"]["clip"]) == 5 and float(rows["bob"]["total"]) == 8
    assert float(rows["dave"]["late_penalty"]) == 10 and float(rows["dave"]["score"]) == 0
    assert float(rows["alice"]["score"]) == 10


def test_stock_generate_feedback_hides_hidden_tests_with_the_course_config(loop):
    course_dir, _ = loop
    assert "nbgrader.preprocessors.ClearHiddenTests" in OUR_FEEDBACK_CONFIG
    nbgrader(course_dir, "generate_feedback", tiny.ASSIGNMENT, "--force",
             "--CourseDirectory.feedback_directory=stock-feedback")
    pages = list((course_dir / "stock-feedback").rglob("*.html"))
    assert len(pages) == len(CLASS)
    for page in pages:
        text = visible_text(page)
        assert "HIDDEN TESTS" not in text
        assert not [line for line in HIDDEN_CODE if line in text], page
    bob = visible_text(next((course_dir / "stock-feedback" / "bob").rglob("*.html")))
    assert "clip should lower values above high to high" in bob  # the failure is explained

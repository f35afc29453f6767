"""Any assignment of any course: a second, small course graded through the same commands,
from a class folder and from Canvas, Moodle and Blackboard download-all archives."""

from __future__ import annotations

import csv
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import tiny_course as tiny
from nbgrader.api import Course, Gradebook


def grader(*args: str, ok: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                            text=True, timeout=600)
    if ok:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory) -> Path:
    """The small course, its student version built by `python -m grader release`."""
    root = tiny.write_course(tmp_path_factory.mktemp("tiny") / "course")
    grader("release", "--course", str(root))
    assert (root / "release" / tiny.ASSIGNMENT / f"{tiny.NOTEBOOK}.ipynb").is_file()
    return root


@pytest.fixture(scope="module")
def notebooks(course_dir):
    release = course_dir / "release" / tiny.ASSIGNMENT / f"{tiny.NOTEBOOK}.ipynb"
    return {kind: nbformat.writes(tiny.submission(release, answers)) for kind, answers in
            {"correct": tiny.CORRECT, "buggy": tiny.BUGGY, "blank": None}.items()}


def test_second_assignment_has_its_own_columns_points_and_course(course_dir, notebooks,
                                                                 tmp_path):
    submissions = tmp_path / "submissions"
    (submissions / "bob").mkdir(parents=True)
    (submissions / "alice.ipynb").write_text(notebooks["correct"])
    (submissions / "bob" / f"{tiny.NOTEBOOK}.ipynb").write_text(notebooks["buggy"])
    (submissions / "carol.ipynb").write_text(notebooks["blank"])
    out = tmp_path / "out"
    grader("autograde", str(submissions), "--out", str(out), "--course", str(course_dir),
           "--jobs", "2", "--timeout", "20")
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == ["student_id", "mean", "clip", "total", "max_total", "status"]
    rows = {row["student_id"]: row for row in read_csv(out / "grades.csv")}
    assert {s: float(r["total"]) for s, r in rows.items()} == {"alice": 10, "bob": 3, "carol": 0}
    assert {float(r["max_total"]) for r in rows.values()} == {10}
    assert rows["bob"]["mean"] == "3" and rows["bob"]["clip"] == "0"
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", tiny.COURSE_ID) as gb:
        assert [c.id for c in gb.db.query(Course)] == [tiny.COURSE_ID]
        assert [a.name for a in gb.assignments] == [tiny.ASSIGNMENT]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"{tiny.ASSIGNMENT}: class report" in report


def test_ambiguous_assignment_is_refused_with_the_choices(course_dir, tmp_path):
    other = tmp_path / "course"
    tiny.write_course(other)
    (other / "source" / "week4").mkdir()
    (other / "source" / "week4" / "x.ipynb").write_text("{}")
    result = grader("autograde", str(tmp_path), "--out", str(tmp_path / "o"), "--course",
                    str(other), ok=False)
    assert result.returncode == 2
    assert "week3, week4" in result.stderr and "--assignment" in result.stderr


def archive(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_canvas_archive_with_roster_late_resubmission_and_unmatched(course_dir, notebooks,
                                                                   tmp_path):
    nb = f"{tiny.NOTEBOOK}.ipynb"
    zipped = archive(tmp_path / "submissions.zip", {
        f"garciajose_LATE_1001_5001_{nb}": notebooks["correct"],
        f"garciajose_LATE_1001_5002_{tiny.NOTEBOOK}-1.ipynb": notebooks["buggy"],  # resubmitted
        f"smithann_1002_5003_{nb}": notebooks["correct"],
        f"nobodyhere_9999_5009_{nb}": notebooks["correct"],
        "readme.txt": "not a notebook",
    })
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,lms_id,email\n"
                      "jgarcia,José García,1001,jose@example.edu\n"
                      "asmith,Ann Smith,1002,ann@example.edu\n"
                      "zoe,Zoë Quinn,1003,zoe@example.edu\n", encoding="utf-8")
    out = tmp_path / "out"
    grader("autograde", str(zipped), "--out", str(out), "--course", str(course_dir),
           "--roster", str(roster), "--jobs", "2", "--timeout", "20")
    rows = {row["student_id"]: row for row in read_csv(out / "grades.csv")}
    assert len(rows) == 5, rows.keys()  # 5 files, 1 resubmission, 1 roster student without
    assert float(rows["asmith"]["total"]) == 10
    assert float(rows["jgarcia"]["total"]) == 3  # the newest file is graded
    assert "late" in rows["jgarcia"]["status"]
    assert f"graded the newest garciajose_LATE_1001_5002_{tiny.NOTEBOOK}-1.ipynb" in \
        rows["jgarcia"]["status"]
    assert rows["zoe"]["status"] == "no submission" and float(rows["zoe"]["total"]) == 0
    unmatched = [r for s, r in rows.items() if "nobodyhere" in s]
    assert len(unmatched) == 1 and "no student in the roster" in unmatched[0]["status"]
    assert "no notebook" in rows["readme.txt"]["status"]

    for fmt in ("canvas", "moodle", "csv"):
        grader("export", "--format", fmt, "--out", str(out), "--roster", str(roster))
    with (out / "export-canvas.csv").open(newline="", encoding="utf-8") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         tiny.ASSIGNMENT]
    assert canvas[1][0] == "Points Possible" and canvas[1][-1] == "10"
    by_id = {row[1]: row for row in canvas[2:]}
    assert by_id["1001"][0] == "José García" and by_id["1001"][-1] == "3"
    assert by_id["1003"][-1] == "0" and len(canvas) == 2 + 3  # nobody's file is not exported
    moodle = read_csv(out / "export-moodle.csv")
    assert [r["Email address"] for r in moodle] == ["ann@example.edu", "jose@example.edu",
                                                   "zoe@example.edu"]
    assert [r[tiny.ASSIGNMENT] for r in moodle] == ["10", "3", "0"]
    plain = {r["student_id"]: r for r in read_csv(out / "export-csv.csv")}
    assert plain["jgarcia"]["clip"] == "0" and plain["jgarcia"]["name"] == "José García"


def test_moodle_and_blackboard_archives_keep_names_as_given(course_dir, notebooks, tmp_path):
    nb = f"{tiny.NOTEBOOK}.ipynb"
    moodle = archive(tmp_path / "moodle.zip", {
        f"José García_2001_assignsubmission_file_/{nb}": notebooks["correct"],
        f"Ann Smith_2002_assignsubmission_file_{nb}": notebooks["buggy"],
    })
    grader("autograde", str(moodle), "--out", str(tmp_path / "m"), "--course", str(course_dir),
           "--jobs", "2", "--timeout", "20")
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "m" / "grades.csv")}
    assert {s: float(r["total"]) for s, r in rows.items()} == {"José García": 10, "Ann Smith": 3}
    assert (tmp_path / "m" / "feedback" / "José García.html").is_file()

    blackboard = archive(tmp_path / "bb.zip", {
        f"week3_jgarcia_attempt_2026-11-20-10-00-00_{nb}": notebooks["buggy"],
        f"week3_jgarcia_attempt_2026-11-21-09-00-00_{nb}": notebooks["correct"],
        "week3_jgarcia_attempt_2026-11-21-09-00-00.txt": "Name: José García (jgarcia)",
        f"week3_asmith_attempt_2026-11-20-12-00-00_{nb}": notebooks["blank"],
    })
    grader("autograde", str(blackboard), "--out", str(tmp_path / "b"), "--course",
           str(course_dir), "--jobs", "2", "--timeout", "20")
    rows = {row["student_id"]: row for row in read_csv(tmp_path / "b" / "grades.csv")}
    assert {s: float(r["total"]) for s, r in rows.items()} == {"jgarcia": 10, "asmith": 0}
    assert "2 notebooks, graded the newest" in rows["jgarcia"]["status"]

"""The gradebook in a real PostgreSQL server: the same grades as sqlite, several graders writing
to it at once, and nbgrader's own API and `nbgrader export` reading what was written."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import threading

import pytest
from nbgrader.api import Gradebook
from postgresql import Server, binaries
from sqlalchemy import create_engine, text

from grader import cli, course, lock
from grader.samples import write_class

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


@pytest.fixture(scope="module")
def postgresql():
    """A PostgreSQL server of our own for this module, stopped and deleted afterwards."""
    bin_dir = binaries()
    if bin_dir is None:
        message = "PostgreSQL is not installed (apt-get install postgresql; .ci/run does)"
        if os.environ.get("GRADER_REQUIRE_POSTGRESQL"):
            pytest.fail(message)
        pytest.skip(message)
    server = Server(bin_dir).start()
    yield server
    server.stop()


def gradebook_rows(db_url: str) -> dict[str, dict[str, float]]:
    """Every student's score per graded cell, as nbgrader's API reads them."""
    with Gradebook(db_url, course.COURSE_ID) as gb:
        return {submission.student.id: {grade.name: grade.score
                                         for notebook in submission.notebooks
                                         for grade in notebook.grades}
                for submission in gb.find_assignment(course.ASSIGNMENT).submissions}


def row_counts(db_url: str) -> dict[str, int]:
    """Rows per table that a duplicate write would inflate."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("student", "submitted_assignment", "submitted_notebook", "grade")}
    engine.dispose()
    return counts


def copy_graded(graded_class, tmp_path, name, students=None):
    """A copy of the sqlite-graded class folder (results and executed notebooks kept)."""
    submissions, out, timeout = graded_class
    copy = tmp_path / name
    shutil.copytree(out, copy)
    (copy / "gradebook.db").unlink()
    chosen = tmp_path / f"{name}-submissions"
    chosen.mkdir()
    for path in submissions.iterdir():
        if students is None or path.stem in students:
            shutil.copy(path, chosen / path.name)
    return chosen, copy, timeout


def test_sample_class_grades_to_the_sqlite_grades(postgresql, graded_class, tmp_path, run_cli,
                                                  read_grades):
    submissions, copy, timeout = copy_graded(graded_class, tmp_path, "pg")
    for student in ("reference", "kills-kernel"):
        (copy / ".work" / "results" / f"{student}.json").unlink()  # graded again, on PostgreSQL
        shutil.rmtree(copy / "autograded" / student)
    url = postgresql.database()
    result = run_cli("autograde", str(submissions), "--out", str(copy), "--db", url,
                     "--timeout", str(timeout))
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (copy / "gradebook.db").exists()
    sqlite_url = course.sqlite_url(graded_class[1] / "gradebook.db")
    assert read_grades(copy) == read_grades(graded_class[1])
    assert gradebook_rows(url) == gradebook_rows(sqlite_url)
    assert row_counts(url) == row_counts(sqlite_url)

    # nbgrader's own export reads the same totals
    exported = tmp_path / "export.csv"
    done = subprocess.run([sys.executable, "-m", "nbgrader", "export", "--db", url, "--course",
                           course.COURSE_ID, "--to", str(exported)], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    with exported.open() as handle:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert totals == {s: float(row["total"]) for s, row in read_grades(copy).items()}


def test_two_graders_writing_at_once_end_consistent(postgresql, graded_class, samples, tmp_path,
                                                    read_grades):
    """Two TAs grade overlapping halves of the class into one gradebook at the same moment;
    the student both grade ("shared") submitted something different to each of them."""
    url = postgresql.database()
    halves = (["blank", "bug-initialize-adam", "malformed", "reference"],
              ["bug-random-mini-batches", "bug-update-lr", "kills-kernel", "wrong-notebook"])
    runs = []
    for name, students, shared in (("ta1", halves[0], "reference"),
                                   ("ta2", halves[1], "bug-update-lr")):
        folder, out, timeout = copy_graded(graded_class, tmp_path, name, students)
        write_class(tmp_path / f"{name}-shared", [samples[shared]])
        (tmp_path / f"{name}-shared" / f"{shared}.ipynb").rename(folder / "shared.ipynb")
        runs.append((out, subprocess.Popen(
            [sys.executable, "-m", "grader", "autograde", str(folder), "--out", str(out),
             "--db", url, "--jobs", "1", "--timeout", str(timeout)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    for _, proc in runs:
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-3000:]
        assert "Traceback" not in stderr

    rows = gradebook_rows(url)
    assert set(rows) == {*halves[0], *halves[1], "shared"}
    # every student exactly once, with one score per graded cell: nothing written twice
    cells = len(rows["reference"])
    assert row_counts(url) == {"student": len(rows), "submitted_assignment": len(rows),
                               "submitted_notebook": len(rows), "grade": cells * len(rows)}
    sqlite_rows = gradebook_rows(course.sqlite_url(graded_class[1] / "gradebook.db"))
    assert {s: r for s, r in rows.items() if s != "shared"} == \
        {s: r for s, r in sqlite_rows.items() if s in rows}
    # the shared student holds one grader's whole result, not a mix of the two
    assert rows["shared"] in (sqlite_rows["reference"], sqlite_rows["bug-update-lr"])
    for out, _ in runs:  # and each grader's own grades.csv shows what it graded
        grades = read_grades(out)
        assert float(grades["shared"]["total"]) in (100.0, 95.0)


def test_a_busy_gradebook_names_its_writer(postgresql, monkeypatch):
    """A run waits (bounded) for another run's gradebook write, then says who is writing."""
    url = postgresql.database()
    holding, release = threading.Event(), threading.Event()

    def other_run():  # another process's connection, as far as PostgreSQL is concerned
        with lock.gradebook(url):
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=other_run)
    monkeypatch.setattr(lock, "_pg_connections", {})
    thread.start()
    assert holding.wait(30)
    try:
        monkeypatch.setattr(lock, "_pg_connections", {})  # a second connection of our own
        with pytest.raises(lock.Busy, match=f"grader pid {os.getpid()}@"):
            with lock.gradebook(url, wait=0.5):
                pass
    finally:
        release.set()
        thread.join()
    with lock.gradebook(url, wait=5):  # free again
        pass


def test_an_unreachable_gradebook_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / ".work" / "results").mkdir(parents=True)
    url = f"postgresql://grader@/gradebook?host={tmp_path / 'no-server-here'}"
    assert cli.main(["report", "--out", str(tmp_path), "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the gradebook database failed: ") and "no-server-here" in err

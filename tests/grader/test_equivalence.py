"""Scores and feedback computed in the workers are those the coordinator used to compute, and
the gradebook, written in batches, loses nothing a crash or a grader's hand put there."""

from __future__ import annotations

import shutil

from equivalence import assert_same_as_stock, rows, stock_page
from nbgrader.api import Gradebook

from grader import course
from grader.autograde import Outdir


def test_sample_class_equals_the_stock_coordinator(graded_class, tmp_path):
    assert_same_as_stock(graded_class[1], tmp_path)


def test_a_crash_before_any_commit_loses_no_grading(graded_class, tmp_path, run_cli):
    submissions, out, timeout = graded_class
    copy = Outdir(tmp_path / "graded")
    shutil.copytree(out, copy.root)
    db = copy.root / "gradebook.db"
    before, grades = rows(course.sqlite_url(db)), copy.grades_csv.read_text()
    # stopped as badly as can be: no batch committed, one submission half graded
    db.unlink()
    (copy.result("bug-update-lr")).unlink()
    copy.feedback_page("bug-update-lr").unlink()
    stamps = {p.parent.parent.name: p.stat().st_mtime_ns
              for p in copy.autograded.glob(f"*/{course.ASSIGNMENT}/*.ipynb")}
    result = run_cli("autograde", str(submissions), "--out", str(copy.root),
                     "--timeout", str(timeout))
    assert result.returncode == 0, result.stderr[-2000:]
    assert rows(course.sqlite_url(db)) == before
    assert copy.grades_csv.read_text() == grades
    regraded = {p.parent.parent.name for p in copy.autograded.glob(f"*/{course.ASSIGNMENT}/*")
                if p.stat().st_mtime_ns != stamps.get(p.parent.parent.name)}
    assert regraded == {"bug-update-lr"}
    assert copy.feedback_page("bug-update-lr").exists()


def test_manual_overrides_reach_regenerated_and_regraded_pages(graded_class, tmp_path,
                                                              run_cli):
    submissions, out, timeout = graded_class
    copy = Outdir(tmp_path / "graded")
    shutil.copytree(out, copy.root)
    url = course.sqlite_url(copy.root / "gradebook.db")
    student, note = "bug-update-lr", "Nearly: see me about the decay formula."
    with Gradebook(url) as gb:
        gb.find_grade("update_lr_tests", course.NOTEBOOK, course.ASSIGNMENT,
                      student).manual_score = 3
        gb.find_comment("update_lr", course.NOTEBOOK, course.ASSIGNMENT,
                        student).manual_comment = note
        gb.db.commit()
    page = copy.feedback_page(student)

    # the copied folder remembers the original's gradebook: name the copy's
    assert run_cli("feedback", "--out", str(copy.root), "--db", url).returncode == 0
    regenerated = page.read_text()
    assert note in regenerated and "(Score: 98.0 / 100.0)" in regenerated
    assert regenerated == stock_page(copy, url, student, tmp_path / "stock")

    # regraded: the worker's page shows the grader's entries too, and they stay in the gradebook
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(submissions / f"{student}.ipynb", alone)
    result = run_cli("autograde", str(alone), "--out", str(copy.root), "--force",
                     "--timeout", str(timeout))
    assert result.returncode == 0, result.stderr[-2000:]
    regraded = page.read_text()
    assert note in regraded and "(Score: 98.0 / 100.0)" in regraded
    assert regraded == stock_page(copy, url, student, tmp_path / "stock-regraded")
    with Gradebook(url) as gb:
        grade = gb.find_grade("update_lr_tests", course.NOTEBOOK, course.ASSIGNMENT, student)
        assert (grade.auto_score, grade.manual_score, grade.needs_manual_grade) == (0, 3, True)

"""End to end through `python -m grader autograde`: every sample gets exactly its due."""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from grader import course, report
from grader.autograde import open_outdir, publish_rows, stored_results
from grader.gradebook import graded_cells
from grader.notebook_io import read_notebook

OURS = course.default_assignment()  # this repository's own assignment


def expected_points(out):
    cells = graded_cells(OURS, course.sqlite_url(out / "gradebook.db"))
    return {course.function_of(cell): points for cell, points in cells}


def test_columns_are_named_after_the_graded_functions(graded_class):
    _, out, _ = graded_class
    header = (out / "grades.csv").read_text().splitlines()[0].split(",")
    assert header == ["student_id", "update_parameters_with_gd", "random_mini_batches",
                      "initialize_velocity", "update_parameters_with_momentum",
                      "initialize_adam", "update_parameters_with_adam", "update_lr",
                      "schedule_lr_decay", "total", "max_total", "status"]


def test_every_sample_scores_exactly_what_it_deserves(graded_class, samples, read_grades):
    _, out, _ = graded_class
    points = expected_points(out)
    grades = read_grades(out)
    assert set(grades) == set(samples)
    for student, sample in samples.items():
        row = grades[student]
        for function, maximum in points.items():
            due = 0 if sample.blank or function in sample.loses else maximum
            assert float(row[function]) == due, f"{student}: {function} = {row[function]}"
        assert float(row["total"]) == sum(float(row[f]) for f in points)
        assert float(row["max_total"]) == sum(points.values()) == 100
        assert row["status"].startswith(sample.status), f"{student}: {row['status']}"


def test_reference_full_marks_and_blank_zero(graded_class, read_grades):
    grades = read_grades(graded_class[1])
    assert float(grades["reference"]["total"]) == 100
    assert float(grades["blank"]["total"]) == 0


def test_gradebook_holds_the_same_scores_as_the_csv(graded_class, read_grades):
    _, out, _ = graded_class
    grades = read_grades(out)
    with Gradebook(course.sqlite_url(out / "gradebook.db")) as gb:
        for student, row in grades.items():
            submission = gb.find_submission(OURS.name, student)
            assert submission.score == float(row["total"]), student


def hidden_test_lines() -> set[str]:
    """Distinctive lines of the source notebook's hidden tests (none the release shows anyway,
    such as a function name on a line of its own)."""
    lines = set()
    for cell in read_notebook(OURS.source_notebook).cells:
        for block in re.findall(r"BEGIN HIDDEN TESTS(.*?)END HIDDEN TESTS", cell.source, re.S):
            lines |= {line.strip() for line in block.splitlines() if len(line.strip()) > 20}
    released = {line.strip() for cell in read_notebook(OURS.release_notebook).cells
                for line in cell.source.splitlines()}
    return lines - released


def visible_text(page) -> str:
    """What a browser shows of an HTML page (code highlighting split into spans removed)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text()))


def test_feedback_shows_failures_but_never_hidden_tests(graded_class):
    _, out, _ = graded_class
    hidden = hidden_test_lines()
    assert hidden, "the source notebook should have hidden tests"
    for page in (out / "feedback").glob("*.html"):
        text = visible_text(page)
        assert "HIDDEN TESTS" not in text
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{page.name} shows hidden test code: {leaked[:2]}"
    buggy = visible_text(out / "feedback" / "bug-schedule-lr-decay.html")
    assert "AssertionError" in buggy


def test_malformed_submission_gets_a_clear_page(graded_class):
    page = (graded_class[1] / "feedback" / "malformed.html").read_text()
    assert "could not be graded" in page and "not valid JSON" in page


def test_report_has_summary_and_plots(graded_class, samples):
    text = (graded_class[1] / "report.html").read_text()
    assert f"{len(samples)} students" in text
    assert text.count("data:image/png;base64,") == 2


def test_rerun_is_idempotent_and_reuses_results(graded_class, run_cli):
    submissions, out, timeout = graded_class
    before = (out / "grades.csv").read_text()
    stamp = (out / "autograded" / "reference").stat().st_mtime_ns
    result = run_cli("autograde", str(submissions), "--out", str(out), "--timeout", str(timeout))
    assert result.returncode == 0, result.stderr[-2000:]
    assert (out / "grades.csv").read_text() == before
    assert (out / "autograded" / "reference").stat().st_mtime_ns == stamp


def test_interrupted_run_resumes_with_the_same_grades(graded_class, tmp_path, run_cli):
    submissions, out, timeout = graded_class
    copy = tmp_path / "graded"
    shutil.copytree(out, copy)
    before = (copy / "grades.csv").read_text()
    # as if the run had stopped before these two were graded and saved
    for student in ("bug-update-parameters-with-gd", "reference"):
        (copy / ".work" / "results" / f"{student}.json").unlink()
        shutil.rmtree(copy / "autograded" / student)
    result = run_cli("autograde", str(submissions), "--out", str(copy), "--timeout", str(timeout))
    assert result.returncode == 0, result.stderr[-2000:]
    assert (copy / "grades.csv").read_text() == before


def test_sequential_and_zip_input_give_the_same_grades(graded_class, tmp_path, run_cli,
                                                      read_grades):
    submissions, out, _ = graded_class
    chosen = ["reference", "bug-random-mini-batches", "bug-update-parameters-with-momentum"]
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in chosen:  # one folder per student, wrapped in a top folder, as LMSs do
            zf.write(submissions / f"{student}.ipynb",
                     f"export/{student}/{OURS.notebook}.ipynb")
    result = run_cli("autograde", str(archive), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    parallel, sequential = read_grades(out), read_grades(tmp_path / "out")
    assert set(sequential) == set(chosen)
    for student in chosen:
        assert sequential[student] == parallel[student]


def test_unusable_inputs_fail_with_a_clear_message(tmp_path, run_cli):
    missing = run_cli("autograde", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = run_cli("autograde", str(tmp_path / "empty"), "--out", str(tmp_path / "o"))
    assert empty.returncode == 2 and "nothing gradable" in empty.stderr


def test_feedback_and_report_regenerate_without_regrading(graded_class, run_cli):
    _, out, _ = graded_class
    (out / "report.html").unlink()
    page = out / "feedback" / "reference.html"
    page.unlink()
    stamp = (out / "autograded" / "reference").stat().st_mtime_ns
    assert run_cli("report", "--out", str(out)).returncode == 0
    assert run_cli("feedback", "--out", str(out)).returncode == 0
    assert (out / "report.html").exists() and page.exists()
    assert (out / "autograded" / "reference").stat().st_mtime_ns == stamp


def test_reference_runs_without_a_single_error(graded_class):
    """Skipping training cells must not break any cell that still runs (e.g. a NameError)."""
    _, out, _ = graded_class
    nb = read_notebook(out / "autograded" / "reference" / OURS.name
                       / f"{OURS.notebook}.ipynb")
    errors = [(i, o.ename) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    ran = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    assert not any(course.SKIP_TAG in c.metadata.get("tags", []) for c in ran)


def test_report_groups_failure_messages_per_exercise_by_frequency(graded_class):
    _, out, _ = graded_class
    outdir, db_url = open_outdir(out)
    rows, cells = publish_rows(outdir, db_url, stored_results(outdir))
    notebooks = {row["student_id"]: outdir.autograded_notebook(row["student_id"]) for row in rows}
    mistakes = report.common_mistakes(rows, cells, {s: p for s, p in notebooks.items()
                                                    if p.exists()})
    for cell, maximum in cells:
        name = course.function_of(cell)
        losers = sorted(row["student_id"] for row in rows if row[name] < maximum)
        groups = mistakes[name]
        assert sorted(s for _, students in groups for s in students) == losers, name
        counts = [len(students) for _, students in groups]
        assert counts == sorted(counts, reverse=True), name
    # a buggy answer is listed under its own test's message, the blank one under another
    by_student = {s: m for m, students in mistakes["schedule_lr_decay"] for s in students}
    assert by_student["bug-schedule-lr-decay"].startswith("AssertionError")
    assert by_student["bug-schedule-lr-decay"] != by_student["blank"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "What to re-teach" in page and "position: sticky" in page
    assert html.escape(by_student["bug-schedule-lr-decay"]) in page
    assert '<th title="update_parameters_with_momentum">momentum</th>' in page


def _failure(out: Path, student: str, grade_id: str) -> str:
    nb = read_notebook(out / "autograded" / student / course.ASSIGNMENT /
                       f"{course.NOTEBOOK}.ipynb")
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return next(f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error")


def test_same_file_same_inputs_and_verdict_other_file_other_inputs(graded_class, tmp_path,
                                                                    run_cli, read_grades):
    """Hidden-test inputs come from the grader's secret and the submission's bytes: grading the
    same file again reproduces its verdict word for word; the same answers in a file that
    differs by one space are judged on other inputs (values read off one's feedback are of no
    use for the next submission)."""
    submissions, out, timeout = graded_class
    student = "bug-schedule-lr-decay"
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(submissions / f"{student}.ipynb", again / f"{student}.ipynb")
    nb = read_notebook(submissions / f"{student}.ipynb")
    markdown = next(c for c in nb.cells if c.cell_type == "markdown")
    markdown.source += " "
    nbformat.write(nb, again / "resubmitted.ipynb")
    result = run_cli("autograde", str(again), "--out", str(tmp_path / "out"), "--timeout",
                     str(timeout))
    assert result.returncode == 0, result.stderr[-2000:]
    first = _failure(out, student, "schedule_lr_decay_tests")
    assert first.startswith("AssertionError: learning_rate is wrong (learning_rate0=")
    assert _failure(tmp_path / "out", student, "schedule_lr_decay_tests") == first
    other = _failure(tmp_path / "out", "resubmitted", "schedule_lr_decay_tests")
    assert other != first and other.startswith("AssertionError: learning_rate is wrong (")
    grades = read_grades(tmp_path / "out")
    assert grades[student] == read_grades(out)[student]
    assert grades["resubmitted"]["total"] == grades[student]["total"]

"""Tampering gains nothing: each hostile submission, graded end to end, loses its wrong answers.

Two kinds of evidence per attack:

- end to end (the session's hostile class, graded by grade_class): the submission scores
  exactly the reference's points minus the exercises it answered wrongly;
- a control in a bare kernel (tests/judge.py): for the attacks on checks that decide inside
  the kernel, the exercise's public check - which does - reports "All tests passed."; the
  grader's verdict, decided outside the kernel from the data sent back, still fails it.

Since the hidden tests only report data and the worker judges it, an attack can at most change
what is reported; what is reported earns points only if it is what the reference computes on
inputs drawn from the grader's secret - that is, only if the answer is right.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from attacks import ATTACKS, CHANNEL_ATTACKS, FORMER_HOLES, MIME
from judge import EXERCISES, JudgeKernel

from grader import course
from grader.gradebook import graded_cells

OURS = course.default_assignment()  # this repository's own assignment


def points(graded) -> dict[str, float]:
    cells = graded_cells(OURS, course.sqlite_url(graded.out / "gradebook.db"))
    return {course.function_of(cell): maximum for cell, maximum in cells}


def scores(graded, student: str) -> dict[str, float]:
    row = graded.rows[student]
    return {function: float(row[function]) for function in EXERCISES}


def assert_loses_exactly(graded, student: str, lost: tuple[str, ...],
                         status: str = "graded") -> None:
    due = {f: 0.0 if f in lost else maximum for f, maximum in points(graded).items()}
    assert scores(graded, student) == due, student
    assert float(graded.rows[student]["max_total"]) == 100
    assert graded.rows[student]["status"] == status, graded.rows[student]["status"]


def test_every_hostile_submission_scores_exactly_its_due(graded_hostile_class):
    graded = graded_hostile_class
    assert set(graded.rows) == set(graded.samples)
    for student, sample in graded.samples.items():
        assert_loses_exactly(graded, student, sample.loses, sample.status)
    assert float(graded.rows["reference"]["total"]) == 100


def test_monkey_patched_numpy_gains_nothing(graded_hostile_class):
    """np.allclose, np.isclose, np.array_equal, np.all, np.abs, np.asarray, np.testing.*
    replaced: nothing in the kernel compares anything any more."""
    assert_loses_exactly(graded_hostile_class, "patches-numpy", ("update_parameters_with_gd",))


def test_rebound_builtins_gain_nothing(graded_hostile_class):
    """bool, all, any, abs, isinstance shadowed in the notebook and patched in `builtins`."""
    assert_loses_exactly(graded_hostile_class, "rebinds-builtins", ("update_parameters_with_gd",))


def test_replaced_public_tests_fool_only_the_public_check(graded_hostile_class):
    """utils.public_tests replaced: in a kernel the public check now says all is well (the
    control below shows it), but grading never asks it: the hidden check fails the wrong answer,
    judged outside the kernel."""
    graded = graded_hostile_class
    assert "All tests passed." not in graded.cell_output("fakes-and-hard-codes",
                                                         "schedule_lr_decay_tests")
    assert scores(graded, "fakes-and-hard-codes")["schedule_lr_decay"] == 0


def test_objects_that_fake_comparisons_gain_nothing(graded_hostile_class):
    """An ndarray subclass agreeing with everything and a float equal to every number fool the
    usual comparisons; sent back, they are objects of their own type, not arrays or numbers."""
    namespace = {"np": np}
    exec(ATTACKS["fake-arrays"].code.split("_wrong =")[0], namespace)
    exec(ATTACKS["fake-number"].code.split("_wrong =")[0], namespace)
    fake = np.arange(3.0).view(namespace["AgreeableArray"])
    assert np.allclose(fake, [7, 8, 9]) and (fake == 5).all() and np.array_equal(fake, [1])
    assert namespace["AlwaysEqual"](0.125) == 0.1666
    graded = graded_hostile_class
    lost = scores(graded, "fakes-and-hard-codes")
    assert lost["update_parameters_with_momentum"] == 0 and lost["update_lr"] == 0


def test_silenced_tracebacks_gain_nothing(graded_hostile_class):
    """showtraceback, sys.excepthook and a custom exception handler silenced: the verdict is
    written into the cell by the grader, after the kernel is gone."""
    graded = graded_hostile_class
    assert_loses_exactly(graded, "silences-tracebacks", ("schedule_lr_decay",))
    cell = _cell(graded.notebook("silences-tracebacks"), "schedule_lr_decay_tests")
    assert any(out.output_type == "error" for out in cell.outputs)


def test_swallowed_errors_and_skipped_cells_gain_nothing(graded_hostile_class):
    """IPython's run_code replaced to swallow every exception, or an input transformer that
    turns the reporting cells into `pass`: plain nbgrader would give full marks (no error
    output); here the swallowed cell still reports a wrong answer, the skipped ones report
    nothing, and both fail."""
    graded = graded_hostile_class
    assert_loses_exactly(graded, "swallows-errors", ("schedule_lr_decay",))
    assert_loses_exactly(graded, "skips-test-cells", ("schedule_lr_decay", "update_lr"))
    for student, grade_id, ename in (
            ("swallows-errors", "schedule_lr_decay_tests", "AssertionError"),
            ("skips-test-cells", "update_lr_tests", "TestsIncomplete")):
        errors = [out for out in _cell(graded.notebook(student), grade_id).outputs
                  if out.output_type == "error"]
        assert [out.ename for out in errors] == [ename], student


def test_rewritten_relabelled_or_invented_cells_gain_nothing(graded_hostile_class):
    """Autograder cells rewritten (metadata kept, or checksum forged to match, points raised)
    or renamed, a solution cell and an invented cell claiming points: all restored from the
    gradebook, no points beyond the assignment's 100."""
    graded = graded_hostile_class
    assert_loses_exactly(graded, "tampers-with-cells", (
        "update_parameters_with_gd", "update_parameters_with_momentum",
        "update_parameters_with_adam"))
    assert scores(graded, "tampers-with-cells")["update_lr"] == points(graded)["update_lr"]
    assert "bonus" not in graded.rows["tampers-with-cells"]
    nb = graded.notebook("tampers-with-cells")
    for name in ("update_parameters_with_gd", "update_parameters_with_momentum",
                 "update_parameters_with_adam"):
        assert "BEGIN HIDDEN TESTS" in _cell(nb, f"{name}_tests").source  # the gradebook's


def test_hard_coding_the_public_case_gains_nothing(graded_hostile_class):
    """An Adam step that is right only for the public test's inputs."""
    assert scores(graded_hostile_class, "fakes-and-hard-codes")["update_parameters_with_adam"] == 0


def test_autograded_notebooks_show_the_test_cells_as_written(graded_hostile_class):
    """The reporting code is invisible afterwards: autograded notebooks show the instructor's
    cells, and neither they nor the feedback hold results data or the hidden checks."""
    graded = graded_hostile_class
    source = {c.metadata["nbgrader"]["grade_id"]: c.source
              for c in graded.notebook("reference").cells
              if c.metadata.get("nbgrader", {}).get("grade", False)}
    assert len(source) == 8 and all("### BEGIN HIDDEN TESTS" in s for s in source.values())
    for student in graded.samples:
        for cell in graded.notebook(student).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in source:  # as the instructor wrote it, outputs without results data
                assert cell.source == source[grade_id], (student, grade_id)
                assert MIME not in json.dumps(cell.outputs), (student, grade_id)
    for page in (graded.out / "feedback").glob("*.html"):
        text = page.read_text()
        assert "grader.hidden_tests" not in text and "BEGIN HIDDEN TESTS" not in text, page.name
    honest = (graded.out / "feedback" / "reference.html").read_text()
    assert MIME not in honest and "grader_report" not in honest


@pytest.mark.parametrize("student", ["forges-results", "reports-twice-or-malformed",
                                     "rewrites-inputs-lies-about-types",
                                     "rewrites-the-reporter-with-gc", "patches-print-and-stdout",
                                     "huge-or-deep-results", "second-call-differs",
                                     "former-holes"])
def test_attacks_on_the_results_channel_gain_nothing(graded_hostile_class, student):
    """Forged, doubled, malformed, huge or deeply nested results, rewritten inputs, a patched
    reporter, rewritten result objects, types that lie, print and stdout claiming success, an
    answer right only on its first call, and the holes of the old in-kernel guard."""
    sample = graded_hostile_class.samples[student]
    assert_loses_exactly(graded_hostile_class, student, sample.loses)


def test_a_kernel_that_exits_after_forging_results_gains_nothing(graded_hostile_class):
    assert_loses_exactly(graded_hostile_class, "exits-after-forging", ("schedule_lr_decay",),
                         status="kernel died in schedule_lr_decay")


def test_feedback_names_what_went_wrong_for_channel_attacks(graded_hostile_class):
    graded = graded_hostile_class

    def error(student, grade_id):
        return next(f"{out.ename}: {out.evalue}" for out in
                    _cell(graded.notebook(student), grade_id).outputs
                    if out.output_type == "error")

    assert "sets of results instead of 1" in error("reports-twice-or-malformed",
                                                    "update_lr_tests")
    assert error("reports-twice-or-malformed", "schedule_lr_decay_tests").startswith(
        "InvalidResults: ")
    assert "too large" in error("huge-or-deep-results", "schedule_lr_decay_tests") or \
        "more than" in error("huge-or-deep-results", "schedule_lr_decay_tests")
    assert "object of type" in error("rewrites-inputs-lies-about-types",
                                     "update_parameters_with_momentum_tests")


# --- controls: checks deciding inside the kernel would be fooled; the grader is not ----------

CONTROLLED = {**ATTACKS, **{n: a for n, a in CHANNEL_ATTACKS.items()
                            if n != "exits-after-forging"}, **FORMER_HOLES}


def _judge_attack(attack):
    """(the public check, deciding in the kernel, said passed; the grader passed it; why not)."""
    kernel = JudgeKernel.for_course()
    try:
        kernel.run(attack.source)
        public = kernel.run_public(attack.exercise) if attack.fools_in_kernel_checks else None
        judged, why = kernel.run_test(attack.exercise)
        return public, judged, why
    finally:
        kernel.close()


@pytest.fixture(scope="module")
def controls():
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = dict(zip(CONTROLLED, pool.map(_judge_attack, CONTROLLED.values()),
                            strict=True))
    return verdicts


@pytest.mark.parametrize("name", [n for n, a in CONTROLLED.items() if a.fools_in_kernel_checks])
def test_a_check_in_the_kernel_is_fooled_the_grader_is_not(name, controls):
    public, judged, _ = controls[name]
    assert public, f"{name} should fool the public check, which decides in the kernel"
    assert not judged


@pytest.mark.parametrize("name", list(CONTROLLED))
def test_no_attack_passes_the_grader(name, controls):
    assert controls[name][1] is False, controls[name]


def test_former_hole_hidden_tests_disarmed_through_frames(controls):
    """Code called by the tests climbs to their frame: there is nothing to disarm in there."""
    assert controls["walks-test-frames"][1] is False


def test_former_hole_key_taken_from_the_guard(controls):
    """There is no guard, key or token in the kernel any more."""
    assert controls["steals-the-key"][1] is False


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_feedback_reports_why_a_cell_failed(graded_hostile_class):
    page = (graded_hostile_class.out / "feedback" / "skips-test-cells.html").read_text()
    assert re.search(r"TestsIncomplete", page)

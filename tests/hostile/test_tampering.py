"""Tampering gains nothing: each hostile submission, graded end to end, loses its wrong answers.

Two kinds of evidence per attack class:

- end to end (the session's hostile class, graded by grade_class): the submission scores
  exactly the reference's points minus the exercises it answered wrongly;
- a control in a bare kernel (tests/judge.py): the same attack *does* make its wrong answer pass
  when the autograder cell runs as plain nbgrader runs it - no guard, no pass token - so the
  test above would fail if the defence were removed. Attacks that rewrite the sealed cell have
  no plain counterpart; their control shows the rewritten cell running without error, so that
  only the missing pass token fails it.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from attacks import ATTACKS, FORGERIES, KNOWN_HOLES
from judge import EXERCISES, JudgeKernel

from grader import course
from grader.gradebook import graded_cells
from grader.preprocessors.seal_test_cells import TOKEN_PREFIX

OURS = course.default_assignment()  # this repository's own assignment


def points(graded) -> dict[str, float]:
    cells = graded_cells(OURS, course.sqlite_url(graded.out / "gradebook.db"))
    return {course.function_of(cell): maximum for cell, maximum in cells}


def scores(graded, student: str) -> dict[str, float]:
    row = graded.rows[student]
    return {function: float(row[function]) for function in EXERCISES}


def assert_loses_exactly(graded, student: str, lost: tuple[str, ...]) -> None:
    due = {f: 0.0 if f in lost else maximum for f, maximum in points(graded).items()}
    assert scores(graded, student) == due, student
    assert float(graded.rows[student]["max_total"]) == 100
    assert graded.rows[student]["status"] == "graded", graded.rows[student]["status"]


def test_every_hostile_submission_scores_exactly_its_due(graded_hostile_class):
    graded = graded_hostile_class
    assert set(graded.rows) == set(graded.samples)
    for student, sample in graded.samples.items():
        assert_loses_exactly(graded, student, sample.loses)
    assert float(graded.rows["reference"]["total"]) == 100


def test_monkey_patched_numpy_gains_nothing(graded_hostile_class):
    """np.allclose, np.isclose, np.array_equal, np.all, np.abs, np.asarray, np.testing.*
    replaced: the hidden tests use the guard's snapshot of numpy, taken before any student
    code ran."""
    assert_loses_exactly(graded_hostile_class, "patches-numpy", ("update_parameters_with_gd",))


def test_rebound_builtins_gain_nothing(graded_hostile_class):
    """bool, all, any, abs, isinstance shadowed in the notebook and patched in `builtins`: the
    hidden tests run with the guard's copy of the builtins."""
    assert_loses_exactly(graded_hostile_class, "rebinds-builtins", ("update_parameters_with_gd",))


def test_replaced_public_tests_fool_only_the_public_check(graded_hostile_class):
    """utils.public_tests replaced: the public check at the top of the autograder cell says all
    is well, the hidden tests under it (which never use the public checks) still fail the wrong
    answer."""
    graded = graded_hostile_class
    assert graded.cell_output("fakes-and-hard-codes", "schedule_lr_decay_tests").startswith(
        "All tests passed.\n")
    assert scores(graded, "fakes-and-hard-codes")["schedule_lr_decay"] == 0


def test_objects_that_fake_comparisons_gain_nothing(graded_hostile_class):
    """An ndarray subclass agreeing with everything and a float equal to every number fool the
    usual comparisons, but the hidden tests accept exactly numpy float64 arrays and plain
    numbers, and compare them with ufuncs."""
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
    """showtraceback, sys.excepthook and a custom exception handler silenced: the failing
    autograder cell still ends with an error (its reply says so, and it printed no token)."""
    graded = graded_hostile_class
    assert_loses_exactly(graded, "silences-tracebacks", ("schedule_lr_decay",))
    cell = _cell(graded.notebook("silences-tracebacks"), "schedule_lr_decay_tests")
    assert any(out.output_type == "error" for out in cell.outputs)


def test_swallowed_errors_and_skipped_cells_gain_nothing(graded_hostile_class):
    """IPython's run_code replaced to swallow every exception, or an input transformer that
    turns hidden-test cells into `pass`: plain nbgrader would give full marks (no error
    output); without its pass token the cell fails."""
    graded = graded_hostile_class
    assert_loses_exactly(graded, "swallows-errors", ("schedule_lr_decay",))
    assert_loses_exactly(graded, "skips-test-cells", ("schedule_lr_decay", "update_lr"))
    for student, grade_id in (("swallows-errors", "schedule_lr_decay_tests"),
                              ("skips-test-cells", "update_lr_tests")):
        errors = [out for out in _cell(graded.notebook(student), grade_id).outputs
                  if out.output_type == "error"]
        assert [out.ename for out in errors] == ["TestsIncomplete"], student


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
    """Sealing is invisible afterwards: no pass token (nor a line posing as one) or guard call
    is left in any output."""
    graded = graded_hostile_class
    token = re.compile(re.escape(TOKEN_PREFIX) + "[0-9a-f]{8}")
    for student in graded.samples:
        text = (graded.out / "autograded" / student / OURS.name /
                f"{OURS.notebook}.ipynb").read_text()
        assert not token.search(text) and ".run_tests(" not in text, student
    for page in (graded.out / "feedback").glob("*.html"):
        assert not token.search(page.read_text()), page.name


# --- controls: without guard and pass tokens, these attacks would pay off --------------------


def _judge_attack(attack):
    """(passes as plain nbgrader runs it, passes sealed, why not sealed) for the attack's
    exercise."""
    kernel = JudgeKernel.for_course()
    try:
        kernel.run(attack.source)
        plain, _ = kernel.run_test(attack.exercise, sealed=False)
        sealed, why = kernel.run_test(attack.exercise, sealed=True)
        return plain, sealed, why
    finally:
        kernel.close()


@pytest.fixture(scope="module")
def controls():
    attacks = {**ATTACKS, **FORGERIES, **KNOWN_HOLES}
    with ThreadPoolExecutor(max_workers=2) as pool:
        verdicts = dict(zip(attacks, pool.map(_judge_attack, attacks.values()), strict=True))
    return verdicts


@pytest.mark.parametrize("name", [n for n, a in ATTACKS.items() if a.fools_plain_nbgrader])
def test_without_the_guard_the_attack_would_pay_off(name, controls):
    plain, sealed, _ = controls[name]
    assert plain, f"{name} should fool the autograder cell when it runs unguarded"
    assert not sealed


@pytest.mark.parametrize("name", [n for n, a in ATTACKS.items() if not a.fools_plain_nbgrader])
def test_attacks_already_stopped_by_strict_checks_or_nbgrader(name, controls):
    """Fake objects and hard-coding fail the strict hidden tests even unguarded; silenced
    tracebacks are caught by nbgrader's own reply check."""
    assert controls[name][:2] == (False, False)


def test_sealed_cells_rewritten_to_forge_the_token_earn_nothing(graded_hostile_class, controls):
    """An input transformer rewrites one sealed cell into printing a token made up from what
    the cell shows (the cell's own token, when cells carried one), another into the guard call
    with `pass` for test code. Both cells then run without error - plain nbgrader, or a grader
    trusting any token, gives full marks - but the pass token is an HMAC of the grade id and the
    test code the grader sealed, under a key no cell holds: neither prints the expected one."""
    graded = graded_hostile_class
    assert_loses_exactly(graded, "forges-pass-tokens", ("schedule_lr_decay", "update_lr"))
    nb = graded.notebook("forges-pass-tokens")
    for grade_id in ("update_lr_tests", "schedule_lr_decay_tests"):
        assert [(out.output_type, out.get("ename")) for out in _cell(nb, grade_id).outputs] == \
            [("error", "TestsIncomplete")], grade_id
    for name in FORGERIES:
        assert controls[name] == (False, False, "no pass token"), name


@pytest.mark.xfail(strict=True, reason="known hole: code in the kernel can take the guard's keyed "
                   "hash out of its closure and sign a rewritten sealed cell itself")
def test_known_hole_key_taken_from_the_guard(controls):
    assert controls["steals-the-key"][1] is False


@pytest.mark.xfail(strict=True, reason="known hole: code called by the hidden tests can reach "
                   "their namespace through sys._getframe and disarm their helpers")
def test_known_hole_hidden_tests_disarmed_through_frames(controls):
    assert controls["walks-test-frames"][1] is False


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def test_feedback_reports_why_a_cell_failed(graded_hostile_class):
    page = (graded_hostile_class.out / "feedback" / "swallows-errors.html").read_text()
    assert re.search(r"TestsIncomplete", page)

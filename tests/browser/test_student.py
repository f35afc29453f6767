"""A student's session in JupyterLab (`make lab`): Run All, typed answers, messages, Validate."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from grader import course
from grader.notebook_io import read_notebook
from grader.samples import BUGS, Course
from tests.browser.conftest import screenshot_path
from tests.browser.lab import (
    CELLS,
    cell_output,
    open_notebook,
    run_all,
    run_cell,
    type_into_cell,
    validate,
)
from utils.public_tests import EXERCISES

RELEASE = read_notebook(course.RELEASE_NOTEBOOK)
GRADE_IDS = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in RELEASE.cells]

# What a student types for exercise 1: correct, but not the reference's spelling.
GD_TYPED = '''def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    new = dict(parameters)
    for l in range(1, L + 1):
        new["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        new["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return new'''
GD_BUG = GD_TYPED.replace("range(1, L + 1)", "range(1, L)")  # forgets the last layer
GD_CRASH = GD_TYPED.replace("range(1, L + 1)", "range(L + 1)")  # KeyError: 'W0'
LR_TYPED = '''def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate * epoch_num)'''
MACHINERY = ("public_tests.py", "Traceback", "_Checker", "check.fail")


def flat(text: str) -> str:
    """`text` with its line breaks and indentation folded into single spaces."""
    return " ".join(text.split())


def index(grade_id: str) -> int:
    """Position of the release's cell with this nbgrader id."""
    return GRADE_IDS.index(grade_id)


def snap(page, cell: int, name: str) -> None:
    """Screenshot with cell `cell` and its output in view, for a reviewer."""
    page.locator(CELLS).nth(cell).locator(".jp-InputPrompt").click()  # Lab scrolls it in view
    page.mouse.wheel(0, 400)  # and a little further, to show its output
    page.wait_for_timeout(500)
    page.screenshot(path=screenshot_path(name))


def first_cell_with(text: str) -> int:
    return next(i for i, cell in enumerate(RELEASE.cells) if text in cell.source)


def test_run_all_on_the_untouched_release_stops_at_exercise_1_saying_so(
        student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    run_all(page)
    check = index("update_parameters_with_gd_tests")
    output = flat(cell_output(page, check))
    assert "Exercise 1 (update_parameters_with_gd): not implemented yet" in output
    assert "Replace the `raise NotImplementedError()` line with your code." in output
    assert not any(frame in output for frame in MACHINERY), output
    assert cell_output(page, index("random_mini_batches_tests")) == ""  # Run All stopped there
    snap(page, check, "run_all_untouched_release")


def test_a_correct_exercise_1_typed_into_the_editor_passes_its_check(
        student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    type_into_cell(page, index("update_parameters_with_gd"), GD_TYPED)
    run_all(page)
    assert cell_output(page, index("update_parameters_with_gd_tests")) == "All tests passed.\n"
    # Run All goes on to the next unfinished exercise and stops there
    assert "Exercise 2 (random_mini_batches): not implemented yet" in \
        flat(cell_output(page, index("random_mini_batches_tests")))
    snap(page, index("update_parameters_with_gd_tests"), "typed_exercise_1_passes")


def test_a_wrong_exercise_1_typed_into_the_editor_gets_its_specific_message(
        student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    type_into_cell(page, index("update_parameters_with_gd"), GD_BUG)
    run_cell(page, index("imports"))
    run_cell(page, index("update_parameters_with_gd"))
    run_cell(page, index("update_parameters_with_gd_tests"))
    output = flat(cell_output(page, index("update_parameters_with_gd_tests")))
    assert 'Exercise 1 (update_parameters_with_gd): wrong values in parameters["W2"]' in output
    assert "Hint: W2 <- W2 - learning_rate * dW2" in output
    assert "All tests passed." not in output
    assert not any(frame in output for frame in MACHINERY), output
    page.screenshot(path=screenshot_path("typed_bug_exercise_1"))


def test_a_crashing_exercise_1_shows_the_students_own_line_and_no_checking_frames(
        student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    type_into_cell(page, index("update_parameters_with_gd"), GD_CRASH)
    run_all(page)
    output = flat(cell_output(page, index("update_parameters_with_gd_tests")))
    assert "KeyError" in output and "'W0'" in output
    assert 'new["W" + str(l)] = parameters["W" + str(l)]' in output  # the student's line
    assert "calling update_parameters_with_gd raised KeyError: 'W0'" in output
    assert "public_tests.py" not in output, output
    snap(page, index("update_parameters_with_gd_tests"), "typed_crash_exercise_1")


def test_training_before_the_exercises_are_done_names_the_exercise_to_finish(
        student_lab, student_notebook, page):
    """Cell by cell up to the first training run, as a student skipping the failed checks."""
    open_notebook(page, student_lab.url(student_notebook()))
    training = first_cell_with('model(X, Y, layers_dims, optimizer="gd")')
    for cell in range(training + 1):
        run_cell(page, cell)
    output = flat(cell_output(page, training))
    assert "finish exercise 1 (update_parameters_with_gd) first" in output
    assert "not implemented yet" in output
    assert "NotImplementedError:" not in output and "Traceback" not in output, output
    # the plot of that run says so too, instead of an empty figure
    run_cell(page, training + 1)
    plot = page.locator(CELLS).nth(training + 1)
    assert "finish exercise 1 (update_parameters_with_gd) first" in flat(
        cell_output(page, training + 1))
    assert plot.locator(".jp-OutputArea img").count() == 0
    page.screenshot(path=screenshot_path("training_names_exercise"))


def validation_text(page) -> str:
    dialog = page.locator(".jp-Dialog")
    return flat(dialog.locator(".jp-Dialog-body").inner_text())


def test_validate_reports_every_unfinished_exercise_of_the_untouched_release(
        student_lab, student_notebook, page):
    open_notebook(page, student_lab.url(student_notebook()))
    validate(page)
    text = validation_text(page)
    assert "Success" not in text
    assert text.count("The following cell failed") == 8
    for name, number in EXERCISES.items():
        assert f"Exercise {number} ({name}): not implemented yet" in text
    page.screenshot(path=screenshot_path("validate_untouched"))


def test_validate_turns_to_success_once_the_last_wrong_exercise_is_fixed(
        student_lab, student_notebook, page):
    """Validate false -> true: a notebook correct but for update_lr, fixed by typing."""
    nb = Course().answered(update_lr=BUGS["update_lr"])
    open_notebook(page, student_lab.url(student_notebook(nb)))
    validate(page)
    text = validation_text(page)
    assert "Success" not in text and text.count("The following cell failed") == 1
    assert re.search(r"Exercise 7 \(update_lr\): update_lr\(0\.5, 2, 1\) is 0\.5, expected", text)
    page.screenshot(path=screenshot_path("validate_buggy"))
    page.locator(".jp-Dialog").get_by_role("button", name="Ok").click()
    type_into_cell(page, index("update_lr"), LR_TYPED)
    validate(page)  # saves the typed fix first
    expect(page.locator(".jp-Dialog-body")).to_contain_text(
        "Success! Your notebook passes all the tests.")
    page.screenshot(path=screenshot_path("validate_success"))

"""Every wrong answer in the bank fails its own autograder cell and no other, in a real kernel.

The verdicts come from tests/judge.py (one run for the whole session); the
catch-rate table is printed at the end of the pytest report. End to end through
`python -m grader autograde`, tests/grader/test_autograde.py grades one bug per exercise
(grader.samples.BUGS) and checks that each loses exactly its exercise's points.
"""

from __future__ import annotations

import re

import pytest
from buggy_answers import BANK, HARDCODED, define
from judge import EXERCISES, catch_table

from grader.samples import BUGS
from utils import public_tests

# Mistakes the issue asks the bank to cover, by exercise.
REQUIRED = {
    "update_parameters_with_gd": ["skips_last_layer", "range_from_zero", "w_and_b_mixed",
                                  "scales_grads_in_place"],
    "random_mini_batches": ["drop_partial_batch", "last_slice_to_minus_one", "two_permutations",
                            "shuffles_in_place"],
    "initialize_velocity": ["skips_last_layer", "w_and_b_mixed"],
    "update_parameters_with_momentum": ["without_one_minus_beta", "skips_last_layer",
                                        "w_and_b_mixed"],
    "initialize_adam": ["same_dict", "shared_arrays"],
    "update_parameters_with_adam": ["no_bias_correction", "t_off_by_one", "beta1_for_s",
                                    "epsilon_inside_sqrt", "epsilon_outside_division",
                                    "epsilon_added_to_s_corrected"],
    "update_lr": ["integer_division", "precedence"],
    "schedule_lr_decay": ["round", "no_floor", "integer_division", "floor_of_product"],
}


def test_bank_holds_at_least_five_typical_bugs_per_exercise():
    assert list(BANK) == EXERCISES
    assert all(len(variants) >= 5 for variants in BANK.values())
    assert sum(len(variants) for variants in BANK.values()) >= 40
    for exercise, names in REQUIRED.items():
        assert set(names) <= set(BANK[exercise]), exercise


def test_every_variant_defines_the_exercise_function():
    for exercise, variants in BANK.items():
        for variant, source in variants.items():
            assert callable(define(exercise, source)), f"{exercise}/{variant}"


def test_reference_passes_all_eight_cells(verdicts):
    for verdict in verdicts["reference"]:
        assert all(verdict.passed.values()), (verdict.exercise, verdict.errors)


def test_bank_catch_rate_is_100_percent(verdicts):
    missed = [v for v in verdicts["bank"] if not (v.caught and v.contained)]
    assert not missed, "\n" + catch_table(verdicts["bank"])
    assert re.search(r"^all .* 100 %$", catch_table(verdicts["bank"]), flags=re.MULTILINE)


def test_each_caught_variant_fails_with_a_message(verdicts):
    """A bug is reported with a reason (an assertion message or an error), never silently."""
    for verdict in verdicts["bank"]:
        reason = verdict.errors[verdict.exercise]
        assert reason and not reason.startswith(("TestsIncomplete", "InvalidResults")), (
            verdict.exercise, verdict.variant, reason)
        if reason.startswith("AssertionError"):
            assert len(reason) > len("AssertionError: ") + 10, (verdict.variant, reason)


def test_untouched_release_stubs_fail_only_their_own_cell(verdicts):
    for verdict in verdicts["stubs"]:
        assert verdict.caught and verdict.contained, verdict.exercise
        assert "NotImplementedError" in verdict.errors[verdict.exercise]


def test_sample_bugs_graded_end_to_end_are_caught_here_too(verdicts):
    """grader.samples.BUGS (graded end to end by tests/grader/test_autograde.py) cover all
    eight exercises and agree with the bank runner."""
    assert set(BUGS) == set(EXERCISES)
    for verdict in verdicts["samples"]:
        assert verdict.caught and verdict.contained, verdict.exercise


@pytest.mark.parametrize("exercise", EXERCISES)
def test_hard_coded_answers_earn_nothing_on_the_hidden_tests(exercise, verdicts):
    assert HARDCODED[exercise], "every exercise has a hard-coded answer"
    for verdict in (v for v in verdicts["hardcoded"] if v.exercise == exercise):
        assert verdict.caught and verdict.contained, (verdict.variant, verdict.errors)


@pytest.mark.parametrize("exercise", [n for n in EXERCISES
                                      if "detects_public_case" in HARDCODED[n]])
def test_answers_that_detect_the_public_inputs_do_fool_the_public_check(exercise, capsys):
    """So they are real attacks: the student sees "All tests passed." and still gets 0."""
    answer = define(exercise, HARDCODED[exercise]["detects_public_case"])
    getattr(public_tests, f"{exercise}_test")(answer)
    assert capsys.readouterr().out == "All tests passed.\n"


def test_public_values_returned_for_arrays_fool_the_public_check(capsys):
    for exercise in ("initialize_velocity", "initialize_adam"):
        getattr(public_tests, f"{exercise}_test")(
            define(exercise, HARDCODED[exercise]["returns_public_values"]))
    assert capsys.readouterr().out == "All tests passed.\n" * 2

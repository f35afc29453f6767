"""The public checks accept the reference solution and reject blank and buggy answers clearly."""

import copy
import re

import pytest
from buggy_answers import BUGGY, not_implemented, returns_none

from utils import public_tests

EXERCISES = list(public_tests.EXERCISES)


def checker(name):
    return getattr(public_tests, f"{name}_test")


def prefix(name):
    return re.escape(f"Exercise {public_tests.EXERCISES[name]} ({name}): ")


def without_mutation(function):
    """The same function, but every call works on deep copies of the arguments."""

    def wrapper(*args, **kwargs):
        return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))

    return wrapper


def test_every_graded_function_has_a_checker():
    assert EXERCISES == [
        "update_parameters_with_gd",
        "random_mini_batches",
        "initialize_velocity",
        "update_parameters_with_momentum",
        "initialize_adam",
        "update_parameters_with_adam",
        "update_lr",
        "schedule_lr_decay",
    ]
    assert all(callable(checker(name)) for name in EXERCISES)


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_solution_passes_and_says_so(name, solutions, capsys):
    checker(name)(getattr(solutions, name))
    assert capsys.readouterr().out == "All tests passed.\n"


@pytest.mark.parametrize("name", EXERCISES)
def test_reference_solution_passes_without_mutating_its_inputs(name, solutions, capsys):
    checker(name)(without_mutation(getattr(solutions, name)))
    assert "All tests passed." in capsys.readouterr().out


@pytest.mark.parametrize("name", EXERCISES)
def test_blank_answer_is_reported_as_not_implemented(name, capsys):
    with pytest.raises(AssertionError, match=prefix(name) + "not implemented yet"):
        checker(name)(not_implemented)
    assert "All tests passed" not in capsys.readouterr().out


@pytest.mark.parametrize("name", EXERCISES)
def test_answer_returning_none_names_the_type_got(name):
    with pytest.raises(AssertionError, match=prefix(name) + ".*should be .*, got NoneType"):
        checker(name)(returns_none)


# (exercise, buggy variant, a regular expression the failure message must match)
CAUGHT = [
    ("update_parameters_with_gd", "skips_last_layer", r'wrong values in parameters\["W2"\]'),
    ("update_parameters_with_gd", "range_from_zero", r"raised KeyError: 'W0'"),
    ("update_parameters_with_gd", "w_and_b_mixed", r'parameters\["b1"\] has shape \(2, 3\)'),
    ("update_parameters_with_gd", "fixed_learning_rate", r"learning_rate=0\.02"),
    ("update_parameters_with_gd", "climbs", r'wrong values in parameters\["W1"\]'),
    (
        "random_mini_batches",
        "last_slice_to_minus_one",
        r"last mini-batch has 19 columns, expected 20",
    ),
    ("random_mini_batches", "drop_partial_batch", r"got 2 mini-batches .*expected 3 mini-batches"),
    ("random_mini_batches", "two_permutations", r"Y does not match its X"),
    ("random_mini_batches", "not_seeded", r"np\.random\.permutation"),
    ("random_mini_batches", "fixed_size", r"mini_batch_size=32: got 3 mini-batches"),
    ("random_mini_batches", "empty_last_batch", r"mini_batch_size=37: got 5 mini-batches"),
    ("random_mini_batches", "not_shuffled", r"seed numpy with `seed`"),
    ("initialize_velocity", "transposed", r'v\["dW1"\] has shape \(3, 2\), expected \(2, 3\)'),
    ("initialize_velocity", "skips_last_layer", r"missing the key\(s\) \['dW2', 'db2'\]"),
    ("initialize_velocity", "scalar_zeros", r'v\["dW1"\] should be a numpy array, got int'),
    ("update_parameters_with_momentum", "without_one_minus_beta", r'wrong values in v\["dW1"\]'),
    (
        "update_parameters_with_momentum",
        "steps_with_old_velocity",
        r'wrong values in parameters\["W1"\].*update v first',
    ),
    ("update_parameters_with_momentum", "fixed_beta", r"with beta=0\.5"),
    ("update_parameters_with_momentum", "swapped_weights", r"beta \* v \+ \(1 - beta\)"),
    ("initialize_adam", "same_dict", r's\["dW1"\] shares memory with v\["dW1"\]'),
    ("initialize_adam", "shared_arrays", r'shares memory with v\["dW1"\]'),
    ("initialize_adam", "transposed", r"has shape \(3, 2\), expected \(2, 3\)"),
    ("initialize_adam", "only_v", r"should be a tuple of 2 values, got dict"),
    ("update_parameters_with_adam", "no_bias_correction", r"v_corrected\[\"dW1\"\] at t=2"),
    ("update_parameters_with_adam", "t_off_by_one", r"1 - beta1\*\*t"),
    ("update_parameters_with_adam", "beta1_for_s", r'wrong values in s\["dW1"\]'),
    ("update_parameters_with_adam", "epsilon_inside_sqrt", r"epsilon\)"),
    ("update_parameters_with_adam", "ignores_epsilon", r"epsilon=1\.0"),
    ("update_parameters_with_adam", "fixed_hyperparameters", r"with t=1, epsilon=1\.0"),
    ("update_lr", "exponential", r"update_lr\(0\.5, 2, 1\) is 0\.125, expected 0\.1666"),
    ("update_lr", "precedence", r"is 2\.5, expected"),
    ("update_lr", "ignores_decay_rate", r"update_lr\(0\.5, 2, 0\.5\) is .*, expected 0\.25"),
    ("update_lr", "no_one", r"is 0\.25, expected 0\.1666"),
    ("schedule_lr_decay", "no_floor", r"schedule_lr_decay\(0\.5, 10, 0\.3, 100\) is 0\.485"),
    ("schedule_lr_decay", "ceil", r"is 0\.384.*, expected 0\.5\b"),
    ("schedule_lr_decay", "ignores_time_interval", r"\(0\.5, 100, 0\.3, 100\) is 0\.5, expected"),
]


@pytest.mark.parametrize(
    "name, variant, message", CAUGHT, ids=[f"{name}-{variant}" for name, variant, _ in CAUGHT]
)
def test_buggy_answer_fails_with_a_precise_message(name, variant, message, capsys):
    buggy = BUGGY[name][variant]
    with pytest.raises(AssertionError) as failure:
        checker(name)(buggy)
    text = str(failure.value)
    assert re.match(prefix(name), text), text
    assert re.search(message, text, flags=re.DOTALL), text
    assert "All tests passed" not in capsys.readouterr().out


def test_at_least_two_typical_bugs_per_exercise_are_caught():
    caught = {name for name, _, _ in CAUGHT}
    assert caught == set(EXERCISES)
    assert all(sum(entry[0] == name for entry in CAUGHT) >= 2 for name in EXERCISES)


def test_failure_messages_show_expected_and_got_values():
    with pytest.raises(AssertionError) as failure:
        public_tests.update_parameters_with_gd_test(BUGGY["update_parameters_with_gd"]["climbs"])
    text = str(failure.value)
    assert "expected [[ 1.63535156" in text
    assert "got      [[ 1.61333917" in text

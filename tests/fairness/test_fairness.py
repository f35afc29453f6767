"""Fairness: correct answers written other ways than the reference all earn full marks.

Each answer of correct_answers.py is defined in a real kernel in place of the reference and
judged by all eight autograder cells, exactly as grading judges them (tests/judge.py), for two
inputs keys - two students handing in the same code get different inputs.
"""

from __future__ import annotations

import pytest
from correct_answers import CORRECT, SHARED_HELPER
from judge import EXERCISES, judge_all

KEYS = ("fair-1", "fair-2")
CASES = [(name, variant, source) for name, variants in CORRECT.items()
         for variant, source in variants.items()]
CASES.append(("update_parameters_with_momentum", "helper_shared_with_gd", SHARED_HELPER))


@pytest.fixture(scope="module")
def verdicts():
    return {key: judge_all(CASES, key=key) for key in KEYS}


def test_the_bank_is_varied_enough():
    assert len(CASES) >= 15
    assert set(CORRECT) == set(EXERCISES)
    styles = " ".join(source for _, _, source in CASES)
    for style in ("-=", "np.zeros_like", "np.zeros(", "np.add", "np.power", "np.divide",
                  "math.floor", "//", "int(", "copy.deepcopy", "print(", "{key:"):
        assert style in styles, style


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{n}-{v}" for n, v, _ in CASES])
def test_correct_answer_earns_full_marks(verdicts, key, index):
    verdict = verdicts[key][index]
    assert all(verdict.passed.values()), (verdict.exercise, verdict.variant, verdict.errors)

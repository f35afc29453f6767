"""utils.nn trains exactly like the plain reference implementation the benchmark times it
against (bench/plain_reference.py): same parameters to 1e-12 on each of the six runs."""

import numpy as np
import pytest

from bench import plain_reference, training
from utils.datasets import load_moons


@pytest.fixture(scope="module")
def notebook():
    return training.notebook_namespace()


@pytest.mark.parametrize("run", list(training.RUNS))
def test_utils_and_the_plain_reference_train_the_same_parameters(notebook, run):
    arguments, _ = training.RUNS[run]
    epochs = 1100 if arguments.get("decay") else 300  # the decay schedule steps at epoch 1000
    X, Y = load_moons()
    fast = training.train(notebook, X, Y, arguments, epochs)
    plain = training.train(vars(plain_reference), X, Y, arguments, epochs)
    assert training.max_difference(fast[0], plain[0]) <= 1e-12
    np.testing.assert_allclose(fast[1], plain[1], rtol=1e-12, atol=0)
    assert fast[2] == plain[2]

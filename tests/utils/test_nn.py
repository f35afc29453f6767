"""Tests for utils.nn: shapes, the seeded initialisation, cost, predictions and gradients."""

import math

import numpy as np
import pytest

from utils.datasets import load_moons
from utils.nn import (
    accuracy,
    backward_propagation,
    compute_cost,
    forward_propagation,
    initialize_parameters,
    predict,
    predict_dec,
)

NOTEBOOK_DIMS = [2, 5, 2, 1]


def random_parameters(layers_dims, rng):
    """Return parameters with random (also non-zero bias) entries, for checks beyond the seed."""
    parameters = {}
    for layer in range(1, len(layers_dims)):
        parameters[f"W{layer}"] = rng.standard_normal((layers_dims[layer], layers_dims[layer - 1]))
        parameters[f"b{layer}"] = rng.standard_normal((layers_dims[layer], 1))
    return parameters


def textbook_forward(X, parameters):
    """The plain formulas: Z = W A + b, ReLU on hidden layers, sigmoid on the last one."""
    L = len(parameters) // 2
    A = X
    for layer in range(1, L + 1):
        Z = parameters[f"W{layer}"] @ A + parameters[f"b{layer}"]
        A = np.maximum(0, Z) if layer < L else 1 / (1 + np.exp(-Z))
    return A


def hidden_pre_activations(X, parameters):
    """Return the Z of every ReLU layer, to check the data stay clear of the kink at 0."""
    L = len(parameters) // 2
    A, Zs = X, []
    for layer in range(1, L):
        Z = parameters[f"W{layer}"] @ A + parameters[f"b{layer}"]
        Zs.append(Z)
        A = np.maximum(0, Z)
    return Zs


# ---------------------------------------------------------------- initialize_parameters


@pytest.mark.parametrize("layers_dims", [NOTEBOOK_DIMS, [3, 4], [4, 6, 3, 2, 1]])
def test_initialize_parameters_follows_the_seed_3_recipe(layers_dims):
    np.random.seed(3)
    expected = {}
    for layer in range(1, len(layers_dims)):
        n_prev, n = layers_dims[layer - 1], layers_dims[layer]
        expected["W" + str(layer)] = np.random.randn(n, n_prev) * np.sqrt(2 / n_prev)
        expected["b" + str(layer)] = np.zeros((n, 1))

    np.random.seed(0)  # must not matter: the function seeds itself
    parameters = initialize_parameters(layers_dims)

    assert list(parameters) == list(expected)
    for key, value in expected.items():
        assert parameters[key].shape == value.shape
        np.testing.assert_array_equal(parameters[key], value)


def test_initialize_parameters_notebook_values():
    parameters = initialize_parameters(NOTEBOOK_DIMS)
    # randn after seed 3 starts 1.78862847, 0.43650985, ...; W1 is scaled by sqrt(2 / 2) = 1.
    np.testing.assert_allclose(parameters["W1"][0], [1.78862847, 0.43650985], atol=1e-8)
    assert not parameters["b3"].any()


# ---------------------------------------------------------------- forward / backward shapes


def test_forward_shapes_and_values():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 64))
    parameters = random_parameters(NOTEBOOK_DIMS, rng)
    A_L, _ = forward_propagation(X, parameters)
    assert A_L.shape == (1, 64)
    assert np.all((A_L > 0) & (A_L < 1))
    np.testing.assert_allclose(A_L, textbook_forward(X, parameters), rtol=1e-12, atol=0)


def test_forward_of_a_single_layer_is_logistic_regression():
    X = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    parameters = {"W1": np.array([[0.5, -0.25]]), "b1": np.array([[0.1]])}
    A_L, _ = forward_propagation(X, parameters)
    z = 0.5 * X[0] - 0.25 * X[1] + 0.1
    np.testing.assert_allclose(A_L[0], 1 / (1 + np.exp(-z)), rtol=1e-14)


def test_backward_keys_and_shapes():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 64))
    Y = (rng.random((1, 64)) > 0.5).astype(int)
    parameters = random_parameters(NOTEBOOK_DIMS, rng)
    _, cache = forward_propagation(X, parameters)
    grads = backward_propagation(X, Y, cache)
    assert set(grads) == {"dW1", "db1", "dW2", "db2", "dW3", "db3"}
    for key, value in parameters.items():
        assert grads["d" + key].shape == value.shape


def test_backward_matches_the_textbook_formulas():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((2, 44))
    Y = (rng.random((1, 44)) > 0.5).astype(int)
    p = random_parameters(NOTEBOOK_DIMS, rng)
    m = X.shape[1]

    z1 = p["W1"] @ X + p["b1"]
    a1 = np.maximum(0, z1)
    z2 = p["W2"] @ a1 + p["b2"]
    a2 = np.maximum(0, z2)
    a3 = 1 / (1 + np.exp(-(p["W3"] @ a2 + p["b3"])))
    dz3 = (a3 - Y) / m
    dz2 = (p["W3"].T @ dz3) * (z2 > 0)
    dz1 = (p["W2"].T @ dz2) * (z1 > 0)
    expected = {
        "dW3": dz3 @ a2.T,
        "db3": np.sum(dz3, axis=1, keepdims=True),
        "dW2": dz2 @ a1.T,
        "db2": np.sum(dz2, axis=1, keepdims=True),
        "dW1": dz1 @ X.T,
        "db1": np.sum(dz1, axis=1, keepdims=True),
    }

    _, cache = forward_propagation(X, p)
    grads = backward_propagation(X, Y, cache)
    for key, value in expected.items():
        np.testing.assert_allclose(grads[key], value, rtol=1e-12, atol=1e-15, err_msg=key)


def test_forward_and_backward_leave_their_inputs_alone():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2, 16))
    Y = (rng.random((1, 16)) > 0.5).astype(int)
    parameters = random_parameters(NOTEBOOK_DIMS, rng)
    X_before = X.copy()
    Y_before = Y.copy()
    parameters_before = {key: value.copy() for key, value in parameters.items()}

    A_L, cache = forward_propagation(X, parameters)
    A_before = A_L.copy()
    backward_propagation(X, Y, cache)

    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    np.testing.assert_array_equal(A_L, A_before)
    for key, value in parameters_before.items():
        np.testing.assert_array_equal(parameters[key], value)


# ---------------------------------------------------------------- compute_cost


def test_compute_cost_hand_computed():
    A_L = np.array([[0.8, 0.1, 0.6]])
    Y = np.array([[1, 0, 0]])
    # -log 0.8 - log 0.9 - log 0.4: summed over the columns, not averaged
    expected = -(math.log(0.8) + math.log(0.9) + math.log(0.4))
    cost = compute_cost(A_L, Y)
    assert type(cost) is float
    assert cost == pytest.approx(expected, rel=1e-14)
    assert cost == pytest.approx(1.2447948, abs=1e-7)


def test_compute_cost_uses_both_terms_for_soft_labels():
    # Y = 0.25 weighs log A by 0.25 and log(1 - A) by 0.75.
    cost = compute_cost(np.array([[0.2, 0.5]]), np.array([[0.25, 0.25]]))
    expected = -(0.25 * math.log(0.2) + 0.75 * math.log(0.8)) + math.log(2)
    assert cost == pytest.approx(expected, rel=1e-14)


def test_compute_cost_matches_the_textbook_formula_on_a_batch():
    rng = np.random.default_rng(4)
    A_L = rng.uniform(0.01, 0.99, (1, 64))
    Y = (rng.random((1, 64)) > 0.5).astype(int)
    expected = np.sum(-Y * np.log(A_L) - (1 - Y) * np.log(1 - A_L))
    assert compute_cost(A_L, Y) == pytest.approx(expected, rel=1e-12)
    assert compute_cost(A_L, Y.astype(bool)) == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------- predict / accuracy


@pytest.fixture
def difference_classifier():
    """One sigmoid unit on x1 - x2: predicts 1 exactly when x1 > x2 (0.5 itself maps to 0)."""
    parameters = {"W1": np.array([[1.0, -1.0]]), "b1": np.array([[0.0]])}
    X = np.array([[2.0, 1.0, 0.5, -1.0, 1.0], [1.0, 2.0, -3.0, 0.0, 1.0]])
    return parameters, X


def test_predict(difference_classifier):
    parameters, X = difference_classifier
    predictions = predict(X, parameters)
    assert predictions.shape == (1, 5)
    assert np.issubdtype(predictions.dtype, np.integer)
    np.testing.assert_array_equal(predictions, [[1, 0, 1, 0, 0]])


def test_accuracy(difference_classifier):
    parameters, X = difference_classifier
    Y = np.array([[1, 0, 0, 0, 1]])  # two of the five labels disagree with the predictions
    result = accuracy(X, Y, parameters)
    assert type(result) is float
    assert result == pytest.approx(0.6)
    assert accuracy(X, np.array([[1, 0, 1, 0, 0]]), parameters) == 1.0


def test_predict_dec(difference_classifier):
    parameters, X = difference_classifier
    decisions = predict_dec(parameters, X)
    assert decisions.shape == (5,)
    assert decisions.dtype == bool
    np.testing.assert_array_equal(decisions, [True, False, True, False, False])


# ---------------------------------------------------------------- gradient check


def numerical_gradients(X, Y, parameters, eps=1e-6):
    """Centred finite differences of compute_cost / m, the function backward differentiates."""
    m = X.shape[1]
    grads = {}
    for key, value in parameters.items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + eps
            plus = compute_cost(forward_propagation(X, parameters)[0], Y)
            value[index] = original - eps
            minus = compute_cost(forward_propagation(X, parameters)[0], Y)
            value[index] = original
            grad[index] = (plus - minus) / (2 * eps * m)
        grads["d" + key] = grad
    return grads


@pytest.mark.parametrize(
    "layers_dims, seed", [([3, 4, 3, 1], 5), ([2, 5, 2, 1], 6), ([3, 5, 1], 7), ([4, 1], 8)]
)
def test_gradient_check(layers_dims, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((layers_dims[0], 7))
    Y = (rng.random((1, 7)) > 0.5).astype(int)
    parameters = random_parameters(layers_dims, rng)
    # The check is only meaningful away from the ReLU kinks, with some units switched on.
    for Z in hidden_pre_activations(X, parameters):
        assert np.min(np.abs(Z)) > 1e-3
        assert np.any(Z > 0)

    _, cache = forward_propagation(X, parameters)
    grads = backward_propagation(X, Y, cache)
    numerical = numerical_gradients(X, Y, parameters)

    keys = sorted(numerical)
    analytic_vector = np.concatenate([grads[key].ravel() for key in keys])
    numerical_vector = np.concatenate([numerical[key].ravel() for key in keys])
    difference = np.linalg.norm(analytic_vector - numerical_vector)
    relative_error = difference / (
        np.linalg.norm(analytic_vector) + np.linalg.norm(numerical_vector)
    )
    assert np.linalg.norm(grads["dW1"]) > 1e-3
    assert relative_error < 1e-7


# ---------------------------------------------------------------- all together


def test_full_batch_gradient_descent_learns_the_moons():
    X, Y = load_moons()
    m = X.shape[1]
    parameters = initialize_parameters(NOTEBOOK_DIMS)
    start_cost = compute_cost(forward_propagation(X, parameters)[0], Y) / m
    start_accuracy = accuracy(X, Y, parameters)

    for _ in range(300):
        _, cache = forward_propagation(X, parameters)
        grads = backward_propagation(X, Y, cache)
        for key in parameters:
            parameters[key] = parameters[key] - 0.5 * grads["d" + key]

    end_cost = compute_cost(forward_propagation(X, parameters)[0], Y) / m
    assert start_cost == pytest.approx(0.70241405, abs=1e-8)
    assert end_cost < 0.3
    assert accuracy(X, Y, parameters) > start_accuracy + 0.3

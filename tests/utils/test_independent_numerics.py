"""The reference answers agree with implementations written by someone else.

scikit-learn's MLP optimizers (sklearn.neural_network._stochastic_optimizers) are an independent
implementation of the same updates, with other conventions:

- SGDOptimizer keeps u <- mu*u - eta*g and adds u to the parameters. Ours keeps
  v <- beta*v + (1 - beta)*g and subtracts alpha*v. With u = -alpha*v both are the same method
  for mu = beta and eta = alpha*(1 - beta) (plain gradient descent: mu = 0, eta = alpha);
- AdamOptimizer keeps the same two moments (its ms, vs are our v, s) but folds both bias
  corrections into the step size, alpha_t = alpha*sqrt(1 - beta2^t)/(1 - beta1^t), and adds its
  epsilon to sqrt(s) *before* correcting, so its epsilon is ours times sqrt(1 - beta2^t).

Mini-batches are compared with scikit-learn's shuffle and gen_batches, the learning-rate
schedules with exact rational arithmetic and counting. Finally every hidden test judges these
independent implementations, on inputs drawn for several keys, and passes them: the values the
grader expects are the method's, not an artefact of the reference code.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from judge import judge_function
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer
from sklearn.utils import gen_batches, shuffle

SEEDS = range(5)
RTOL = 1e-12


def network(rng, layers=None):
    """Random parameters of an L-layer network and a function drawing gradients for it."""
    sizes = layers or [int(n) for n in rng.randint(1, 6, size=rng.randint(2, 5))]
    params = {}
    for layer in range(1, len(sizes)):
        params[f"W{layer}"] = rng.randn(sizes[layer], sizes[layer - 1])
        params[f"b{layer}"] = rng.randn(sizes[layer], 1)

    def gradients():
        return {"d" + key: rng.randn(*value.shape) for key, value in params.items()}

    return params, gradients


def copy(arrays):
    return {key: value.copy() for key, value in arrays.items()}


def assert_same(got: dict, expected: dict):
    assert set(got) == set(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=RTOL, atol=1e-14, err_msg=key)


# --- independent implementations, with the notebook's signatures ------------------------------


def sklearn_gd(parameters, grads, learning_rate):
    keys = list(parameters)
    params = [parameters[k].copy() for k in keys]
    SGDOptimizer(params, learning_rate_init=learning_rate, momentum=0.0,
                 nesterov=False).update_params(params, [grads["d" + k] for k in keys])
    return dict(zip(keys, params, strict=True))


def sklearn_momentum(parameters, grads, v, beta, learning_rate):
    keys = list(parameters)
    params = [parameters[k].copy() for k in keys]
    optimizer = SGDOptimizer(params, learning_rate_init=learning_rate * (1 - beta),
                             momentum=beta, nesterov=False)
    optimizer.velocities = [-learning_rate * v["d" + k] for k in keys]
    optimizer.update_params(params, [grads["d" + k] for k in keys])
    velocity = {"d" + k: -u / learning_rate for k, u in zip(keys, optimizer.velocities,
                                                            strict=True)}
    return dict(zip(keys, params, strict=True)), velocity


def sklearn_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
                 epsilon=1e-8):
    keys = list(parameters)
    params = [parameters[k].copy() for k in keys]
    optimizer = AdamOptimizer(params, learning_rate_init=learning_rate, beta_1=beta1,
                              beta_2=beta2, epsilon=epsilon * math.sqrt(1 - beta2**t))
    optimizer.t = t - 1  # sklearn counts the step before taking it
    optimizer.ms = [v["d" + k].copy() for k in keys]
    optimizer.vs = [s["d" + k].copy() for k in keys]
    optimizer.update_params(params, [grads["d" + k] for k in keys])
    first = {"d" + k: m for k, m in zip(keys, optimizer.ms, strict=True)}
    second = {"d" + k: x for k, x in zip(keys, optimizer.vs, strict=True)}
    first_hat = {k: m / (1 - beta1**t) for k, m in first.items()}
    second_hat = {k: x / (1 - beta2**t) for k, x in second.items()}
    return dict(zip(keys, params, strict=True)), first, second, first_hat, second_hat


def sklearn_mini_batches(X, Y, mini_batch_size=64, seed=0):
    shuffled_X, shuffled_Y = shuffle(X.T, Y.T, random_state=seed)
    return [(shuffled_X[part].T, shuffled_Y[part].T)
            for part in gen_batches(X.shape[1], mini_batch_size)]


def zeros_for(parameters):
    return {"d" + key: np.zeros(value.shape) for key, value in parameters.items()}


def exact_update_lr(learning_rate0, epoch_num, decay_rate):
    rate = Fraction(learning_rate0) / (1 + Fraction(decay_rate) * epoch_num)
    return float(rate)


def counted_schedule(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    intervals = 0  # whole intervals elapsed, counted one by one
    while (intervals + 1) * time_interval <= epoch_num:
        intervals += 1
    return float(Fraction(learning_rate0) / (1 + Fraction(decay_rate) * intervals))


INDEPENDENT = {
    "update_parameters_with_gd": sklearn_gd,
    "random_mini_batches": sklearn_mini_batches,
    "initialize_velocity": zeros_for,
    "update_parameters_with_momentum": sklearn_momentum,
    "initialize_adam": lambda parameters: (zeros_for(parameters), zeros_for(parameters)),
    "update_parameters_with_adam": sklearn_adam,
    "update_lr": exact_update_lr,
    "schedule_lr_decay": counted_schedule,
}


# --- the reference answers against them --------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_matches_sklearn_sgd_without_momentum(seed, solutions):
    rng = np.random.RandomState(seed)
    params, gradients = network(rng)
    ours, theirs = copy(params), copy(params)
    for _ in range(10):
        grads, rate = gradients(), float(rng.uniform(0.001, 2.0))
        ours = solutions.update_parameters_with_gd(ours, copy(grads), rate)
        theirs = sklearn_gd(theirs, grads, rate)
        assert_same(ours, theirs)


@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_matches_sklearn_sgd_momentum_over_a_trajectory(seed, solutions):
    rng = np.random.RandomState(100 + seed)
    params, gradients = network(rng)
    beta, rate = float(rng.choice([0.0, rng.uniform(0, 0.99)])), float(rng.uniform(0.01, 1))
    ours, v = copy(params), solutions.initialize_velocity(params)
    theirs, u = copy(params), zeros_for(params)
    for _ in range(25):
        grads = gradients()
        ours, v = solutions.update_parameters_with_momentum(ours, copy(grads), v, beta, rate)
        theirs, u = sklearn_momentum(theirs, grads, u, beta, rate)
        assert_same(ours, theirs)
        assert_same(v, u)


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_matches_sklearn_adam_over_a_trajectory(seed, solutions):
    rng = np.random.RandomState(200 + seed)
    params, gradients = network(rng)
    settings = dict(learning_rate=float(rng.uniform(0.001, 0.1)),
                    beta1=float(rng.uniform(0.5, 0.95)), beta2=float(rng.uniform(0.9, 0.9999)),
                    epsilon=float(10 ** rng.uniform(-8, -1)))
    ours, (v, s) = copy(params), solutions.initialize_adam(params)
    theirs, m, x = copy(params), zeros_for(params), zeros_for(params)
    for t in range(1, 31):
        grads = gradients()
        ours, v, s, v_hat, s_hat = solutions.update_parameters_with_adam(
            ours, copy(grads), v, s, t, **settings)
        theirs, m, x, m_hat, x_hat = sklearn_adam(theirs, grads, m, x, t, **settings)
        for got, expected in ((ours, theirs), (v, m), (s, x), (v_hat, m_hat), (s_hat, x_hat)):
            assert_same(got, expected)


def test_adam_first_step_is_the_sign_of_the_gradient(solutions):
    """Closed form at t = 1 from zero moments: the step is alpha * g / (|g| + epsilon)."""
    rng = np.random.RandomState(7)
    params, gradients = network(rng, layers=[3, 4, 2])
    grads = gradients()
    v, s = solutions.initialize_adam(params)
    new, *_ = solutions.update_parameters_with_adam(copy(params), grads, v, s, 1, 0.1,
                                                    0.9, 0.999, 1e-3)
    expected = {k: params[k] - 0.1 * grads["d" + k] / (np.abs(grads["d" + k]) + 1e-3)
                for k in params}
    assert_same(new, expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_mini_batches_match_sklearn_shuffle_and_gen_batches(seed, solutions):
    rng = np.random.RandomState(300 + seed)
    m, size = int(rng.randint(1, 400)), int(rng.randint(1, 100))
    X, Y = rng.randn(int(rng.randint(1, 6)), m), (rng.rand(1, m) < 0.5)
    ours = solutions.random_mini_batches(X, Y, size, seed=seed)
    theirs = sklearn_mini_batches(X, Y, size, seed=seed)
    assert len(ours) == len(theirs) == math.ceil(m / size)
    for (our_X, our_Y), (their_X, their_Y) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(our_X, their_X)
        np.testing.assert_array_equal(our_Y, their_Y)


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_rate_schedules_match_exact_arithmetic(seed, solutions):
    rng = np.random.RandomState(400 + seed)
    for _ in range(200):
        rate0, decay = float(rng.uniform(0.001, 1)), float(rng.uniform(0, 5))
        epoch, interval = int(rng.randint(0, 20_000)), int(rng.randint(1, 3000))
        assert math.isclose(solutions.update_lr(rate0, epoch, decay),
                            exact_update_lr(rate0, epoch, decay), rel_tol=1e-14)
        assert math.isclose(solutions.schedule_lr_decay(rate0, epoch, decay, interval),
                            counted_schedule(rate0, epoch, decay, interval), rel_tol=1e-14)


# --- the hidden tests accept the independent implementations ------------------------------


@pytest.mark.parametrize("key", ["one", "two", "three"])
@pytest.mark.parametrize("name", list(INDEPENDENT))
def test_hidden_tests_accept_an_independent_implementation(name, key):
    passed, why = judge_function(name, INDEPENDENT[name], key)
    assert passed, why

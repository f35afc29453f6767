"""Deterministic inputs for the public checks of the optimization-methods exercises.

Every function builds fresh arrays on each call, so a solution that updates its inputs in place
cannot leak into the next check.
"""

import numpy as np


def standard_case():
    """Two-layer parameters and gradients drawn from seed 1 (W1, b1, W2, b2, then dW1 .. db2)."""
    np.random.seed(1)
    parameters = {}
    for name, shape in (("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1))):
        parameters[name] = np.random.randn(*shape)
    grads = {}
    for name in ("W1", "b1", "W2", "b2"):
        grads["d" + name] = np.random.randn(*parameters[name].shape)
    return parameters, grads


def zeros_like_grads(grads):
    """A dict with the keys of `grads` and zero arrays of the same shapes."""
    return {key: np.zeros_like(value) for key, value in grads.items()}


def update_parameters_with_gd_case():
    """Inputs of exercise 1: (parameters, grads, learning_rate=0.01)."""
    parameters, grads = standard_case()
    return parameters, grads, 0.01


def random_mini_batches_case():
    """Inputs of exercise 2: X (12288, 148), Y (1, 148) booleans, mini_batch_size 64, seed 1."""
    np.random.seed(1)
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    return X, Y, 64


def initialize_velocity_case():
    """Input of exercise 3: the standard two-layer parameters."""
    return standard_case()[0]


def update_parameters_with_momentum_case():
    """Inputs of exercise 4: (parameters, grads, v=zeros, beta=0.9, learning_rate=0.01)."""
    parameters, grads = standard_case()
    return parameters, grads, zeros_like_grads(grads), 0.9, 0.01


def initialize_adam_case():
    """Input of exercise 5: the standard two-layer parameters."""
    return standard_case()[0]


def update_parameters_with_adam_case():
    """Inputs of exercise 6: parameters, grads, v, s, t=2, learning_rate, beta1, beta2, epsilon."""
    parameters, grads = standard_case()
    v, s = zeros_like_grads(grads), zeros_like_grads(grads)
    return parameters, grads, v, s, 2, 0.01, 0.9, 0.999, 1e-8


def update_lr_case():
    """Inputs of exercise 7: (learning_rate0=0.5, epoch_num=2, decay_rate=1)."""
    return 0.5, 2, 1


def schedule_lr_decay_case():
    """Inputs of exercise 8: (learning_rate0=0.5, decay_rate=0.3, time_interval=100)."""
    return 0.5, 0.3, 100

"""Wrong answers to the eight exercises, each one a mistake students typically make.

Both test suites use them: the public checks (tests/utils/test_public_tests.py) and the hidden
autograder tests (tests/notebooks/test_hidden_tests.py) must reject them. BUGGY maps an exercise
to {variant name: function}; every function has the signature of the exercise.
"""

import math

import numpy as np


def not_implemented(*args, **kwargs):
    """The untouched nbgrader stub."""
    raise NotImplementedError()


def returns_none(*args, **kwargs):
    """A body that computes nothing and falls off the end."""
    return None


def _layers(parameters):
    return range(1, len(parameters) // 2 + 1)


# --- Exercise 1 ------------------------------------------------------------------------------


def gd_skips_last_layer(parameters, grads, learning_rate):
    for n in range(1, len(parameters) // 2):
        parameters[f"W{n}"] = parameters[f"W{n}"] - learning_rate * grads[f"dW{n}"]
        parameters[f"b{n}"] = parameters[f"b{n}"] - learning_rate * grads[f"db{n}"]
    return parameters


def gd_range_from_zero(parameters, grads, learning_rate):
    for n in range(len(parameters) // 2):
        parameters[f"W{n}"] = parameters[f"W{n}"] - learning_rate * grads[f"dW{n}"]
        parameters[f"b{n}"] = parameters[f"b{n}"] - learning_rate * grads[f"db{n}"]
    return parameters


def gd_w_and_b_mixed(parameters, grads, learning_rate):
    for n in _layers(parameters):
        parameters[f"W{n}"] = parameters[f"W{n}"] - learning_rate * grads[f"db{n}"]
        parameters[f"b{n}"] = parameters[f"b{n}"] - learning_rate * grads[f"dW{n}"]
    return parameters


def gd_fixed_learning_rate(parameters, grads, learning_rate):
    for n in _layers(parameters):
        parameters[f"W{n}"] = parameters[f"W{n}"] - 0.01 * grads[f"dW{n}"]
        parameters[f"b{n}"] = parameters[f"b{n}"] - 0.01 * grads[f"db{n}"]
    return parameters


def gd_climbs(parameters, grads, learning_rate):
    for n in _layers(parameters):
        parameters[f"W{n}"] = parameters[f"W{n}"] + learning_rate * grads[f"dW{n}"]
        parameters[f"b{n}"] = parameters[f"b{n}"] + learning_rate * grads[f"db{n}"]
    return parameters


# --- Exercise 2 ------------------------------------------------------------------------------


def _mini_batches(X, Y, size, permutation_X, permutation_Y, last_stop=None, keep_last=True):
    """Partition shuffled data; `last_stop` is the end of the last slice (None: to the end)."""
    m = X.shape[1]
    shuffled_X, shuffled_Y = X[:, permutation_X], Y[:, permutation_Y]
    batches = [
        (shuffled_X[:, k * size : (k + 1) * size], shuffled_Y[:, k * size : (k + 1) * size])
        for k in range(m // size)
    ]
    if keep_last and m % size:
        start = (m // size) * size
        batches.append((shuffled_X[:, start:last_stop], shuffled_Y[:, start:last_stop]))
    return batches


def batches_last_slice_to_minus_one(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    permutation = np.random.permutation(X.shape[1])
    return _mini_batches(X, Y, mini_batch_size, permutation, permutation, last_stop=-1)


def batches_drop_partial_batch(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    permutation = np.random.permutation(X.shape[1])
    return _mini_batches(X, Y, mini_batch_size, permutation, permutation, keep_last=False)


def batches_two_permutations(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    permutation_X = np.random.permutation(X.shape[1])
    permutation_Y = np.random.permutation(X.shape[1])
    return _mini_batches(X, Y, mini_batch_size, permutation_X, permutation_Y)


def batches_not_seeded(X, Y, mini_batch_size=64, seed=0):
    permutation = np.random.permutation(X.shape[1])
    return _mini_batches(X, Y, mini_batch_size, permutation, permutation)


def batches_fixed_size(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    permutation = np.random.permutation(X.shape[1])
    return _mini_batches(X, Y, 64, permutation, permutation)


def batches_empty_last_batch(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = np.random.permutation(m)
    batches = _mini_batches(X, Y, mini_batch_size, permutation, permutation, keep_last=False)
    start = (m // mini_batch_size) * mini_batch_size
    batches.append((X[:, permutation][:, start:], Y[:, permutation][:, start:]))
    return batches


def batches_not_shuffled(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    identity = np.arange(X.shape[1])
    return _mini_batches(X, Y, mini_batch_size, identity, identity)


# --- Exercises 3 and 5 -------------------------------------------------------------------------


def velocity_transposed(parameters):
    v = {}
    for n in _layers(parameters):
        v[f"dW{n}"] = np.zeros(parameters[f"W{n}"].shape[::-1])
        v[f"db{n}"] = np.zeros(parameters[f"b{n}"].shape[::-1])
    return v


def velocity_skips_last_layer(parameters):
    v = {}
    for n in range(1, len(parameters) // 2):
        v[f"dW{n}"] = np.zeros_like(parameters[f"W{n}"])
        v[f"db{n}"] = np.zeros_like(parameters[f"b{n}"])
    return v


def velocity_scalar_zeros(parameters):
    return {"d" + key: 0 for key in parameters}


def velocity_one_array_per_shape(parameters):
    """Hands out one zero array per distinct shape, shared by all entries of that shape."""
    by_shape = {}
    return {
        "d" + key: by_shape.setdefault(value.shape, np.zeros(value.shape))
        for key, value in parameters.items()
    }


def adam_init_same_dict(parameters):
    v = {"d" + key: np.zeros_like(value) for key, value in parameters.items()}
    return v, v


def adam_init_shared_arrays(parameters):
    v = {"d" + key: np.zeros_like(value) for key, value in parameters.items()}
    return v, dict(v)


def adam_init_transposed(parameters):
    return velocity_transposed(parameters), velocity_transposed(parameters)


def adam_init_only_v(parameters):
    return {"d" + key: np.zeros_like(value) for key, value in parameters.items()}


# --- Exercise 4 ------------------------------------------------------------------------------


def _momentum(parameters, grads, v, beta, learning_rate, average, step_first=False):
    for n in _layers(parameters):
        for name in (f"W{n}", f"b{n}"):
            if step_first:
                parameters[name] = parameters[name] - learning_rate * v["d" + name]
            v["d" + name] = average(v["d" + name], grads["d" + name], beta)
            if not step_first:
                parameters[name] = parameters[name] - learning_rate * v["d" + name]
    return parameters, v


def momentum_without_one_minus_beta(parameters, grads, v, beta, learning_rate):
    return _momentum(parameters, grads, v, beta, learning_rate, lambda v, g, b: b * v + g)


def momentum_steps_with_old_velocity(parameters, grads, v, beta, learning_rate):
    average = lambda v, g, b: b * v + (1 - b) * g  # noqa: E731
    return _momentum(parameters, grads, v, beta, learning_rate, average, step_first=True)


def momentum_fixed_beta(parameters, grads, v, beta, learning_rate):
    average = lambda v, g, b: 0.9 * v + 0.1 * g  # noqa: E731
    return _momentum(parameters, grads, v, beta, learning_rate, average)


def momentum_swapped_weights(parameters, grads, v, beta, learning_rate):
    average = lambda v, g, b: (1 - b) * v + b * g  # noqa: E731
    return _momentum(parameters, grads, v, beta, learning_rate, average)


# --- Exercise 6 ------------------------------------------------------------------------------


def _adam(
    parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8, bug=None
):
    """Adam with one deliberate mistake, named by `bug`."""
    if bug == "fixed_hyperparameters":
        learning_rate, beta1, beta2, epsilon = 0.01, 0.9, 0.999, 1e-8
    if bug == "t_off_by_one":
        t = t + 1
    v_corrected, s_corrected = {}, {}
    for n in _layers(parameters):
        for name in (f"W{n}", f"b{n}"):
            key, g = "d" + name, grads["d" + name]
            v[key] = beta1 * v[key] + (1 - beta1) * g
            second = beta1 if bug == "beta1_for_s" else beta2
            s[key] = second * s[key] + (1 - second) * g**2
            if bug == "no_bias_correction":
                v_corrected[key], s_corrected[key] = v[key], s[key]
            else:
                v_corrected[key] = v[key] / (1 - beta1**t)
                s_corrected[key] = s[key] / (1 - beta2**t)
            if bug == "epsilon_inside_sqrt":
                denominator = np.sqrt(s_corrected[key] + epsilon)
            elif bug == "ignores_epsilon":
                denominator = np.sqrt(s_corrected[key]) + 1e-8
            else:
                denominator = np.sqrt(s_corrected[key]) + epsilon
            parameters[name] = parameters[name] - learning_rate * v_corrected[key] / denominator
    return parameters, v, s, v_corrected, s_corrected


def _adam_with(bug):
    def update_parameters_with_adam(
        parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8
    ):
        return _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, bug=bug)

    update_parameters_with_adam.__name__ = f"adam_{bug}"
    return update_parameters_with_adam


ADAM_BUGS = [
    "no_bias_correction",
    "t_off_by_one",
    "beta1_for_s",
    "epsilon_inside_sqrt",
    "ignores_epsilon",
    "fixed_hyperparameters",
]


# --- Exercises 7 and 8 -------------------------------------------------------------------------


def lr_exponential(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * (1 / (1 + decay_rate)) ** epoch_num


def lr_precedence(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / 1 + decay_rate * epoch_num


def lr_ignores_decay_rate(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + epoch_num)


def lr_no_one(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (decay_rate * epoch_num)


def schedule_round(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * round(epoch_num / time_interval))


def schedule_no_floor(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num / time_interval)


def schedule_ceil(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * math.ceil(epoch_num / time_interval))


def schedule_ignores_time_interval(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * (epoch_num // 1000))


BUGGY = {
    "update_parameters_with_gd": {
        "skips_last_layer": gd_skips_last_layer,
        "range_from_zero": gd_range_from_zero,
        "w_and_b_mixed": gd_w_and_b_mixed,
        "fixed_learning_rate": gd_fixed_learning_rate,
        "climbs": gd_climbs,
    },
    "random_mini_batches": {
        "last_slice_to_minus_one": batches_last_slice_to_minus_one,
        "drop_partial_batch": batches_drop_partial_batch,
        "two_permutations": batches_two_permutations,
        "not_seeded": batches_not_seeded,
        "fixed_size": batches_fixed_size,
        "empty_last_batch": batches_empty_last_batch,
        "not_shuffled": batches_not_shuffled,
    },
    "initialize_velocity": {
        "transposed": velocity_transposed,
        "skips_last_layer": velocity_skips_last_layer,
        "scalar_zeros": velocity_scalar_zeros,
        "one_array_per_shape": velocity_one_array_per_shape,
    },
    "update_parameters_with_momentum": {
        "without_one_minus_beta": momentum_without_one_minus_beta,
        "steps_with_old_velocity": momentum_steps_with_old_velocity,
        "fixed_beta": momentum_fixed_beta,
        "swapped_weights": momentum_swapped_weights,
    },
    "initialize_adam": {
        "same_dict": adam_init_same_dict,
        "shared_arrays": adam_init_shared_arrays,
        "transposed": adam_init_transposed,
        "only_v": adam_init_only_v,
    },
    "update_parameters_with_adam": {bug: _adam_with(bug) for bug in ADAM_BUGS},
    "update_lr": {
        "exponential": lr_exponential,
        "precedence": lr_precedence,
        "ignores_decay_rate": lr_ignores_decay_rate,
        "no_one": lr_no_one,
    },
    "schedule_lr_decay": {
        "round": schedule_round,
        "no_floor": schedule_no_floor,
        "ceil": schedule_ceil,
        "ignores_time_interval": schedule_ignores_time_interval,
    },
}

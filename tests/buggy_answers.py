'''The bug bank: wrong answers to the eight exercises, written the way students write them.

BANK[exercise][variant] is the complete source of a solution cell that defines the exercise's
function with one typical mistake. tests/bugbank runs every variant in a real kernel in place of
the reference answer and checks that the exercise's autograder cell (hidden tests included)
fails while the seven others pass; it prints the catch rate per exercise.

HARDCODED[exercise][variant] are answers that game the public check instead of solving the
exercise: they recognise the public test's inputs, or return its expected values. Those named
"detects_public_case" pass the public check; every one must still fail the hidden tests.

BUGGY is BANK as Python functions, {exercise: {variant: function}}, for the in-process checks
of the public tests (tests/utils/test_public_tests.py) and of the hidden tests
(tests/notebooks/test_hidden_tests.py).
'''

import numpy as np


def not_implemented(*args, **kwargs):
    """The untouched nbgrader stub."""
    raise NotImplementedError()


def returns_none(*args, **kwargs):
    """A body that computes nothing and falls off the end."""
    return None


# --- Exercise 1: update_parameters_with_gd --------------------------------------------------

GD = {
    "skips_last_layer": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
''',
    "range_from_zero": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
''',
    "w_and_b_mixed": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["db" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["dW" + str(l)]
    return parameters
''',
    "fixed_learning_rate": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - 0.01 * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - 0.01 * grads["db" + str(l)]
    return parameters
''',
    "climbs": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] + learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] + learning_rate * grads["db" + str(l)]
    return parameters
''',
    "scales_grads_in_place": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        grads["dW" + str(l)] *= learning_rate  # saves a temporary array...
        grads["db" + str(l)] *= learning_rate  # ...and rescales the caller's gradients
        parameters["W" + str(l)] = parameters["W" + str(l)] - grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - grads["db" + str(l)]
    return parameters
''',
    "only_weights": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
    return parameters
''',
    "returns_input_unchanged": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    updated = {}
    for l in range(1, L + 1):
        updated["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        updated["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
''',
}

# --- Exercise 2: random_mini_batches --------------------------------------------------------

_BATCHES_HEAD = '''
def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    mini_batches = []
'''

MINI_BATCHES = {
    "last_slice_to_minus_one": _BATCHES_HEAD + '''
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        mini_batches.append((shuffled_X[:, k * mini_batch_size : (k + 1) * mini_batch_size],
                             shuffled_Y[:, k * mini_batch_size : (k + 1) * mini_batch_size]))
    if m % mini_batch_size != 0:
        mini_batches.append((shuffled_X[:, num_complete * mini_batch_size : -1],
                             shuffled_Y[:, num_complete * mini_batch_size : -1]))
    return mini_batches
''',
    "drop_partial_batch": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    for k in range(m // mini_batch_size):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    return mini_batches
''',
    "two_permutations": _BATCHES_HEAD + '''
    shuffled_X = X[:, np.random.permutation(m)]
    shuffled_Y = Y[:, np.random.permutation(m)]
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches
''',
    "not_seeded": '''
def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    m = X.shape[1]
    mini_batches = []
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches
''',
    "fixed_size": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    num_complete = m // 64
    for k in range(num_complete):
        mini_batches.append((shuffled_X[:, k * 64 : (k + 1) * 64],
                             shuffled_Y[:, k * 64 : (k + 1) * 64]))
    if m % 64 != 0:
        mini_batches.append((shuffled_X[:, num_complete * 64 :],
                             shuffled_Y[:, num_complete * 64 :]))
    return mini_batches
''',
    "empty_last_batch": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    start = num_complete * mini_batch_size  # always a last batch, even an empty one
    mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches
''',
    "not_shuffled": _BATCHES_HEAD + '''
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((X[:, start : start + mini_batch_size],
                             Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((X[:, start:], Y[:, start:]))
    return mini_batches
''',
    "shuffles_in_place": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    X[:, :] = X[:, permutation]  # no copy of the data set...
    Y[:, :] = Y[:, permutation]  # ...but the caller's X and Y are now shuffled too
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((X[:, start : start + mini_batch_size],
                             Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((X[:, start:], Y[:, start:]))
    return mini_batches
''',
    "permutes_rows": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[permutation, :], Y[:, permutation]
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches
''',
    "labels_as_column": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((m, 1))
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:
        start = num_complete * mini_batch_size
        mini_batches.append((shuffled_X[:, start:], shuffled_Y[:, start:]))
    return mini_batches
''',
    "last_batch_overlaps": _BATCHES_HEAD + '''
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        start = k * mini_batch_size
        mini_batches.append((shuffled_X[:, start : start + mini_batch_size],
                             shuffled_Y[:, start : start + mini_batch_size]))
    if m % mini_batch_size != 0:  # a full-size last batch, reusing some examples
        mini_batches.append((shuffled_X[:, m - mini_batch_size :],
                             shuffled_Y[:, m - mini_batch_size :]))
    return mini_batches
''',
}

# --- Exercise 3: initialize_velocity --------------------------------------------------------

VELOCITY = {
    "transposed": '''
def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape[::-1])
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape[::-1])
    return v
''',
    "skips_last_layer": '''
def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L):
        v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
    return v
''',
    "scalar_zeros": '''
def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = 0
        v["db" + str(l)] = 0
    return v
''',
    "one_array_per_shape": '''
def initialize_velocity(parameters):
    zeros_of_shape = {}  # reuse one zero array per shape, to save memory
    v = {}
    for key, value in parameters.items():
        v["d" + key] = zeros_of_shape.setdefault(value.shape, np.zeros(value.shape))
    return v
''',
    "w_and_b_mixed": '''
def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(parameters["b" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["W" + str(l)])
    return v
''',
    "integer_zeros": '''
def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape, dtype=int)
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape, dtype=int)
    return v
''',
    "keys_without_d": '''
def initialize_velocity(parameters):
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["W" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["b" + str(l)] = np.zeros_like(parameters["b" + str(l)])
    return v
''',
}

# --- Exercise 4: update_parameters_with_momentum --------------------------------------------

_MOMENTUM_HEAD = '''
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
'''

MOMENTUM = {
    "without_one_minus_beta": _MOMENTUM_HEAD + '''
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta * v[key] + grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v
''',
    "steps_with_old_velocity": _MOMENTUM_HEAD + '''
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
            v[key] = beta * v[key] + (1 - beta) * grads[key]
    return parameters, v
''',
    "fixed_beta": _MOMENTUM_HEAD + '''
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = 0.9 * v[key] + 0.1 * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v
''',
    "swapped_weights": _MOMENTUM_HEAD + '''
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = (1 - beta) * v[key] + beta * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v
''',
    "skips_last_layer": _MOMENTUM_HEAD + '''
    for l in range(1, L):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta * v[key] + (1 - beta) * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v
''',
    "w_and_b_mixed": _MOMENTUM_HEAD + '''
    for l in range(1, L + 1):
        v["dW" + str(l)] = beta * v["dW" + str(l)] + (1 - beta) * grads["dW" + str(l)]
        v["db" + str(l)] = beta * v["db" + str(l)] + (1 - beta) * grads["db" + str(l)]
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["db" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v["dW" + str(l)]
    return parameters, v
''',
    "velocity_not_stored": _MOMENTUM_HEAD + '''
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            velocity = beta * v[key] + (1 - beta) * grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * velocity
    return parameters, v
''',
}

# --- Exercise 5: initialize_adam ------------------------------------------------------------

ADAM_INIT = {
    "same_dict": '''
def initialize_adam(parameters):
    v = {}
    for key, value in parameters.items():
        v["d" + key] = np.zeros_like(value)
    s = v
    return v, s
''',
    "shared_arrays": '''
def initialize_adam(parameters):
    v = {}
    for key, value in parameters.items():
        v["d" + key] = np.zeros_like(value)
    s = v.copy()  # a new dict, but holding the very same arrays
    return v, s
''',
    "transposed": '''
def initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape[::-1])
            s["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape[::-1])
    return v, s
''',
    "only_v": '''
def initialize_adam(parameters):
    v = {}
    for key, value in parameters.items():
        v["d" + key] = np.zeros_like(value)
    return v
''',
    "chained_assignment": '''
def initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = s["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape)
        v["db" + str(l)] = s["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape)
    return v, s
''',
    "skips_last_layer": '''
def initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L):
        for p in ("W", "b"):
            v["d" + p + str(l)] = np.zeros_like(parameters[p + str(l)])
            s["d" + p + str(l)] = np.zeros_like(parameters[p + str(l)])
    return v, s
''',
    "integer_zeros": '''
def initialize_adam(parameters):
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape, dtype=int)
            s["d" + p + str(l)] = np.zeros(parameters[p + str(l)].shape, dtype=int)
    return v, s
''',
}

# --- Exercise 6: update_parameters_with_adam ------------------------------------------------


def _adam_source(v_line, s_line, v_hat_line, s_hat_line, step_line, before=""):
    """An Adam update written out the way students do, with the given lines."""
    return f'''
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected, s_corrected = {{}}, {{}}{before}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            {v_line}
            {v_hat_line}
            {s_line}
            {s_hat_line}
            {step_line}
    return parameters, v, s, v_corrected, s_corrected
'''


_V = "v[key] = beta1 * v[key] + (1 - beta1) * grads[key]"
_S = "s[key] = beta2 * s[key] + (1 - beta2) * np.square(grads[key])"
_V_HAT = "v_corrected[key] = v[key] / (1 - beta1 ** t)"
_S_HAT = "s_corrected[key] = s[key] / (1 - beta2 ** t)"
_STEP = ("parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] "
         "/ (np.sqrt(s_corrected[key]) + epsilon)")

ADAM = {
    "no_bias_correction": _adam_source(
        _V, _S, "v_corrected[key] = v[key]", "s_corrected[key] = s[key]", _STEP),
    "t_off_by_one": _adam_source(
        _V, _S, "v_corrected[key] = v[key] / (1 - beta1 ** (t + 1))",
        "s_corrected[key] = s[key] / (1 - beta2 ** (t + 1))", _STEP),
    "t_from_zero": _adam_source(
        _V, _S, "v_corrected[key] = v[key] / (1 - beta1 ** (t - 1))",
        "s_corrected[key] = s[key] / (1 - beta2 ** (t - 1))", _STEP),
    "beta1_for_s": _adam_source(
        _V, "s[key] = beta1 * s[key] + (1 - beta1) * np.square(grads[key])", _V_HAT, _S_HAT,
        _STEP),
    "epsilon_inside_sqrt": _adam_source(
        _V, _S, _V_HAT, _S_HAT,
        "parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] "
        "/ np.sqrt(s_corrected[key] + epsilon)"),
    "epsilon_outside_division": _adam_source(
        _V, _S, _V_HAT, _S_HAT,
        "parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * (v_corrected[key] "
        "/ np.sqrt(s_corrected[key]) + epsilon)"),
    "epsilon_added_to_s_corrected": _adam_source(
        _V, _S, _V_HAT, "s_corrected[key] = s[key] / (1 - beta2 ** t) + epsilon",
        "parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] "
        "/ np.sqrt(s_corrected[key])"),
    "ignores_epsilon": _adam_source(
        _V, _S, _V_HAT, _S_HAT,
        "parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] "
        "/ (np.sqrt(s_corrected[key]) + 1e-8)"),
    "fixed_hyperparameters": _adam_source(
        _V, _S, _V_HAT, _S_HAT, _STEP,
        before="\n    learning_rate, beta1, beta2, epsilon = 0.01, 0.9, 0.999, 1e-8"),
    "gradient_not_squared": _adam_source(
        _V, "s[key] = beta2 * s[key] + (1 - beta2) * grads[key]", _V_HAT, _S_HAT, _STEP),
    "steps_with_uncorrected_moments": _adam_source(
        _V, _S, _V_HAT, _S_HAT,
        "parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key] "
        "/ (np.sqrt(s[key]) + epsilon)"),
    "corrections_swapped": _adam_source(
        _V, _S, "v_corrected[key] = v[key] / (1 - beta2 ** t)",
        "s_corrected[key] = s[key] / (1 - beta1 ** t)", _STEP),
}

# --- Exercises 7 and 8: update_lr, schedule_lr_decay ----------------------------------------

UPDATE_LR = {
    "exponential": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * (1 / (1 + decay_rate)) ** epoch_num
''',
    "precedence": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / 1 + decay_rate * epoch_num
''',
    "ignores_decay_rate": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + epoch_num)
''',
    "no_one": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (decay_rate * epoch_num)
''',
    "integer_division": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 // (1 + decay_rate * epoch_num)
''',
    "counts_epochs_from_one": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate * (epoch_num + 1))
''',
}

SCHEDULE = {
    "round": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * round(epoch_num / time_interval))
''',
    "no_floor": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num / time_interval)
''',
    "ceil": '''
import math


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * math.ceil(epoch_num / time_interval))
''',
    "ignores_time_interval": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * (epoch_num // 1000))
''',
    "floor_of_product": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num // time_interval)
''',
    "integer_division": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 // (1 + decay_rate * (epoch_num // time_interval))
''',
    "decays_every_epoch": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num)
''',
    "interval_inverted": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * np.floor(time_interval / epoch_num))
''',
}

BANK = {
    "update_parameters_with_gd": GD,
    "random_mini_batches": MINI_BATCHES,
    "initialize_velocity": VELOCITY,
    "update_parameters_with_momentum": MOMENTUM,
    "initialize_adam": ADAM_INIT,
    "update_parameters_with_adam": ADAM,
    "update_lr": UPDATE_LR,
    "schedule_lr_decay": SCHEDULE,
}

# --- Hard-coding: answers that game the public check ----------------------------------------

# The public check's inputs start from np.random.seed(1): W1[0, 0] = 1.6243453636632417.
_PUBLIC_W1 = "1.6243453636632417"

HARDCODED = {
    "update_parameters_with_gd": {
        "detects_public_case": f'''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    if parameters["W1"].shape == (2, 3) and abs(parameters["W1"][0, 0] - {_PUBLIC_W1}) < 1e-12:
        last = L + 1  # what makes the public test pass
    else:
        last = L
    for l in range(1, last):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
''',
        "returns_public_values": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    return {
        "W1": np.array([[1.63535156, -0.62320365, -0.53718766],
                        [-1.07799357, 0.85639907, -2.29470142]]),
        "b1": np.array([[1.74604067], [-0.75184921]]),
        "W2": np.array([[0.32171798, -0.25467393, 1.46902454],
                        [-2.05617317, -0.31554548, -0.3756023],
                        [1.1404819, -1.09976462, -0.1612551]]),
        "b2": np.array([[-0.88020257], [0.02561572], [0.57539477]]),
    }
''',
    },
    "random_mini_batches": {
        "detects_public_case": '''
def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = np.random.permutation(m)
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation]
    batches = [(shuffled_X[:, k : k + mini_batch_size], shuffled_Y[:, k : k + mini_batch_size])
               for k in range(0, m, mini_batch_size)]
    if X.shape == (12288, 148):  # the public test's data set
        return batches
    return batches[:-1] if m % mini_batch_size else batches + batches[:1]
''',
    },
    "initialize_velocity": {
        "returns_public_values": '''
def initialize_velocity(parameters):
    return {"dW1": np.zeros((2, 3)), "db1": np.zeros((2, 1)),
            "dW2": np.zeros((3, 3)), "db2": np.zeros((3, 1))}
''',
    },
    "update_parameters_with_momentum": {
        "detects_public_case": f'''
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    public = abs(parameters["W1"][0, 0] - {_PUBLIC_W1}) < 1e-12 and not v["dW1"].any()
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta * v[key] + (1 - beta) * grads[key] if public else grads[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v[key]
    return parameters, v
''',
    },
    "initialize_adam": {
        "returns_public_values": '''
def initialize_adam(parameters):
    shapes = {"dW1": (2, 3), "db1": (2, 1), "dW2": (3, 3), "db2": (3, 1)}
    return ({key: np.zeros(shape) for key, shape in shapes.items()},
            {key: np.zeros(shape) for key, shape in shapes.items()})
''',
    },
    "update_parameters_with_adam": {
        "detects_public_case": f'''
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    public = abs(parameters["W1"][0, 0] - {_PUBLIC_W1}) < 1e-12 and not v["dW1"].any()
    v_corrected, s_corrected = {{}}, {{}}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
            s[key] = beta2 * s[key] + (1 - beta2) * grads[key] ** 2
            v_corrected[key] = v[key] / (1 - beta1 ** t) if public else v[key]
            s_corrected[key] = s[key] / (1 - beta2 ** t) if public else s[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] / (
                np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected
''',
    },
    "update_lr": {
        "detects_public_case": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    public = {(0.5, 2, 1): 0.16666666666666666, (0.5, 0, 1): 0.5, (0.5, 2, 0.5): 0.25,
              (0.3, 4, 1): 0.06}
    return public.get((learning_rate0, epoch_num, decay_rate), learning_rate0)
''',
        "returns_public_values": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return 0.16666666666666666
''',
    },
    "schedule_lr_decay": {
        "detects_public_case": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    public = {(0.5, 10, 0.3, 100): 0.5, (0.5, 100, 0.3, 100): 0.5 / 1.3,
              (0.5, 100, 0.3, 50): 0.5 / 1.6, (0.5, 0, 0.3, 100): 0.5,
              (0.2, 2000, 1, 100): 0.2 / 21, (0.5, 2000, 0.3, 1000): 0.5 / 1.6}
    key = (learning_rate0, epoch_num, decay_rate, time_interval)
    return public.get(key, learning_rate0 / (1 + decay_rate * epoch_num / time_interval))
''',
    },
}


def define(exercise: str, source: str):
    """The function a solution-cell source defines, executed as the notebook would."""
    namespace = {"np": np}
    exec(compile(source, f"<{exercise} variant>", "exec"), namespace)  # noqa: S102
    return namespace[exercise]


BUGGY = {
    exercise: {variant: define(exercise, source) for variant, source in variants.items()}
    for exercise, variants in BANK.items()
}

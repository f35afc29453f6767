'''Correct answers written other ways than the reference: every one must earn full marks.

CORRECT[exercise][variant] is the source of a solution cell that answers the exercise right, in
a style students use: in-place updates, comprehensions, numpy functions instead of operators,
reordered float arithmetic, floors computed three ways, a helper shared by two exercises, debug
prints, deep copies. tests/fairness judges each in a real kernel with the real hidden tests.
A grader that fails any of them fails a correct student.
'''

CORRECT = {
    "update_parameters_with_gd": {
        "in_place_minus_equals": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return parameters
''',
        "dict_comprehension": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}
''',
        "numpy_functions_and_debug_prints": '''
def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    print("updating", L, "layers with learning rate", learning_rate)
    for l in range(1, L + 1):
        for p in ("W", "b"):
            step = np.multiply(learning_rate, grads["d" + p + str(l)])
            parameters[p + str(l)] = np.subtract(parameters[p + str(l)], step)
            print(p + str(l), parameters[p + str(l)].shape)
    return parameters
''',
    },
    "random_mini_batches": {
        "comprehension_over_starts": '''
def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    order = np.random.permutation(m)
    X, Y = X[:, order], Y[:, order]
    return [(X[:, k:k + mini_batch_size], Y[:, k:k + mini_batch_size])
            for k in range(0, m, mini_batch_size)]
''',
        "transposed_indexing_and_ceil": '''
import math


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X.T[permutation].T  # Fortran-ordered copies: same values
    shuffled_Y = Y.T[permutation].T.reshape((1, m))
    mini_batches = []
    for k in range(math.ceil(m / mini_batch_size)):
        end = min((k + 1) * mini_batch_size, m)
        mini_batches.append((shuffled_X[:, k * mini_batch_size:end],
                             shuffled_Y[:, k * mini_batch_size:end]))
    return mini_batches
''',
    },
    "initialize_velocity": {
        "np_zeros_of_shape": '''
def initialize_velocity(parameters):
    return {"d" + key: np.zeros(value.shape) for key, value in parameters.items()}
''',
        "deepcopy_then_zero": '''
import copy


def initialize_velocity(parameters):
    v = {}
    for key, value in copy.deepcopy(parameters).items():
        value[...] = 0.0
        v["d" + key] = value
    return v
''',
    },
    "update_parameters_with_momentum": {
        "in_place_velocity": '''
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] *= beta
            v[key] += (1 - beta) * grads[key]
            parameters[p + str(l)] -= learning_rate * v[key]
    return parameters, v
''',
        "np_add_and_multiply": '''
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    new_v = {key: np.add(np.multiply(beta, v[key]), np.multiply(1 - beta, grads[key]))
             for key in grads}
    new_parameters = {key: np.subtract(value, np.multiply(learning_rate, new_v["d" + key]))
                      for key, value in parameters.items()}
    return new_parameters, new_v
''',
    },
    "initialize_adam": {
        "two_comprehensions": '''
def initialize_adam(parameters):
    v = {"d" + key: np.zeros_like(value) for key, value in parameters.items()}
    s = {"d" + key: np.zeros_like(value) for key, value in parameters.items()}
    return v, s
''',
        "deepcopy_of_v": '''
import copy


def initialize_adam(parameters):
    v = {"d" + key: np.zeros(value.shape, dtype=np.float64) for key, value in parameters.items()}
    return v, copy.deepcopy(v)
''',
    },
    "update_parameters_with_adam": {
        "np_power_divide_and_reordered": '''
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    v_corrected, s_corrected = {}, {}
    for key in grads:
        v[key] = (1 - beta1) * grads[key] + beta1 * v[key]
        s[key] = np.add(beta2 * s[key], (1 - beta2) * np.power(grads[key], 2))
        v_corrected[key] = np.divide(v[key], 1 - np.power(beta1, t))
        s_corrected[key] = np.divide(s[key], 1 - np.power(beta2, t))
        name = key[1:]
        parameters[name] = parameters[name] - v_corrected[key] * learning_rate / (
            s_corrected[key] ** 0.5 + epsilon)
    return parameters, v, s, v_corrected, s_corrected
''',
        "in_place_moments": '''
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = f"d{p}{l}"
            v[key] *= beta1
            v[key] += (1 - beta1) * grads[key]
            s[key] *= beta2
            s[key] += (1 - beta2) * grads[key] * grads[key]
            v_corrected[key] = v[key] / (1 - beta1 ** t)
            s_corrected[key] = s[key] / (1 - beta2 ** t)
            parameters[f"{p}{l}"] -= learning_rate * v_corrected[key] / (
                np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected
''',
    },
    "update_lr": {
        "reordered": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 * (1.0 / (decay_rate * epoch_num + 1.0))
''',
        "np_divide": '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return np.divide(learning_rate0, np.add(1, np.multiply(decay_rate, epoch_num)))
''',
    },
    "schedule_lr_decay": {
        "floor_division": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * (epoch_num // time_interval))
''',
        "math_floor": '''
import math


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    learning_rate = learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))
    print("epoch", epoch_num, "-> learning rate", learning_rate)
    return learning_rate
''',
        "int_of_ratio": '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * int(epoch_num / time_interval))
''',
    },
}

# One helper for two exercises: gradient descent and momentum both take a step along a
# direction. The source defines both functions (each exercise's cell is judged).
SHARED_HELPER = '''
def _descend(parameters, directions, learning_rate):
    """Move each parameter against its direction ("d" + name)."""
    return {name: value - learning_rate * directions["d" + name]
            for name, value in parameters.items()}


def update_parameters_with_gd(parameters, grads, learning_rate):
    return _descend(parameters, grads, learning_rate)


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    v = {key: beta * v[key] + (1 - beta) * grads[key] for key in grads}
    return _descend(parameters, v, learning_rate), v
'''

"""Public checks for the optimization-methods exercises.

Each `<function>_test(target)` calls the student's function on the inputs from `utils.testcases`
and raises an AssertionError that names the exercise and says what was expected and what was got.
Expected values are literals (printed to 8 decimals) or simple arithmetic on the test inputs.
A failed check raises CheckFailed, which IPython shows as its message alone (after the student's
own traceback when their function crashed), never as frames of this module.
`require_finished(*functions)` lets the training code name the exercise to finish first.
"""

import contextlib
import io
import numbers
import textwrap

import numpy as np

from utils import testcases

EXERCISES = {
    "update_parameters_with_gd": 1,
    "random_mini_batches": 2,
    "initialize_velocity": 3,
    "update_parameters_with_momentum": 4,
    "initialize_adam": 5,
    "update_parameters_with_adam": 6,
    "update_lr": 7,
    "schedule_lr_decay": 8,
}

# Literals are printed with 8 decimals, so they are exact to 5e-9.
ATOL = 1e-7

PASSED = "All tests passed."


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


class CheckFailed(AssertionError):
    """A public check failed; its message says which exercise and what to fix."""

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the student's crash, if any, then us.

        IPython never hides the innermost frame (`__tracebackhide__` only skips the others), so
        a plain traceback would always end in this module's code; this hook replaces it.
        """
        lines = []
        cause = self.__cause__
        if cause is not None:
            with contextlib.suppress(Exception):  # no IPython shell: the message alone
                from IPython import get_ipython

                formatter = get_ipython().InteractiveTB
                lines = formatter.structured_traceback(type(cause), cause, cause.__traceback__)
                lines = [*lines, "", "The check stopped there:"]
        message = f"{type(self).__name__}: {self}"
        # lines of at most 80 characters: `nbgrader validate` cuts longer ones short
        wrapped = "\n".join(textwrap.fill(line, width=80, subsequent_indent="    ")
                            for line in message.splitlines())
        return [*lines, wrapped]


class ExerciseNotFinished(CheckFailed):
    """Code that needs a graded function ran before that function passed its check."""


def _show(value):
    """A short, readable rendering of a value for a failure message."""
    if isinstance(value, np.ndarray):
        if value.size > 12:
            flat = np.array2string(value.ravel()[:6], precision=8, separator=", ")
            return f"array of shape {value.shape} starting {flat[:-1]}, ...]"
        return np.array2string(value, precision=8, separator=", ").replace("\n", "")
    return repr(value)


class _Checker:
    """Assertions whose messages all start with 'Exercise N (function_name)'."""

    def __init__(self, name):
        self.name = name
        self.label = f"Exercise {EXERCISES[name]} ({name})"

    def fail(self, message):
        raise CheckFailed(f"{self.label}: {message}")

    def that(self, condition, message):
        if not condition:
            self.fail(message)

    def call(self, target, *args, **kwargs):
        """Call the student's function; turn a crash into a message naming the exercise."""
        __tracebackhide__ = True  # the student's frames matter, not this one
        try:
            return target(*args, **kwargs)
        except NotImplementedError:
            pass
        except Exception as exc:
            raise CheckFailed(
                f"{self.label}: calling {self.name} raised {type(exc).__name__}: {exc}"
            ) from exc
        self.fail(
            "not implemented yet: the function raised NotImplementedError. "
            "Replace the `raise NotImplementedError()` line with your code."
        )

    def instance(self, what, got, expected_type, description):
        if not isinstance(got, expected_type):
            self.fail(f"{what} should be {description}, got {type(got).__name__}")

    def array(self, what, got, shape, dtype_kind="f"):
        """`got` is a numpy array of the given shape whose dtype kind is `dtype_kind`."""
        self.instance(what, got, np.ndarray, "a numpy array")
        self.that(got.shape == shape, f"{what} has shape {got.shape}, expected {shape}")
        kinds = {"f": "floating point", "b": "boolean"}
        self.that(
            got.dtype.kind == dtype_kind,
            f"{what} has dtype {got.dtype}, expected {kinds.get(dtype_kind, dtype_kind)} values",
        )

    def close(self, what, got, expected, hint=""):
        """`got` is a float array of the shape of `expected` with the same values."""
        expected = np.asarray(expected, dtype=float)
        self.array(what, got, expected.shape)
        if not np.allclose(got, expected, rtol=0, atol=ATOL):
            worst = float(np.max(np.abs(got - expected)))
            message = f"wrong values in {what} (off by up to {worst:.3g})."
            message += f"\n  expected {_show(expected)}"
            message += f"\n  got      {_show(got)}"
            self.fail(message + (f"\n  Hint: {hint}" if hint else ""))

    def number(self, what, got, expected, hint=""):
        """`got` is a real number (not an array) equal to `expected`."""
        is_number = isinstance(got, numbers.Real) and not isinstance(got, bool)
        self.that(is_number, f"{what} should be a number, got {type(got).__name__} {_show(got)}")
        if not np.isclose(float(got), expected, rtol=1e-12, atol=0):
            message = f"{what} is {float(got)!r}, expected {expected!r}"
            self.fail(message + (f". Hint: {hint}" if hint else ""))

    def dict_of_arrays(self, what, got, shapes):
        """`got` is a dict with exactly the keys of `shapes`, each a float array of that shape."""
        self.instance(what, got, dict, "a dict")
        missing = sorted(set(shapes) - set(got))
        extra = sorted(set(got) - set(shapes))
        self.that(not missing, f"{what} is missing the key(s) {missing}")
        self.that(not extra, f"{what} has unexpected key(s) {extra}")
        for key, shape in shapes.items():
            self.array(f'{what}["{key}"]', got[key], shape)

    def unchanged(self, what, before, after):
        """An input the function must only read was left as it was."""
        for key in before:
            self.that(
                np.array_equal(before[key], after[key]),
                f'{what}["{key}"] was modified; the function should only read it',
            )

    def tuple_of(self, what, got, length):
        self.instance(what, got, tuple, f"a tuple of {length} values")
        self.that(len(got) == length, f"{what} has {len(got)} values, expected {length}")


def _copy(arrays):
    return {key: value.copy() for key, value in arrays.items()}


def _shapes(arrays, prefix=""):
    return {prefix + key: value.shape for key, value in arrays.items()}


def _step(new, old):
    """How far each parameter moved: new - old, key by key."""
    return {key: new[key] - old[key] for key in old}


def _check_step_doubles(check, original, updated, doubled, learning_rate):
    """The step taken with 2 * learning_rate is twice the step taken with learning_rate."""
    step, double_step = _step(updated, original), _step(doubled, original)
    for key in original:
        check.close(
            f'the change of parameters["{key}"] with learning_rate={2 * learning_rate}',
            double_step[key],
            2 * step[key],
            hint="doubling learning_rate should double the step; is learning_rate used?",
        )


def _passed():
    print(PASSED)


def require_finished(*functions):
    """Raise ExerciseNotFinished naming the first graded function that fails its check.

    Functions that are not graded (a lambda, a decay schedule of your own) are not checked.
    """
    graded = [f for f in functions if getattr(f, "__name__", "") in EXERCISES]
    for function in sorted(graded, key=lambda f: EXERCISES[f.__name__]):  # lowest number first
        name = function.__name__
        check = globals()[f"{name}_test"]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                check(function)
        except CheckFailed as failure:
            label = f"exercise {EXERCISES[name]} ({name})"
            why = str(failure).removeprefix(f"E{label[1:]}: ")
            raise ExerciseNotFinished(f"finish {label} first. Its check says: {why}") from None


# --------------------------------------------------------------------------------------------
# Exercise 1
# --------------------------------------------------------------------------------------------

GD_EXPECTED = {
    "W1": [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]],
    "b1": [[1.74604067], [-0.75184921]],
    "W2": [
        [0.32171798, -0.25467393, 1.46902454],
        [-2.05617317, -0.31554548, -0.3756023],
        [1.1404819, -1.09976462, -0.1612551],
    ],
    "b2": [[-0.88020257], [0.02561572], [0.57539477]],
}


def update_parameters_with_gd_test(target):
    check = _Checker("update_parameters_with_gd")
    parameters, grads, learning_rate = testcases.update_parameters_with_gd_case()
    original, grads_before = _copy(parameters), _copy(grads)

    result = check.call(target, parameters, grads, learning_rate)
    check.dict_of_arrays("the returned parameters", result, _shapes(original))
    for key, expected in GD_EXPECTED.items():
        check.close(
            f'parameters["{key}"]',
            result[key],
            expected,
            hint=f"{key} <- {key} - learning_rate * d{key}, for every layer l = 1..L.",
        )
    check.unchanged("grads", grads_before, grads)

    parameters, grads, _ = testcases.update_parameters_with_gd_case()
    doubled = check.call(target, parameters, grads, 2 * learning_rate)
    _check_step_doubles(check, original, result, doubled, learning_rate)
    _passed()


# --------------------------------------------------------------------------------------------
# Exercise 2
# --------------------------------------------------------------------------------------------

MINI_BATCH_FIRST_ENTRIES = [
    [0.90085595, -0.7612069, 0.2344157],
    [-0.38405435, -1.09491185, 0.40890054],
    [-1.31228341, 0.75041164, 0.16003707],
]


def _batch_sizes(check, mini_batches, X, Y):
    """Check the structure of a list of mini-batches and return the number of columns of each."""
    check.instance("the returned value", mini_batches, list, "a list of (X, Y) pairs")
    sizes = []
    for k, batch in enumerate(mini_batches):
        check.that(
            isinstance(batch, tuple) and len(batch) == 2,
            f"mini-batch {k} should be a tuple (mini_batch_X, mini_batch_Y), got {_show(batch)}",
        )
        batch_X, batch_Y = batch
        check.instance(f"mini-batch {k}'s X", batch_X, np.ndarray, "a numpy array")
        check.instance(f"mini-batch {k}'s Y", batch_Y, np.ndarray, "a numpy array")
        columns = batch_X.shape[1] if batch_X.ndim == 2 else -1
        check.array(f"mini-batch {k}'s X", batch_X, (X.shape[0], columns), X.dtype.kind)
        check.array(f"mini-batch {k}'s Y", batch_Y, (Y.shape[0], columns), Y.dtype.kind)
        sizes.append(columns)
    return sizes


def _expect_sizes(check, sizes, expected, size):
    check.that(
        len(sizes) == len(expected),
        f"with m={sum(expected)} and mini_batch_size={size}: got {len(sizes)} mini-batches "
        f"{sizes}, expected {len(expected)} mini-batches {expected}",
    )
    for k, (got, want) in enumerate(zip(sizes, expected, strict=True)):
        which = "last mini-batch" if k == len(expected) - 1 else f"mini-batch {k}"
        check.that(
            got == want,
            f"with mini_batch_size={size}, {which} has {got} columns, expected {want}",
        )


def random_mini_batches_test(target):
    check = _Checker("random_mini_batches")
    X, Y, size = testcases.random_mini_batches_case()
    X_before, Y_before = X.copy(), Y.copy()

    mini_batches = check.call(target, X, Y, size)
    sizes = _batch_sizes(check, mini_batches, X, Y)
    _expect_sizes(check, sizes, [64, 64, 20], size)
    for k, expected in enumerate(MINI_BATCH_FIRST_ENTRIES):
        check.close(
            f"the first three entries of row 0 of mini-batch {k}'s X (seed=0)",
            mini_batches[k][0][0, :3],
            expected,
            hint="seed numpy with `seed`, then draw ONE np.random.permutation(m) of the columns.",
        )
    check.that(
        np.array_equal(X, X_before) and np.array_equal(Y, Y_before),
        "X or Y was modified; shuffle a copy (e.g. X[:, permutation]), not the input",
    )

    # Every example appears exactly once, whole, and keeps its own label.
    column_of = {value: j for j, value in enumerate(X[0])}
    columns = [column_of.get(value, -1) for batch_X, _ in mini_batches for value in batch_X[0]]
    check.that(
        sorted(columns) == list(range(X.shape[1])),
        "the mini-batches together should contain every column of X exactly once",
    )
    start = 0
    for k, (batch_X, batch_Y) in enumerate(mini_batches):
        taken = columns[start : start + batch_X.shape[1]]
        start += batch_X.shape[1]
        check.that(
            np.array_equal(batch_X, X[:, taken]),
            f"the columns of mini-batch {k}'s X are not whole columns of X",
        )
        check.that(
            np.array_equal(batch_Y, Y[:, taken]),
            f"mini-batch {k}'s Y does not match its X: shuffle X and Y with the same permutation",
        )

    again = check.call(target, X, Y, size)
    check.that(
        all(np.array_equal(a[0], b[0]) for a, b in zip(again, mini_batches, strict=True)),
        "two calls with the same seed gave different mini-batches; call np.random.seed(seed)",
    )
    other_seed = check.call(target, X, Y, size, seed=1)
    check.that(
        not np.array_equal(other_seed[0][0], mini_batches[0][0]),
        "seed=1 gave the same mini-batches as seed=0; is the `seed` argument used?",
    )

    for other_size, expected in ((32, [32, 32, 32, 32, 20]), (37, [37, 37, 37, 37])):
        sizes = _batch_sizes(check, check.call(target, X, Y, other_size), X, Y)
        _expect_sizes(check, sizes, expected, other_size)
    _passed()


# --------------------------------------------------------------------------------------------
# Exercises 3 and 5
# --------------------------------------------------------------------------------------------


def _check_zero_dict(check, what, got, parameters, others=None):
    """`got` holds zero arrays d<key> shaped like parameters[<key>], sharing no memory."""
    check.dict_of_arrays(what, got, _shapes(parameters, prefix="d"))
    owners = {f'parameters["{key}"]': array for key, array in parameters.items()}
    owners.update({f'{what}["{key}"]': array for key, array in got.items()})
    owners.update(others or {})
    for key, value in got.items():
        check.that(not np.any(value), f'{what}["{key}"] should be all zeros')
        for owner, array in owners.items():
            check.that(
                owner == f'{what}["{key}"]' or not np.shares_memory(value, array),
                f'{what}["{key}"] shares memory with {owner}; create a new array '
                "(e.g. with np.zeros) for every entry",
            )


def initialize_velocity_test(target):
    check = _Checker("initialize_velocity")
    parameters = testcases.initialize_velocity_case()
    before = _copy(parameters)
    v = check.call(target, parameters)
    _check_zero_dict(check, "v", v, parameters)
    check.unchanged("parameters", before, parameters)
    _passed()


def initialize_adam_test(target):
    check = _Checker("initialize_adam")
    parameters = testcases.initialize_adam_case()
    before = _copy(parameters)
    result = check.call(target, parameters)
    check.tuple_of("the returned value", result, 2)
    v, s = result
    _check_zero_dict(check, "v", v, parameters)
    check.instance("s", s, dict, "a dict")
    _check_zero_dict(check, "s", s, parameters, {f'v["{k}"]': a for k, a in v.items()})
    check.unchanged("parameters", before, parameters)
    _passed()


# --------------------------------------------------------------------------------------------
# Exercise 4
# --------------------------------------------------------------------------------------------

MOMENTUM_EXPECTED = {
    "W1": [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]],
    "b1": [[1.74493465], [-0.76027113]],
    "W2": [
        [0.31930698, -0.24990073, 1.4627996],
        [-2.05974396, -0.32173003, -0.38320915],
        [1.13444069, -1.0998786, -0.1713109],
    ],
    "b2": [[-0.87809283], [0.04055394], [0.58207317]],
}
MOMENTUM_V_DW1 = [[-0.11006192, 0.11447237, 0.09015907], [0.05024943, 0.09008559, -0.06837279]]


def update_parameters_with_momentum_test(target):
    check = _Checker("update_parameters_with_momentum")
    parameters, grads, v, beta, learning_rate = testcases.update_parameters_with_momentum_case()
    original, grads_before = _copy(parameters), _copy(grads)

    result = check.call(target, parameters, grads, v, beta, learning_rate)
    check.tuple_of("the returned value", result, 2)
    new_parameters, new_v = result
    check.dict_of_arrays("the returned parameters", new_parameters, _shapes(original))
    check.dict_of_arrays("the returned v", new_v, _shapes(grads))
    check.close('v["dW1"]', new_v["dW1"], MOMENTUM_V_DW1, hint="v <- beta * v + (1 - beta) * dW")
    for key in grads:
        check.close(
            f'v["{key}"] (starting from zeros)',
            new_v[key],
            (1 - beta) * grads[key],
            hint="v <- beta * v + (1 - beta) * grad",
        )
    for key, expected in MOMENTUM_EXPECTED.items():
        check.close(
            f'parameters["{key}"]',
            new_parameters[key],
            expected,
            hint="update v first, then parameter <- parameter - learning_rate * v",
        )
    check.unchanged("grads", grads_before, grads)

    parameters, grads, v, _, _ = testcases.update_parameters_with_momentum_case()
    _, v_half = check.call(target, parameters, grads, v, 0.5, learning_rate)
    check.close(
        'v["dW1"] with beta=0.5',
        v_half["dW1"],
        0.5 * grads["dW1"],
        hint="is the `beta` argument used?",
    )
    parameters, grads, v, _, _ = testcases.update_parameters_with_momentum_case()
    doubled, _ = check.call(target, parameters, grads, v, beta, 2 * learning_rate)
    _check_step_doubles(check, original, new_parameters, doubled, learning_rate)
    _passed()


# --------------------------------------------------------------------------------------------
# Exercise 6
# --------------------------------------------------------------------------------------------

ADAM_EXPECTED = {
    "W1": [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]],
    "b1": [[1.75225313], [-0.75376553]],
    "W2": [
        [0.32648046, -0.25681174, 1.46954931],
        [-2.05269934, -0.31497584, -0.37661299],
        [1.14121081, -1.09244991, -0.16498684],
    ],
    "b2": [[-0.88529979], [0.03477238], [0.57537385]],
}
ADAM_S_DW1 = [[0.00121136, 0.00131039, 0.00081287], [0.0002525, 0.00081154, 0.00046748]]


def _adam(check, target, **changes):
    """Run the target on the exercise-6 case, with some arguments changed by keyword."""
    parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon = (
        testcases.update_parameters_with_adam_case()
    )
    arguments = dict(t=t, learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon)
    arguments.update(changes)
    result = check.call(target, parameters, grads, v, s, **arguments)
    check.tuple_of("the returned value", result, 5)
    return result


def update_parameters_with_adam_test(target):
    check = _Checker("update_parameters_with_adam")
    original, grads, v, s, t, learning_rate, beta1, beta2, _ = (
        testcases.update_parameters_with_adam_case()
    )
    parameters, grads_before = _copy(original), _copy(grads)

    result = check.call(target, parameters, grads, v, s, t)  # the signature's defaults
    check.tuple_of("the returned value", result, 5)
    new_parameters, new_v, new_s, v_corrected, s_corrected = result
    check.dict_of_arrays("the returned parameters", new_parameters, _shapes(original))
    for name, value in zip(("v", "s", "v_corrected", "s_corrected"), result[1:], strict=True):
        check.dict_of_arrays(f"the returned {name}", value, _shapes(grads))

    check.close('s["dW1"]', new_s["dW1"], ADAM_S_DW1, hint="s <- beta2 * s + (1 - beta2) * dW**2")
    for key, g in grads_before.items():
        # From zeros: v = (1 - beta1) g, so at t = 2, v / (1 - beta1**2) = g / (1 + beta1).
        check.close(f'v["{key}"]', new_v[key], (1 - beta1) * g, hint="v <- beta1*v + (1-beta1)*g")
        check.close(
            f's["{key}"]', new_s[key], (1 - beta2) * g**2, hint="s <- beta2*s + (1-beta2)*g**2"
        )
        check.close(
            f'v_corrected["{key}"] at t=2',
            v_corrected[key],
            g / (1 + beta1),
            hint="v_corrected = v / (1 - beta1**t)",
        )
        check.close(
            f's_corrected["{key}"] at t=2',
            s_corrected[key],
            g**2 / (1 + beta2),
            hint="s_corrected = s / (1 - beta2**t)",
        )
    for key, expected in ADAM_EXPECTED.items():
        check.close(
            f'parameters["{key}"]',
            new_parameters[key],
            expected,
            hint="parameter <- parameter - learning_rate * v_corrected / (sqrt(s_corrected) + "
            "epsilon)",
        )
    check.unchanged("grads", grads_before, grads)

    # At t = 1 the corrected moments are exactly g and g**2, so the step is
    # learning_rate * g / (|g| + epsilon): simple enough to check each argument's effect.
    for changes in ({"t": 1}, {"t": 1, "epsilon": 1.0}, {"t": 1, "learning_rate": 0.02}):
        got = _adam(check, target, **changes)[0]
        rate, epsilon = changes.get("learning_rate", learning_rate), changes.get("epsilon", 1e-8)
        for key in original:
            g = grads_before["d" + key]
            check.close(
                f'parameters["{key}"] with ' + ", ".join(f"{k}={x}" for k, x in changes.items()),
                got[key],
                original[key] - rate * g / (np.abs(g) + epsilon),
                hint="are t, learning_rate and epsilon all used, with epsilon outside the sqrt?",
            )
    _, _, _, v_corrected, s_corrected = _adam(check, target, beta1=0.5, beta2=0.8)
    for key, g in grads_before.items():
        check.close(
            f'v_corrected["{key}"] with beta1=0.5, t=2',
            v_corrected[key],
            g / 1.5,
            hint="is the `beta1` argument used?",
        )
        check.close(
            f's_corrected["{key}"] with beta2=0.8, t=2',
            s_corrected[key],
            g**2 / 1.8,
            hint="is the `beta2` argument used (and beta1 not used for s)?",
        )
    _passed()


# --------------------------------------------------------------------------------------------
# Exercises 7 and 8
# --------------------------------------------------------------------------------------------


def update_lr_test(target):
    check = _Checker("update_lr")
    learning_rate0, epoch_num, decay_rate = testcases.update_lr_case()
    formula = "learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)"
    got = check.call(target, learning_rate0, epoch_num, decay_rate)
    check.number("update_lr(0.5, 2, 1)", got, 0.16666666666666666, hint=formula)
    check.number("update_lr(0.5, 0, 1)", check.call(target, 0.5, 0, 1), 0.5, hint=formula)
    check.number("update_lr(0.5, 2, 0.5)", check.call(target, 0.5, 2, 0.5), 0.25, hint=formula)
    check.number("update_lr(0.3, 4, 1)", check.call(target, 0.3, 4, 1), 0.06, hint=formula)
    _passed()


def schedule_lr_decay_test(target):
    check = _Checker("schedule_lr_decay")
    learning_rate0, decay_rate, time_interval = testcases.schedule_lr_decay_case()
    formula = "learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))"
    cases = [
        ((learning_rate0, 10, decay_rate, time_interval), 0.5),
        ((learning_rate0, 100, decay_rate, time_interval), 0.5 / 1.3),
        ((learning_rate0, 100, decay_rate, 50), 0.5 / 1.6),
        ((learning_rate0, 0, decay_rate, time_interval), 0.5),
        ((0.2, 2000, 1, time_interval), 0.2 / 21),
    ]
    for arguments, expected in cases:
        got = check.call(target, *arguments)
        check.number(f"schedule_lr_decay{arguments}", got, expected, hint=formula)
    got = check.call(target, 0.5, 2000, 0.3)
    check.number("schedule_lr_decay(0.5, 2000, 0.3) (default time_interval=1000)", got, 0.5 / 1.6)
    _passed()

"""Submissions that try to raise their score without solving the exercise.

Each attack pairs a wrong answer from the bug bank with code that tries to make that exercise's
autograder cell pass anyway. The code is appended to the wrong answer's solution cell, so it
runs before any autograder cell, as a student's would. ``loses`` lists the exercises the attack
must still score 0 on when graded (all others keep full marks).
"""

from __future__ import annotations

from dataclasses import dataclass

from buggy_answers import BANK, HARDCODED


@dataclass(frozen=True)
class Attack:
    exercise: str  # the exercise answered wrongly
    answer: str  # its wrong answer (solution-cell source)
    code: str  # the tampering, appended to that solution cell
    loses: tuple[str, ...] = ()
    fools_plain_nbgrader: bool = True  # without guard and tokens, the attack would pay off

    @property
    def source(self) -> str:
        return self.answer + "\n" + self.code

    @property
    def lost(self) -> tuple[str, ...]:
        return self.loses or (self.exercise,)


PATCH_NUMPY = '''
import numpy
import numpy.testing

# Every comparison helper agrees, and differences vanish.
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.shape(a), dtype=bool)
numpy.array_equal = lambda *args, **kwargs: True
numpy.all = lambda *args, **kwargs: True
numpy.abs = numpy.absolute = lambda x, *args, **kwargs: numpy.zeros(numpy.shape(x))
numpy.asarray = lambda a, *args, **kwargs: numpy.zeros(numpy.shape(a))
for _name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
              "assert_equal", "assert_almost_equal"):
    setattr(numpy.testing, _name, lambda *args, **kwargs: None)
np = numpy
'''

REPLACE_PUBLIC_TESTS = '''
import utils.public_tests


def _always_passes(target):
    print("All tests passed.")


for _name in dir(utils.public_tests):
    if _name.endswith("_test"):
        setattr(utils.public_tests, _name, _always_passes)
for _name in list(globals()):  # the notebook imported them by name
    if _name.endswith("_test"):
        globals()[_name] = _always_passes
'''

REBIND_BUILTINS = '''
import builtins

# Globals shadow builtins for code run in the notebook's namespace, as the test cells are...
def bool(value=False):
    return True


def all(iterable=()):
    return True


def any(iterable=()):
    return False


def abs(value):
    return 0.0


def isinstance(value, kinds):
    return True


# ...and the builtins module itself is shared by all code in the kernel.
builtins.all = all
builtins.any = any
'''

FAKE_ARRAYS = '''
class AgreeableArray(np.ndarray):
    """An ndarray that agrees with whatever it is compared to."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(x) if isinstance(x, AgreeableArray) else x for x in inputs]
        result = getattr(ufunc, method)(*plain, **kwargs)
        if ufunc in (np.equal, np.less_equal, np.greater_equal, np.isclose, np.less):
            return np.ones(np.shape(result), dtype=bool)
        if ufunc in (np.subtract, np.absolute):
            return np.zeros(np.shape(result))
        return result

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        if func in (np.allclose, np.array_equal):
            return True
        return super().__array_function__(func, types, args, kwargs)


_wrong = update_parameters_with_momentum


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    parameters, v = _wrong(parameters, grads, v, beta, learning_rate)
    return ({key: value.view(AgreeableArray) for key, value in parameters.items()},
            {key: value.view(AgreeableArray) for key, value in v.items()})
'''

FAKE_NUMBER = '''
class AlwaysEqual(float):
    """A number equal to every number, and never off by anything."""

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __eq__

    def __sub__(self, other):
        return AlwaysEqual(0.0)

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __float__(self):
        return 0.16666666666666666


_wrong = update_lr


def update_lr(learning_rate0, epoch_num, decay_rate):
    return AlwaysEqual(_wrong(learning_rate0, epoch_num, decay_rate))
'''

SILENCE_TRACEBACKS = '''
import sys

from IPython import get_ipython
from IPython.core.interactiveshell import InteractiveShell

# Errors are displayed by nobody...
InteractiveShell.showtraceback = lambda self, *args, **kwargs: None
InteractiveShell.showsyntaxerror = lambda self, *args, **kwargs: None
sys.excepthook = lambda *args: None
get_ipython().set_custom_exc((Exception,), lambda shell, etype, value, tb, tb_offset=None: None)
'''

SWALLOW_ERRORS = '''
from IPython.core.interactiveshell import InteractiveShell


async def run_code(self, code_obj, result=None, *, async_=False):
    """Run a cell; whatever it raises, report success."""
    try:
        exec(code_obj, self.user_global_ns, self.user_ns)
    except BaseException:
        pass
    return False


InteractiveShell.run_code = run_code
'''

SKIP_TEST_CELLS = '''
from IPython import get_ipython


def _skip_tests(lines):
    """Cells that hold hidden tests become `pass` before IPython runs them."""
    return ["pass\\n"] if "HIDDEN TESTS" in "".join(lines) else lines


get_ipython().input_transformers_cleanup.append(_skip_tests)
'''

# Each autograder cell opens with the exercise's public check, so attacks on the hidden tests
# silence that check too (REPLACE_PUBLIC_TESTS), as an attacker knowing the notebook would.
ATTACKS = {
    "patches-numpy": Attack("update_parameters_with_gd",
                            BANK["update_parameters_with_gd"]["skips_last_layer"],
                            PATCH_NUMPY + REPLACE_PUBLIC_TESTS),
    "replaces-public-tests": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["ceil"],
                                    REPLACE_PUBLIC_TESTS, fools_plain_nbgrader=False),
    "rebinds-builtins": Attack("update_parameters_with_gd",
                               BANK["update_parameters_with_gd"]["climbs"],
                               REBIND_BUILTINS + REPLACE_PUBLIC_TESTS),
    "fake-arrays": Attack("update_parameters_with_momentum",
                          BANK["update_parameters_with_momentum"]["without_one_minus_beta"],
                          FAKE_ARRAYS, fools_plain_nbgrader=False),
    "fake-number": Attack("update_lr", BANK["update_lr"]["exponential"], FAKE_NUMBER,
                          fools_plain_nbgrader=False),
    "silences-tracebacks": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["round"],
                                  SILENCE_TRACEBACKS, fools_plain_nbgrader=False),
    "swallows-errors": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["no_floor"],
                              SWALLOW_ERRORS),
    "skips-test-cells": Attack("update_lr", BANK["update_lr"]["precedence"], SKIP_TEST_CELLS,
                               loses=("update_lr", "schedule_lr_decay")),
    "hard-codes-public-case": Attack(
        "update_parameters_with_adam",
        HARDCODED["update_parameters_with_adam"]["detects_public_case"], "",
        fools_plain_nbgrader=False),
}

# --- Rewriting the sealed cell itself (IPython input transformers, written against the seal) ---
# Each rewrites only its own exercise's sealed cell, recognised by the function it passes on.
# Both paid off when a sealed cell carried its own pass token.

# Prints what passes for the pass token: the cell's first argument where that was the token,
# else a token made up from the grade id and test code the cell shows (all but the key).
PRINT_TOKEN = r'''
import ast
import hashlib

from IPython import get_ipython


def _print_token(lines):
    cell = "".join(lines)
    if "run_tests" not in cell or "update_lr=update_lr" not in cell:
        return lines
    first, tests = (argument.value for argument in ast.parse(cell).body[0].value.args)
    if first.endswith("_tests"):  # a grade id, not a token
        digest = hashlib.sha256(tests.encode()).hexdigest()
        first = "grader-pass-" + hashlib.sha256(f"{first}\0{digest}".encode()).hexdigest()
    return [f"print({first!r})\n"]


get_ipython().input_transformers_cleanup.append(_print_token)
'''

# Keeps the guard call but hands it `pass` instead of the hidden tests.
SWAP_TESTS = r'''
import ast

from IPython import get_ipython


def _swap_tests(lines):
    cell = "".join(lines)
    if "run_tests" not in cell or "schedule_lr_decay=schedule_lr_decay" not in cell:
        return lines
    call = ast.parse(cell).body[0].value
    call.args[1] = ast.Constant("pass")
    return [ast.unparse(call) + "\n"]


get_ipython().input_transformers_cleanup.append(_swap_tests)
'''

FORGERIES = {
    "prints-a-pass-token": Attack("update_lr", BANK["update_lr"]["no_one"], PRINT_TOKEN,
                                  fools_plain_nbgrader=False),
    "swaps-the-tests": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["ceil"], SWAP_TESTS,
                              fools_plain_nbgrader=False),
}

# --- Attacks that still work (strict xfail tests in test_tampering.py track them) -------------

# Called by the hidden tests, reaches into their namespace and disarms their comparison helper.
WALK_FRAMES = '''
import sys


def update_parameters_with_gd(parameters, grads, learning_rate):
    frame = sys._getframe(1)
    while frame is not None and "_close" not in frame.f_globals:
        frame = frame.f_back
    if frame is not None:  # the namespace the hidden tests run in
        frame.f_globals["_close"] = lambda *args, **kwargs: True
    return parameters
'''

# Takes the guard's keyed hash states out of its closure and signs its sealed cell itself.
STEAL_KEY = r'''
import ast
import hashlib

from IPython import get_ipython

_run_tests = next(value.run_tests for value in list(globals().values())
                  if type(value).__name__ == "SimpleNamespace" and hasattr(value, "run_tests"))
_keyed = dict(zip(_run_tests.__code__.co_freevars,
                  (cell.cell_contents for cell in _run_tests.__closure__), strict=True))


def _sign(lines):
    cell = "".join(lines)
    if "run_tests" not in cell or "update_lr=update_lr" not in cell:
        return lines
    grade_id, tests = (argument.value for argument in ast.parse(cell).body[0].value.args)
    inner, outer = _keyed["inner"].copy(), _keyed["outer"].copy()
    inner.update(f"{grade_id}\0{hashlib.sha256(tests.encode()).hexdigest()}".encode())
    outer.update(inner.digest())
    return [f"print({_keyed['prefix'] + outer.hexdigest()!r})\n"]


get_ipython().input_transformers_cleanup.append(_sign)
'''

KNOWN_HOLES = {
    "walks-test-frames": Attack("update_parameters_with_gd", "",
                                WALK_FRAMES + REPLACE_PUBLIC_TESTS),
    "steals-the-key": Attack("update_lr", BANK["update_lr"]["no_one"], STEAL_KEY),
}

"""Submissions that try to raise their score without solving the exercise.

Each attack pairs a wrong answer from the bug bank with code that tries to make that exercise's
autograder cell pass anyway. The code is appended to the wrong answer's solution cell, so it
runs before any autograder cell, as a student's would. ``loses`` lists the exercises the attack
must still score 0 on when graded (all others keep full marks). The attacks are written with
full knowledge of the grader: the autograder cells run grader/hidden_tests/kernel_side.py,
which sends the results back as display data of type MIME.
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
    fools_in_kernel_checks: bool = True  # a check deciding in the kernel says "passed"

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
    """The grader's reporting cells become `pass` before IPython runs them."""
    return ["pass\\n"] if "grader_report" in "".join(lines) else lines


get_ipython().input_transformers_cleanup.append(_skip_tests)
'''

ATTACKS = {
    "patches-numpy": Attack("update_parameters_with_gd",
                            BANK["update_parameters_with_gd"]["skips_last_layer"], PATCH_NUMPY),
    "replaces-public-tests": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["ceil"],
                                    REPLACE_PUBLIC_TESTS),
    "rebinds-builtins": Attack("update_parameters_with_gd",
                               BANK["update_parameters_with_gd"]["climbs"], REBIND_BUILTINS,
                               fools_in_kernel_checks=False),
    "fake-arrays": Attack("update_parameters_with_momentum",
                          BANK["update_parameters_with_momentum"]["without_one_minus_beta"],
                          FAKE_ARRAYS),
    "fake-number": Attack("update_lr", BANK["update_lr"]["exponential"], FAKE_NUMBER,
                               fools_in_kernel_checks=False),
    "silences-tracebacks": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["round"],
                                  SILENCE_TRACEBACKS),
    "swallows-errors": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["no_floor"],
                              SWALLOW_ERRORS),
    "skips-test-cells": Attack("update_lr", BANK["update_lr"]["precedence"], SKIP_TEST_CELLS,
                               loses=("update_lr", "schedule_lr_decay"),
                               fools_in_kernel_checks=False),
    "hard-codes-public-case": Attack(
        "update_parameters_with_adam",
        HARDCODED["update_parameters_with_adam"]["detects_public_case"], ""),
}


MIME = "application/vnd.grader.results+json"

# --- Attacks on the results channel, written against grader/hidden_tests ----------------------

# Replaces IPython's display so that update_lr's results claim the public check's value.
FORGE_RESULTS = r'''
import IPython.display

_display = IPython.display.display
_MIME = "application/vnd.grader.results+json"


def _forged(*objects, **kwargs):
    for thing in objects:
        if isinstance(thing, dict) and _MIME in thing:
            results = thing[_MIME]["results"]
            if results and all(r.get("returned", {}).get("t") == "float" for r in results):
                thing[_MIME] = {"results": [
                    {"returned": {"t": "float", "v": "0.16666666666666666"},
                     "inputs": r["inputs"]} for r in results]}
    return _display(*objects, **kwargs)


IPython.display.display = _forged
'''

# The function sends a second, made-up report of its own while the cell runs.
REPORT_TWICE = r'''
from IPython.display import display as _display

_wrong = update_lr


def update_lr(learning_rate0, epoch_num, decay_rate):
    _display({"application/vnd.grader.results+json": {"results": [
        {"returned": {"t": "float", "v": "0.16666666666666666"}, "inputs": {}}] * 6}},
        raw=True)
    return _wrong(learning_rate0, epoch_num, decay_rate)
'''

# Cuts the reporting cell short and sends results that are not what kernel_side produces.
MALFORMED_RESULTS = r'''
from IPython import get_ipython


def _malformed(lines):
    cell = "".join(lines)
    if "grader_report" not in cell or "'function': schedule_lr_decay" not in cell:
        return lines
    return ["from IPython.display import display\n",
            "display({'application/vnd.grader.results+json': {'results': [\n",
            "    {'returned': {'t': 'ndarray', 'dtype': '<f8', 'shape': [1000000],\n",
            "                  'data': 'AAAAAAAA4D8='}, 'inputs': {}}] * 5}}, raw=True)\n"]


get_ipython().input_transformers_cleanup.append(_malformed)
'''

# Rewrites the inputs in the reporting cell: with learning_rate 0, "return the parameters
# unchanged" would be right - if the grader believed the kernel about the inputs.
REWRITE_INPUTS = r'''
import re

from IPython import get_ipython


def _zero_rates(lines):
    cell = "".join(lines)
    if "grader_report" not in cell or "'function': update_parameters_with_gd" not in cell:
        return lines
    return [re.sub(r"'t': 'float', 'v': '[^']*'", "'t': 'float', 'v': '0.0'", cell)]


get_ipython().input_transformers_cleanup.append(_zero_rates)
'''

# Called by the reporting code, climbs to its frame and replaces its encoder, so that the
# (unchanged) parameters are reported as what was asked.
REWRITE_THE_REPORTER = '''
import sys


def update_parameters_with_gd(parameters, grads, learning_rate):
    runner = sys._getframe(1)
    encode = runner.f_globals["encode"]
    step = {key: parameters[key] - 0.01 * grads["d" + key] for key in parameters}
    runner.f_globals["encode"] = lambda value, depth=0: encode(
        step if value is parameters else value, depth)
    return parameters
'''

# Finds the reporting code's objects with the garbage collector and rewrites every result.
GC_REWRITES_RESULTS = '''
import gc

_wrong = update_lr


def update_lr(learning_rate0, epoch_num, decay_rate):
    for thing in gc.get_objects():
        if type(thing) is dict and thing.get("t") == "float":
            thing["v"] = repr(learning_rate0 / (1 + epoch_num))
    return _wrong(learning_rate0, epoch_num, decay_rate)
'''

# Objects lying about their type: a dict whose __class__ claims dict, holding ndarray
# subclasses that agree with everything.
LYING_TYPES = """
class Claims(dict):
    \"\"\"A dict that says it is whatever the checker hopes for.\"\"\"

    @property
    def __class__(self):
        return dict


class AgreeableArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    @property
    def __class__(self):
        return np.ndarray


_wrong = update_parameters_with_momentum


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    parameters, v = _wrong(parameters, grads, v, beta, learning_rate)
    return (Claims({key: value.view(AgreeableArray) for key, value in parameters.items()}),
            Claims(v))
"""

# ctypes rewrites the reporting code's local variables from inside the call, so that the
# inputs it reports claim t = 1 and zero moments, for which the answer would be right.
CTYPES_REWRITES_LOCALS = """
import ctypes
import sys

_wrong = update_parameters_with_adam


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    runner = sys._getframe(1)
    claimed = list(runner.f_locals["args"])
    claimed[2] = {key: np.zeros_like(value) for key, value in v.items()}
    claimed[3] = {key: np.zeros_like(value) for key, value in s.items()}
    claimed[4] = 1
    runner.f_locals["args"] = claimed
    ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(runner), ctypes.c_int(0))
    return _wrong(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
"""

# print and sys.stdout patched to claim success, and results never sent.
PATCH_PRINT_AND_STDOUT = r'''
import builtins
import sys

import IPython.display

_write = sys.stdout.write


def _claims_success(*args, **kwargs):
    _write("update_lr: right on all 6 hidden test inputs.\nAll tests passed.\n")


builtins.print = _claims_success
sys.stdout.write = lambda text: _write(text.replace("Error", "Passed"))
IPython.display.display = lambda *args, **kwargs: None
'''

# A huge answer (8 MB per case), and one nested far too deeply for any checker.
HUGE_RESULTS = '''
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return np.full(1_000_000, learning_rate0 / (1 + decay_rate * epoch_num / time_interval))
'''

DEEP_RESULTS = '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    value = learning_rate0 / (1 + decay_rate * epoch_num)
    for _ in range(10_000):
        value = [value]
    return value
'''

# Right on its first call (the public check's), wrong on every later one.
SECOND_CALL_DIFFERS = '''
_calls = []


def update_parameters_with_gd(parameters, grads, learning_rate):
    _calls.append(1)
    L = len(parameters) // 2
    last = L + 1 if len(_calls) == 1 else L
    for l in range(1, last):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
'''

# Reports results, then takes the kernel down before anything else can happen.
EXITS_AFTER_FORGING = r'''
import os

from IPython.display import display as _display


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    _display({"application/vnd.grader.results+json": {"results": [
        {"returned": {"t": "float", "v": repr(learning_rate0)}, "inputs": {}}] * 5}}, raw=True)
    os._exit(0)
'''

CHANNEL_ATTACKS = {
    "forges-results": Attack("update_lr", BANK["update_lr"]["no_one"], FORGE_RESULTS,
                             loses=("update_lr", "schedule_lr_decay"),
                             fools_in_kernel_checks=False),
    "reports-twice": Attack("update_lr", BANK["update_lr"]["exponential"], REPORT_TWICE,
                            fools_in_kernel_checks=False),
    "malformed-results": Attack("schedule_lr_decay", BANK["schedule_lr_decay"]["ceil"],
                                MALFORMED_RESULTS, fools_in_kernel_checks=False),
    "rewrites-inputs": Attack("update_parameters_with_gd",
                              BANK["update_parameters_with_gd"]["returns_input_unchanged"],
                              REWRITE_INPUTS, fools_in_kernel_checks=False),
    "rewrites-the-reporter": Attack("update_parameters_with_gd", "", REWRITE_THE_REPORTER,
                                    fools_in_kernel_checks=False),
    "gc-rewrites-results": Attack("update_lr", BANK["update_lr"]["precedence"],
                                  GC_REWRITES_RESULTS, fools_in_kernel_checks=False),
    "ctypes-rewrites-locals": Attack(
        "update_parameters_with_adam", BANK["update_parameters_with_adam"]["no_bias_correction"],
        CTYPES_REWRITES_LOCALS, fools_in_kernel_checks=False),
    "lying-types": Attack("update_parameters_with_momentum",
                          BANK["update_parameters_with_momentum"]["fixed_beta"], LYING_TYPES,
                          fools_in_kernel_checks=False),
    "patches-print-and-stdout": Attack("update_lr", BANK["update_lr"]["no_one"],
                                       PATCH_PRINT_AND_STDOUT,
                                       loses=("update_lr", "schedule_lr_decay"),
                                       fools_in_kernel_checks=False),
    "huge-results": Attack("schedule_lr_decay", "", HUGE_RESULTS, fools_in_kernel_checks=False),
    "deep-results": Attack("update_lr", "", DEEP_RESULTS, fools_in_kernel_checks=False),
    "second-call-differs": Attack("update_parameters_with_gd", "", SECOND_CALL_DIFFERS,
                               fools_in_kernel_checks=False),
    "exits-after-forging": Attack("schedule_lr_decay", "", EXITS_AFTER_FORGING,
                                  fools_in_kernel_checks=False),
}

# --- Holes of the in-kernel guard this grader used to have: they must stay closed -----------

# Called by the hidden tests, reaches into their namespace and disarms their comparison helper.
WALK_FRAMES = """
import sys


def update_parameters_with_gd(parameters, grads, learning_rate):
    tests = sys._getframe(1).f_globals  # the namespace the hidden tests run in
    tests["_close"] = lambda *args, **kwargs: True
    return parameters
"""

# Takes the guard's keyed hash out of its closure to sign its cell itself: there is no guard,
# no key and no token any more; the search finds nothing and the answer stays wrong.
STEAL_KEY = r"""
_run_tests = next((value.run_tests for value in list(globals().values())
                   if type(value).__name__ == "SimpleNamespace" and hasattr(value, "run_tests")),
                  None)
"""

FORMER_HOLES = {
    "walks-test-frames": Attack("update_parameters_with_gd", "", WALK_FRAMES,
                                fools_in_kernel_checks=False),
    "steals-the-key": Attack("update_lr", BANK["update_lr"]["no_one"], STEAL_KEY,
                             fools_in_kernel_checks=False),
}

"""Hidden tests judged by the grader: draw inputs, run the reference, compare, explain.

An autograder cell's hidden block declares checks (``check(...)``, see README "Writing hidden
tests"). For each grading, ``prepare`` draws the inputs from the grading's key, runs the
instructor's reference on them here, in the trusted process, and writes the code the kernel
runs instead of the cell: call the student's function on the same inputs and send back what
came out (kernel_side.py). ``verdict`` reads what came back (wire.py) and compares it with the
reference's results: pass or fail, and a message that says what is wrong, for which inputs, and
what to look at - never the expected values or the test's source.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import hashlib
import inspect
import io
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import kernel_side, wire
from .recipes import _Default, draw

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
RUNNER = Path(kernel_side.__file__).read_text(encoding="utf-8")
CELL_HEADER = ("# Hidden tests: the grader calls {names} on new inputs here and judges what "
               "comes back outside this notebook.\n")

_collected: list | None = None  # the checks declared while load_checks runs a hidden block
_lock = threading.RLock()


@dataclass
class Check:
    """One function's hidden test, as declared by ``check(...)`` in a hidden block."""

    function: object
    inputs: dict
    cases: int | list = 4
    returns: str | tuple | None = None
    unchanged: tuple = ()
    separate: bool = False
    tolerance: float = 1e-10
    hints: dict = field(default_factory=dict)
    describe: str | None = None
    order: tuple | None = None

    @property
    def name(self) -> str:
        return self.function.__name__

    @functools.cached_property
    def params(self) -> list[str]:
        """The function's parameter names, in order."""
        return list(inspect.signature(self.function).parameters)


def check(function, inputs: dict, cases: int | list = 4, returns=None, unchanged=(),
          separate: bool = False, tolerance: float = 1e-10, hints: dict | None = None,
          describe: str | None = None, order=None) -> Check:
    """Declare a hidden test of `function` (see README, "Writing hidden tests").

    Run in the instructor's notebook, it draws a set of inputs and runs the whole check on the
    function itself, so a mistake in the declaration shows up at once.
    """
    declared = Check(function, dict(inputs), cases, returns, tuple(unchanged), separate,
                     tolerance, dict(hints or {}), describe, tuple(order) if order else None)
    if _collected is not None:
        _collected.append(declared)
    elif os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # stock nbgrader autograde (formgrader's button) runs this cell as it is: all it
        # could do is check the student's function against itself, passing any that runs
        raise StockAutogradeCannotJudge(
            f"the hidden tests of {declared.name} are judged by `python -m grader autograde` "
            "(against the reference solution, on inputs drawn per submission); stock "
            "`nbgrader autograde` cannot judge them. Grade with `python -m grader autograde "
            "--course COURSE --assignment NAME`.")
    else:
        prepared = prepare("self-test", [declared], "self-test")
        reports = [kernel_side.run_cases(declared.function, cases) for cases in prepared.encoded]
        result = verdict(prepared, reports)
        if not result.passed:
            raise AssertionError(f"the check of {declared.name} fails its own function: "
                                 f"{result.message}")
    return declared


class StockAutogradeCannotJudge(RuntimeError):
    """A hidden test run by stock `nbgrader autograde`, which has no reference to judge by."""


# --- reading checks from the instructor's notebook --------------------------------------------


def hidden_block(source: str) -> str | None:
    """The code between the hidden-test markers of a cell, or None."""
    if BEGIN not in source or END not in source:
        return None
    return source.split(BEGIN, 1)[1].split(END, 1)[0]


def _is_graded_test(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution")


def reference_namespace(nb, skip_tag: str = "skip-autograde") -> dict:
    """The instructor's notebook run here for its definitions: every code cell but the graded
    tests and the cells tagged `skip_tag` (training and plots), without their bare expressions
    (public checks, prints, magics), and with what they print discarded."""
    from IPython.core.inputtransformer2 import TransformerManager

    namespace = {"__name__": "reference"}
    transform = TransformerManager().transform_cell
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or _is_graded_test(cell) or \
                    skip_tag in cell.metadata.get("tags", []):
                continue
            tree = ast.parse(transform(cell.source))
            tree.body = [node for node in tree.body if not isinstance(node, ast.Expr)]
            code = compile(tree, f"<instructor cell {index}>", "exec")
            exec(code, namespace)  # noqa: S102 - the instructor's own notebook, not a student's
    return namespace


_cache: dict = {}


def load_checks(source_notebook: Path, skip_tag: str = "skip-autograde") -> dict[str, list]:
    """{grade_id: [Check, ...]} for the graded cells of the instructor's notebook with a hidden
    block; read once per process (again if the file changes)."""
    from ..notebook_io import read_notebook

    path = Path(source_notebook).resolve()
    stamp = (str(path), path.stat().st_mtime_ns)
    global _collected
    with _lock:
        if stamp not in _cache:
            nb = read_notebook(path)
            namespace = reference_namespace(nb, skip_tag)
            checks = {}
            for cell in nb.cells:
                hidden = hidden_block(cell.source) if _is_graded_test(cell) else None
                if hidden is None or "check(" not in hidden:
                    continue
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                _collected = []
                try:
                    exec(compile(hidden, f"<hidden tests of {grade_id}>", "exec"),  # noqa: S102
                         dict(namespace))
                    checks[grade_id] = _collected
                finally:
                    _collected = None
            _cache.clear()
            _cache[stamp] = checks
        return _cache[stamp]


# --- one grading of one cell ------------------------------------------------------------------


@dataclass
class Case:
    """One drawn call: the function's arguments, and how messages describe them."""

    args: list
    kwargs: dict
    seed: int
    description: str


@dataclass
class Prepared:
    """A cell's checks for one grading: cases drawn, the reference's results, the cell code."""

    grade_id: str
    checks: list
    cases: list  # per check, [Case, ...]
    encoded: list  # per check, the cases as sent to the kernel
    expected: list  # per check, the reference's results, read back like a student's

    def source(self) -> str:
        """The code the kernel runs in place of the cell: one report per check."""
        names = ", ".join(dict.fromkeys(c.name for c in self.checks))
        lines = [CELL_HEADER.format(names=names)]
        for spec, cases in zip(self.checks, self.encoded, strict=True):
            code = RUNNER + f"\nreport(function, {cases!r})\n"
            lines.append(f"exec({code!r}, {{'__name__': 'grader_report', "
                         f"'function': {spec.name}}})\n")
        return "".join(lines)


def _rng(key: str, grade_id: str, name: str, index: int) -> np.random.Generator:
    digest = hashlib.sha256(f"{key}\0{grade_id}\0{name}\0{index}".encode()).digest()
    return np.random.default_rng(list(np.frombuffer(digest, dtype=np.uint32)))


def draw_cases(spec: Check, key: str, grade_id: str) -> list[Case]:
    """The check's cases for the grading `key`: the same key draws the same inputs."""
    overrides = spec.cases if isinstance(spec.cases, list) else [{}] * int(spec.cases)
    params = spec.params
    cases = []
    for index, override in enumerate(overrides):
        rng = _rng(key, grade_id, spec.name, index)
        drawn = {}
        for name, recipe in {**spec.inputs, **override}.items():
            drawn[name] = draw(recipe, rng, drawn)
        args, kwargs = [], {}
        for name in params:
            if name not in drawn or isinstance(drawn[name], _Default):
                continue
            if kwargs or len(args) < params.index(name):
                kwargs[name] = drawn[name]
            else:
                args.append(drawn[name])
        passed = {**dict(zip(params, args, strict=False)), **kwargs}
        cases.append(Case(args, kwargs, int(rng.integers(2**31)),
                          _describe(spec, drawn, passed, params)))
    return cases


def _describe(spec: Check, drawn: dict, passed: dict, params: list) -> str:
    """How messages name a case: its hyper-parameters and shapes, never its arrays."""
    if spec.describe:
        return spec.describe.format(**drawn)
    parts, network_shown = [], False
    for name, value in passed.items():
        if isinstance(value, (bool, int, float, np.integer, np.floating)):
            parts.append(f"{name}={value}")
        elif isinstance(value, np.ndarray):
            parts.append(f"{name} of shape {value.shape}")
        elif isinstance(value, dict) and "W1" in value and not network_shown:
            layers = len(value) // 2
            sizes = [value["W1"].shape[1]] + [value[f"W{l}"].shape[0]
                                              for l in range(1, layers + 1)]  # noqa: E741
            parts.append(f"a {layers}-layer network {tuple(sizes)}")
            network_shown = True
    if len(passed) < len([p for p in params if p in drawn]):
        parts.append("the other arguments at their defaults")
    return ", ".join(parts)


def prepare(grade_id: str, checks: list, key: str) -> Prepared:
    """Draw the cell's cases for the grading `key` and run the reference on them, here."""
    cases, encoded, expected = [], [], []
    for spec in checks:
        drawn = draw_cases(spec, key, grade_id)
        sent = []
        for case in drawn:
            passed = spec.params[: len(case.args)] + sorted(case.kwargs)
            sent.append({"args": [kernel_side.encode(a) for a in case.args],
                         "kwargs": {n: kernel_side.encode(a) for n, a in case.kwargs.items()},
                         "seed": case.seed, "probe": spec.separate,
                         "report": [i for i, n in enumerate(passed) if n in spec.unchanged]})
        with _lock:  # the reference may use numpy's global generator: one run at a time
            reference = kernel_side.run_cases(spec.function, sent)
        reference = wire.read_results(reference["results"])  # made here: no size check
        for case, result in zip(drawn, reference, strict=True):
            if "raised" in result:
                raise RuntimeError(f"the reference {spec.name} raised {result['raised']}: "
                                   f"{result['message']} ({case.description}); check the "
                                   f"inputs of its hidden test in {grade_id}")
        cases.append(drawn)
        encoded.append(sent)
        expected.append(reference)
    return Prepared(grade_id, checks, cases, encoded, expected)


# --- the verdict --------------------------------------------------------------------------------


@dataclass
class Verdict:
    passed: bool
    ename: str = ""
    message: str = ""


NO_RESULTS = "TestsIncomplete"
INVALID = "InvalidResults"


def verdict(prepared: Prepared, reports: list, cell_error: str = "") -> Verdict:
    """Judge the reports a cell sent back (JSON data, one per check, in order)."""
    names = ", ".join(dict.fromkeys(c.name for c in prepared.checks))
    if not reports:  # the cell's own error says why; without one, the notebook interfered
        why = f" ({cell_error})" if cell_error else \
            "; did the notebook change how cells run or what they display?"
        return Verdict(False, NO_RESULTS, f"the hidden tests of {names} sent back no results{why}")
    if len(reports) != len(prepared.checks):
        return Verdict(False, INVALID, f"the hidden tests of {names} sent back {len(reports)} "
                       f"sets of results instead of {len(prepared.checks)}: does the notebook "
                       "display results of its own?")
    total = 0
    for spec, cases, expected, report in zip(prepared.checks, prepared.cases, prepared.expected,
                                             reports, strict=True):
        try:
            got = wire.read_report(report, len(cases))
        except wire.Malformed as err:
            return Verdict(False, INVALID, f"the results sent back for {spec.name} are not "
                           f"valid ({err}); did the notebook change how results are sent?")
        for case, mine, want in zip(cases, got, expected, strict=True):
            failure = _judge_case(spec, case, mine, want)
            if failure is not None:
                return failure
        total += len(cases)
    return Verdict(True, message=f"{names}: right on all {total} hidden test inputs.")


def _judge_case(spec: Check, case: Case, got: dict, want: dict) -> Verdict | None:
    where = case.description
    if "raised" in got:
        detail = f": {got['message']}" if got["message"] else ""
        return Verdict(False, got["raised"],
                       f"{spec.name} raised {got['raised']}{detail} ({where})")
    if set(got) != set(want) or set(got["inputs"]) != set(want["inputs"]):
        return Verdict(False, INVALID, f"the results sent back for {spec.name} are not valid "
                       "(not the results asked for); did the notebook change how results are "
                       "sent?")
    names = spec.returns
    roots = _roots(names, got["returned"], want["returned"], spec.order)
    for stage in (_structure, _values):
        for path, mine, expected in roots:
            problem = stage(mine, expected, path, spec.tolerance)
            if problem:
                return _wrong(spec, problem, names, where)
    passed = spec.params[: len(case.args)] + sorted(case.kwargs)
    markers = _markers(want.get("probed"), [], {}) if spec.separate else {}
    if spec.separate:
        for path, mine, expected in _roots(names, got["probed"], want["probed"], spec.order):
            problem = _structure(mine, expected, path, 0.0) or \
                _values(mine, expected, path, 0.0)
            if problem:
                return _wrong(spec, _shared(problem, got["probed"], markers, names, spec.name),
                              names, where)
    for name in spec.unchanged:
        if name not in passed:
            continue
        index = passed.index(name)
        mine, expected = got["inputs"][str(index)], want["inputs"][str(index)]
        problem = _structure(mine, expected, (), 0.0) or _values(mine, expected, (), 0.0)
        if problem:
            problem.input = name
            if spec.separate:
                problem = _shared(problem, mine, markers, names, spec.name)
            return _wrong(spec, problem, names, where)
    return None


# Comparison: a structural pass (kinds, lengths, keys, dtypes, shapes), then the values.


@dataclass
class Problem:
    kind: str  # type, length, keys, dtype, shape, values, shared
    path: tuple
    detail: str = ""
    input: str | None = None  # an argument that should have been left alone


def _roots(names, got, want, order):
    """(path, got, expected) per named part of the returned value, in checking order."""
    if isinstance(names, tuple) and type(want) is tuple and type(got) is tuple and \
            len(got) == len(want) == len(names):
        indexes = [names.index(n) for n in order] if order else range(len(names))
        return [((i,), got[i], want[i]) for i in indexes]
    return [((), got, want)]


def _kind(value) -> str:
    if isinstance(value, wire.Opaque):
        return f"an object of type {value.type}"
    if type(value) is tuple:
        return f"a tuple of {len(value)}"
    names = {bool: "a bool", int: "a number", float: "a number", type(None): "None",
             np.ndarray: "a numpy array", dict: "a dict", list: "a list", str: "a string"}
    return names.get(type(value), "something else")


def _structure(got, want, path, tol) -> Problem | None:
    if _kind(got) != _kind(want) and not (type(want) is tuple and type(got) is tuple):
        return Problem("type", path, f"should be {_kind(want)}, got {_kind(got)}")
    if type(want) in (list, tuple):
        if len(got) != len(want):
            return Problem("length", path, f"should hold {len(want)} items, got {len(got)}")
        for index, (mine, expected) in enumerate(zip(got, want, strict=True)):
            problem = _structure(mine, expected, (*path, index), tol)
            if problem:
                return problem
    elif type(want) is dict:
        if set(got) != set(want):
            missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
            detail = "should have the keys " + ", ".join(sorted(want))
            detail += f" (missing {', '.join(missing)})" if missing else ""
            detail += f" (unexpected {', '.join(extra)})" if extra else ""
            return Problem("keys", path, detail)
        for key in sorted(want):
            problem = _structure(got[key], want[key], (*path, key), tol)
            if problem:
                return problem
    elif type(want) is np.ndarray:
        if got.dtype != want.dtype:
            return Problem("dtype", path, f"should be an array of {want.dtype}, got {got.dtype}")
        if got.shape != want.shape:
            return Problem("shape", path, f"should have shape {want.shape}, got {got.shape}")
    return None


def _values(got, want, path, tol) -> Problem | None:
    if type(want) in (list, tuple):
        for index, (mine, expected) in enumerate(zip(got, want, strict=True)):
            problem = _values(mine, expected, (*path, index), tol)
            if problem:
                return problem
        return None
    if type(want) is dict:
        for key in sorted(want):
            problem = _values(got[key], want[key], (*path, key), tol)
            if problem:
                return problem
        return None
    if type(want) is np.ndarray:
        same = _close(got, want, tol) if want.dtype.kind == "f" else \
            bool(np.array_equal(got, want))
    elif type(want) in (int, float):
        same = bool(_close(np.float64(got), np.float64(want), tol))
    else:
        same = got == want
    return None if same else Problem("values", path)


def _close(got, want, tol) -> bool:
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.abs(got - want) <= tol * (1.0 + np.abs(want))
        return bool(np.all(near | (got == want) | (np.isnan(got) & np.isnan(want))))


def _markers(value, path: list, found: dict) -> dict:
    """{number: path} of the arrays the probe filled in the reference's returned value."""
    if type(value) is np.ndarray:
        found[len(found) + 1] = tuple(path)
    elif type(value) is dict:
        for key, item in value.items():
            _markers(item, [*path, key], found)
    elif type(value) in (list, tuple):
        for index, item in enumerate(value):
            _markers(item, [*path, index], found)
    return found


def _at(value, path: tuple):
    for step in path:
        value = value[step]
    return value


def _shared(problem: Problem, got, markers: dict, names, fname: str) -> Problem:
    """A difference after the probe, named as the memory sharing it reveals: the array holds
    the number the probe wrote into another returned array."""
    value = _at(got, problem.path)
    if type(value) is np.ndarray and value.size and value.dtype.kind in "biuf":
        first = value.flat[0]
        owner = markers.get(int(first)) if float(first).is_integer() else None
        if owner is not None and bool(np.all(value == first)) and \
                (problem.input is not None or owner != problem.path):
            problem.kind = "shared"
            problem.detail = f"shares memory with {_render(owner, names, fname)}"
            return problem
    if problem.input is None:
        problem.kind = "shared"
        problem.detail = "changed when another returned array was written to: it shares memory"
    return problem


def _render(path: tuple, names, fname: str, input_name: str | None = None) -> str:
    if input_name is not None:
        text = input_name
    elif isinstance(names, tuple) and path and isinstance(path[0], int):
        text, path = names[path[0]], path[1:]
    elif isinstance(names, str):
        text = names
    else:
        text = f"the value {fname} returned"
    for step in path:
        text += f'["{step}"]' if isinstance(step, str) else f"[{step}]"
    return text


def _root_name(problem: Problem, names) -> str | None:
    if problem.input is not None:
        return problem.input
    if isinstance(names, tuple) and problem.path and isinstance(problem.path[0], int):
        return names[problem.path[0]]
    return names if isinstance(names, str) else None


def _hint(spec: Check, problem: Problem, names) -> str:
    hint = spec.hints.get(_root_name(problem, names), spec.hints.get("*", ""))
    if isinstance(hint, dict):
        hint = hint.get(problem.kind, hint.get("*", ""))
    if not hint and problem.input is not None:
        hint = f"{problem.input} should be left as it was: the function should only read it"
    return hint


def _wrong(spec: Check, problem: Problem, names, where: str) -> Verdict:
    path = _render(problem.path, names, spec.name, problem.input)
    if problem.input is not None and problem.kind == "shared":
        text = f"{path} {problem.detail} ({where})"
    elif problem.input is not None:
        text = f"{path} was modified by {spec.name} ({where})"
    elif problem.kind == "values":
        text = f"{path} is wrong ({where})"
    else:
        text = f"{path} {problem.detail} ({where})"
    hint = _hint(spec, problem, names)
    return Verdict(False, "AssertionError", f"{text}: {hint}" if hint else text)

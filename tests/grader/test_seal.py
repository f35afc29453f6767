"""Sealed autograder cells: the guard, SealTestCells and RequirePassTokens, piece by piece.

End to end, against real attacks, they are tested by tests/hostile/test_tampering.py.
"""

from __future__ import annotations

import builtins
import copy
import dis
import io
import sys
import types

import IPython
import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_output

from grader import course, kernel_guard
from grader.kernel_guard import pass_token
from grader.notebook_io import read_notebook
from grader.preprocessors import RequirePassTokens, SealTestCells
from grader.preprocessors.require_pass_tokens import INCOMPLETE
from grader.preprocessors.sandboxed_execute import _kernel_env
from grader.preprocessors.seal_test_cells import TOKEN_PREFIX

OURS = course.default_assignment()  # this repository's own assignment

KEY = bytes(range(32))


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id", "")


def autograder_cells():
    return {grade_id(c)[: -len("_tests")]: c.source
            for c in read_notebook(OURS.source_notebook).cells
            if grade_id(c).endswith("_tests")}


def global_lookups(source: str) -> set[str]:
    """Names `source` reads from its globals or builtins and never assigns at module level."""
    loaded, stored = set(), set()

    def walk(code):
        for instruction in dis.get_instructions(code):
            if instruction.opname in ("LOAD_GLOBAL", "LOAD_NAME"):
                loaded.add(instruction.argval)
            elif instruction.opname in ("STORE_NAME", "STORE_GLOBAL", "IMPORT_NAME"):
                stored.add(instruction.argval)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                walk(const)

    walk(compile(source, "<hidden tests>", "exec"))
    return loaded - stored


@pytest.mark.parametrize("function", list(autograder_cells()))
def test_hidden_tests_look_up_only_numpy_their_function_and_builtins(function):
    """What the guard gives them - and what makes judging answers one at a time faithful."""
    names = global_lookups(autograder_cells()[function])
    assert names - set(dir(builtins)) <= {"np", function}


@pytest.fixture
def sealed():
    nb = read_notebook(OURS.source_notebook)
    original = copy.deepcopy(nb)
    resources = {"grader": {}}
    nb, resources = SealTestCells().preprocess(nb, resources)
    return original, nb, resources


def test_seal_turns_each_autograder_cell_into_one_guarded_call(sealed):
    original, nb, resources = sealed
    guard, seals = resources["grader"]["guard"], resources["grader"]["seals"]
    key = resources["grader"]["key"]
    assert guard.isidentifier() and guard.startswith("_grader_")
    assert isinstance(key, bytes) and len(key) == 32
    assert len(seals) == 8
    for before, after in zip(original.cells, nb.cells, strict=True):
        gid = grade_id(after)
        if gid not in seals:
            assert after.source == before.source
            continue
        function = gid[: -len("_tests")]
        assert seals[gid] == before.source
        assert after.source == f"{guard}.run_tests({gid!r}, {before.source!r}, " \
                               f"{function}={function})"
        assert "\n" not in after.source and TOKEN_PREFIX not in after.source
        assert key.hex() not in after.source and repr(key) not in after.source
        compile(after.source, "<sealed>", "exec")


def test_keys_and_tokens_differ_between_gradings(sealed):
    _, _, first = sealed
    _, second = SealTestCells().preprocess(read_notebook(OURS.source_notebook), {})
    assert first["grader"]["guard"] != second["grader"]["guard"]
    assert first["grader"]["key"] != second["grader"]["key"]
    tokens = {pass_token(r["grader"]["key"], gid, source)
              for r in (first, second) for gid, source in r["grader"]["seals"].items()}
    assert len(tokens) == 16 and all(t.startswith(TOKEN_PREFIX) for t in tokens)


def test_a_token_depends_on_key_grade_id_and_test_code():
    token = pass_token(KEY, "f_tests", "assert f() == 1")
    assert token.startswith(TOKEN_PREFIX) and len(token) == len(TOKEN_PREFIX) + 64
    assert token == pass_token(KEY, "f_tests", "assert f() == 1")
    assert len({token, pass_token(bytes(32), "f_tests", "assert f() == 1"),
                pass_token(KEY, "g_tests", "assert f() == 1"),
                pass_token(KEY, "f_tests", "pass")}) == 4


TOKEN = pass_token(KEY, "f_tests", "# tests")


def _test_cell(token_printed: bool, *, error: bool = False, ran: bool = True, extra="",
               token=TOKEN):
    cell = new_code_cell("sealed()", metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": "f_tests", "points": 5}})
    cell.execution_count = 1 if ran else None
    if token_printed:
        cell.outputs.append(new_output("stream", name="stdout", text=f"{extra}\n{token}\n"))
    if error:
        cell.outputs.append(new_output("error", ename="AssertionError", evalue="wrong",
                                       traceback=["----> 1 _g.run_tests('f_tests', ...)", "wrong"]))
    return cell


def _check(*cells, died=None):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    resources = {"grader": {"guard": "_g", "key": KEY, "seals": {"f_tests": "# tests"},
                            "events": {"kernel_died": died}}}
    nb, _ = RequirePassTokens().preprocess(nb, resources)
    return nb.cells


def test_a_cell_with_its_token_passes_and_loses_the_token():
    (cell,) = _check(_test_cell(True, extra="student output"))
    assert cell.source == "# tests"
    assert [out.output_type for out in cell.outputs] == ["stream"]
    assert cell.outputs[0].text == "student output"


def test_a_cell_without_its_token_fails_unless_it_already_failed():
    (silent,) = _check(_test_cell(False))
    assert [(o.output_type, o.get("ename")) for o in silent.outputs] == \
        [("error", "TestsIncomplete")]
    assert silent.outputs[0].evalue == INCOMPLETE
    (failed,) = _check(_test_cell(False, error=True))
    assert [o.ename for o in failed.outputs] == ["AssertionError"]  # its own error, unchanged
    assert failed.outputs[0].traceback == ["wrong"]  # the frame quoting the sealed call is gone
    (unrun,) = _check(_test_cell(False, ran=False))
    assert unrun.outputs == []  # FailUnrunTests' job


def test_a_token_for_other_test_code_or_another_key_fails_and_is_removed():
    """What a rewritten sealed cell prints: the guard's token for other test code, or a line
    posing as a token."""
    for wrong in (pass_token(KEY, "f_tests", "pass"), pass_token(bytes(32), "f_tests", "# tests"),
                  TOKEN_PREFIX + "0" * 64):
        (cell,) = _check(_test_cell(True, extra="student output", token=wrong))
        assert [(o.output_type, o.get("ename")) for o in cell.outputs] == \
            [("stream", None), ("error", "TestsIncomplete")]
        assert TOKEN_PREFIX not in cell.outputs[0].text


def test_a_cell_during_which_the_kernel_died_fails_even_with_its_token():
    (cell,) = _check(_test_cell(True), died=0)
    assert [o.get("ename") for o in cell.outputs if o.output_type == "error"] == ["KernelDied"]


@pytest.fixture
def guard(monkeypatch):
    """The guard installed in this process as in a fresh kernel; what it prints goes to .out."""
    user_ns, out = {}, io.StringIO()
    monkeypatch.setattr(IPython, "get_ipython", lambda: types.SimpleNamespace(user_ns=user_ns))
    monkeypatch.setattr(sys, "stdout", out)
    exec(compile(kernel_guard.prelude("_guard", KEY), "<prelude>", "exec"), {})  # noqa: S102
    monkeypatch.undo()
    assert set(user_ns) == {"_guard"}  # nothing else is left behind
    user_ns["_guard"].out = out
    return user_ns["_guard"]


def test_guard_runs_tests_with_numpy_and_builtins_as_they_were(guard, monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *args, **kwargs: True)
    monkeypatch.setattr(np, "all", lambda *args, **kwargs: True)
    source = "assert not np.allclose(1.0, 2.0)\nassert not np.all([False])\nassert f(3) == 4"
    guard.run_tests("f_tests", source, f=lambda x: x + 1)
    assert guard.out.getvalue() == "\n" + pass_token(KEY, "f_tests", source) + "\n"


def test_guard_signs_the_test_code_it_ran_not_the_code_it_was_sealed_with(guard):
    guard.run_tests("f_tests", "pass", f=lambda: 2)
    assert guard.out.getvalue() == "\n" + pass_token(KEY, "f_tests", "pass") + "\n"


def test_guard_prints_no_token_when_a_test_fails(guard):
    with pytest.raises(AssertionError, match="wrong"):
        guard.run_tests("f_tests", "assert f() == 1, 'wrong'", f=lambda: 2)
    assert guard.out.getvalue() == ""


def test_guard_refuses_strings_in_disguise_and_shadowed_builtins(guard):
    """A str subclass could hash as other code than it compiles to; a keyword argument named
    like a builtin would shadow it in the hidden tests' namespace."""

    class Disguised(str):
        def encode(self, *args, **kwargs):
            return b"assert f() == 1"

    with pytest.raises(TypeError, match="plain strings"):
        guard.run_tests("f_tests", Disguised("pass"), f=lambda: 2)
    with pytest.raises(TypeError, match="shadow a builtin"):
        guard.run_tests("f_tests", "assert isinstance(f(), str)", f=lambda: 2,
                        isinstance=lambda *args: True)
    assert guard.out.getvalue() == ""


def test_guard_refuses_to_run_under_a_trace_function(guard):
    if sys.gettrace() is not None:
        pytest.skip("this test run is itself traced (coverage or a debugger)")
    sys.settrace(lambda *args: None)
    try:
        with pytest.raises(RuntimeError, match="trace"):
            guard.run_tests("f_tests", "pass")
    finally:
        sys.settrace(None)
    assert guard.out.getvalue() == ""


def test_isolated_kernel_environment_points_at_nothing_of_the_grader(monkeypatch):
    monkeypatch.setenv("COURSE_SECRET_DIR", "/somewhere/private")
    env = _kernel_env("/tmp/grading-x", isolated=True)
    assert "COURSE_SECRET_DIR" not in env and env["HOME"] == "/tmp"
    assert set(env) <= {"PATH", "HOME", "TMPDIR", "LANG", "PYTHONNOUSERSITE", "PYTHONPATH",
                        "MPLBACKEND", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                        "MKL_NUM_THREADS", "PYDEVD_DISABLE_FILE_VALIDATION",
                        "NBGRADER_EXECUTION"}
    assert "COURSE_SECRET_DIR" in _kernel_env("/tmp/grading-x", isolated=False)

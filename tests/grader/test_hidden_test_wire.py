"""The hidden-test machinery piece by piece: what crosses the kernel boundary, and how.

End to end, against real attacks, it is tested by tests/hostile; for fairness by tests/fairness;
against the bug bank by tests/bugbank.
"""

from __future__ import annotations

import base64
import json
import stat

import numpy as np
import pytest

from grader import course
from grader.hidden_tests import judge, kernel_side, seeds, wire
from grader.hidden_tests.recipes import default, derived, index_row, integers, like, network


def roundtrip(value):
    return wire.value(json.loads(json.dumps(kernel_side.encode(value))))


def test_plain_values_cross_the_boundary_unchanged():
    value = ({"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1))},
             [np.array([[1, 2]]), 3, 2.5, True, None, "text"], np.float64(0.25), np.int64(7))
    back = roundtrip(value)
    assert back[0]["W1"].dtype == np.float64 and (back[0]["W1"] == value[0]["W1"]).all()
    assert back[1][0].dtype == np.int64 and back[1][1:] == [3, 2.5, True, None, "text"]
    assert back[2] == 0.25 and type(back[2]) is float and back[3] == 7


def test_objects_that_only_look_like_plain_values_are_named_by_their_type():
    class Number(float):
        pass

    class Mapping(dict):
        pass

    class Array(np.ndarray):
        pass

    assert roundtrip(Number(0.5)) == wire.Opaque("Number")
    assert roundtrip(Mapping(a=1)) == wire.Opaque("Mapping")
    assert roundtrip(np.zeros(3).view(Array)) == wire.Opaque("Array")
    assert roundtrip(np.array([object()])) == wire.Opaque("ndarray of object")
    assert roundtrip({1: 2}) == wire.Opaque("dict")  # keys are names
    deep = 1.0
    for _ in range(100):
        deep = [deep]
    assert "nested too deeply" in json.dumps(kernel_side.encode(deep))


ARRAY = {"t": "ndarray", "dtype": "<f8", "shape": [2], "data": base64.b64encode(
    np.array([1.0, 2.0]).tobytes()).decode()}


@pytest.mark.parametrize("node, why", [
    ([], "not described"),
    ({"t": "pickle", "v": "x"}, "unknown"),
    ({"t": "float", "v": "1.0", "extra": 1}, "unknown or malformed"),
    ({"t": "float", "v": "one"}, "not a float"),
    ({**ARRAY, "dtype": "|O8"}, "dtype"),
    ({**ARRAY, "dtype": "<U8"}, "dtype"),
    ({**ARRAY, "shape": [3]}, "does not match"),
    ({**ARRAY, "shape": [-2]}, "shape"),
    ({**ARRAY, "data": "not base64!"}, "base64"),
    ({"t": "dict", "items": [["a", ARRAY], ["a", ARRAY]]}, "twice"),
    ({"t": "dict", "items": [[1, ARRAY]]}, "str key"),
])
def test_anything_but_what_encode_produces_is_rejected(node, why):
    with pytest.raises(wire.Malformed, match=why):
        wire.value(node)


def test_reports_are_bounded_and_must_match_the_cases():
    case = {"returned": {"t": "none"}, "inputs": {}}
    assert wire.read_report({"results": [case]}, 1) == [{"returned": None, "inputs": {}}]
    with pytest.raises(wire.Malformed, match="2 results for 1"):
        wire.read_report({"results": [case, case]}, 1)
    with pytest.raises(wire.Malformed, match="too large"):
        wire.read_report({"results": [{"returned": {"t": "str", "v": "x" * 5_000_000},
                                       "inputs": {}}]}, 1)
    with pytest.raises(wire.Malformed, match="unexpected fields"):
        wire.read_report({"results": [{**case, "verdict": "passed"}]}, 1)


def checks():
    return judge.load_checks(course.SOURCE_NOTEBOOK, course.SKIP_TAG)


def test_every_autograder_cell_of_the_course_declares_a_check():
    found = checks()
    assert len(found) == 8 and all(len(declared) == 1 for declared in found.values())
    for grade_id, (declared,) in found.items():
        assert declared.name == course.function_of(grade_id)


def test_same_key_same_inputs_other_key_other_inputs():
    spec = checks()["update_parameters_with_adam_tests"][0]
    first = judge.draw_cases(spec, "key-a", "update_parameters_with_adam_tests")
    again = judge.draw_cases(spec, "key-a", "update_parameters_with_adam_tests")
    other = judge.draw_cases(spec, "key-b", "update_parameters_with_adam_tests")
    assert [c.description for c in first] == [c.description for c in again]
    assert all((a.args[0]["W1"] == b.args[0]["W1"]).all() for a, b in zip(first, again,
                                                                           strict=True))
    assert [c.description for c in first] != [c.description for c in other]
    assert not (first[0].args[0]["W1"].shape == other[0].args[0]["W1"].shape and
                np.allclose(first[0].args[0]["W1"], other[0].args[0]["W1"]))


def test_instructors_control_the_kind_of_inputs():
    spec = checks()["random_mini_batches_tests"][0]
    for key in ("a", "b", "c", "d"):
        sizes = [(case.args[0].shape[1], case.args[2])
                 for case in judge.draw_cases(spec, key, "random_mini_batches_tests")]
        assert sizes[2][0] % sizes[2][1] == 0  # rest=0: no partial batch
        assert sizes[3][0] < sizes[3][1]  # full=0: a single partial batch
        assert sizes[4][0] % sizes[4][1] == 1  # a one-column last batch
    adam = checks()["update_parameters_with_adam_tests"][0]
    cases = judge.draw_cases(adam, "a", "update_parameters_with_adam_tests")
    assert cases[2].args[4] == 1 and all(case.args[4] >= 2 for case in cases[:2])
    assert "at their defaults" in cases[3].description and len(cases[3].args) == 5


def test_recipes_draw_what_they_say():
    rng = np.random.default_rng(0)
    params = network(layers=2, units=integers(3, 3)).draw(rng, {})
    assert sorted(params) == ["W1", "W2", "b1", "b2"] and params["W2"].shape == (3, 3)
    grads = like("params").draw(rng, {"params": params})
    assert sorted(grads) == ["dW1", "dW2", "db1", "db2"]
    assert index_row("m").draw(rng, {"m": 4}).tolist() == [[0, 1, 2, 3]]
    assert derived(lambda a, b: a * b).draw(rng, {"a": 3, "b": 5}) == 15
    assert repr(default) == "default"


def test_the_kernel_gets_inputs_only_never_expected_values_or_hints():
    for grade_id, declared in checks().items():
        prepared = judge.prepare(grade_id, declared, "any-key")
        source = prepared.source()
        for spec in declared:
            for hint in spec.hints.values():
                for text in (hint.values() if isinstance(hint, dict) else [hint]):
                    assert text not in source, (grade_id, text)
        assert "check(" not in source and "HIDDEN TESTS" not in source
        compile(source, grade_id, "exec")


def test_messages_say_what_is_wrong_without_the_expected_values():
    grade_id = "update_lr_tests"
    prepared = judge.prepare(grade_id, checks()[grade_id], "k")
    wrong = kernel_side.run_cases(lambda a, e, d: a / (1 + e), prepared.encoded[0])
    verdict = judge.verdict(prepared, [json.loads(json.dumps(wrong))])
    assert not verdict.passed and verdict.ename == "AssertionError"
    assert verdict.message.startswith("learning_rate is wrong (learning_rate0=")
    assert "learning_rate0 / (1 + decay_rate * epoch_num)" in verdict.message
    for expected in prepared.expected[0]:
        assert repr(expected["returned"])[:8] not in verdict.message


def test_no_report_or_several_reports_fail_the_cell():
    grade_id = "update_lr_tests"
    prepared = judge.prepare(grade_id, checks()[grade_id], "k")
    right = json.loads(json.dumps(kernel_side.run_cases(
        lambda a, e, d: a / (1 + d * e), prepared.encoded[0])))
    assert judge.verdict(prepared, [right]).passed
    assert judge.verdict(prepared, [right, right]).ename == judge.INVALID
    nothing = judge.verdict(prepared, [], "NameError: name 'update_lr' is not defined")
    assert nothing.ename == judge.NO_RESULTS and "NameError" in nothing.message
    assert "change how cells run" not in nothing.message  # the error says why: no guessing
    silent = judge.verdict(prepared, [])
    assert silent.ename == judge.NO_RESULTS and "change how cells run" in silent.message
    noted = judge.verdict(prepared, [{"invalid": "more than 8 bytes of results"}])
    assert noted.ename == judge.INVALID and "more than 8 bytes" in noted.message


def test_well_formed_results_missing_a_part_fail_the_cell():
    grade_id = "initialize_velocity_tests"
    prepared = judge.prepare(grade_id, checks()[grade_id], "k")
    real = kernel_side.run_cases(lambda p: {"d" + k: np.zeros_like(x) for k, x in p.items()},
                                 prepared.encoded[0])
    assert judge.verdict(prepared, [json.loads(json.dumps(real))]).passed
    for part in ("probed", "inputs"):
        forged = json.loads(json.dumps(real))
        for case in forged["results"]:
            del case[part]
        verdict = judge.verdict(prepared, [forged])
        assert not verdict.passed and verdict.ename == judge.INVALID, part


def test_the_secret_is_kept_in_a_private_file_and_keys_depend_on_the_file(tmp_path,
                                                                          monkeypatch):
    monkeypatch.delenv(seeds.ENV, raising=False)
    secret = seeds.grading_secret(tmp_path)
    assert secret == seeds.grading_secret(tmp_path) and len(secret) == 64
    assert stat.S_IMODE((tmp_path / seeds.SECRET_FILE).stat().st_mode) == 0o600
    assert seeds.inputs_key(secret, b"nb") == seeds.inputs_key(secret, b"nb")
    assert seeds.inputs_key(secret, b"nb") != seeds.inputs_key(secret, b"nb ")
    assert seeds.inputs_key(secret, b"nb") != seeds.inputs_key(b"other", b"nb")
    monkeypatch.setenv(seeds.ENV, "from-the-environment")
    assert seeds.grading_secret(tmp_path) == b"from-the-environment"


def test_stock_nbgrader_autograde_is_told_it_cannot_judge_hidden_tests(monkeypatch):
    """Run as it is by stock `nbgrader autograde`, a hidden test could only check the
    student's function against itself and pass anything that runs: it fails, saying how to
    grade instead. The instructor running the notebook still gets the self-test."""
    def update_lr(learning_rate0, epoch_num, decay_rate):
        return learning_rate0 * 2  # wrong, and nothing to compare it with in the kernel

    declaration = dict(inputs=dict(learning_rate0=integers(1, 9), epoch_num=integers(0, 9),
                                   decay_rate=integers(1, 3)), returns="learning_rate")
    assert judge.check(update_lr, **declaration).name == "update_lr"  # the instructor's run
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(judge.StockAutogradeCannotJudge, match="python -m grader autograde"):
        judge.check(update_lr, **declaration)

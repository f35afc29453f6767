"""Calls a function on the grader's inputs and describes what came out, as plain data.

This file's source is sent, with the inputs, in each autograder cell when a submission is graded:
it runs in the student's kernel, so it decides nothing and holds nothing secret. The grading
worker runs the same code on the instructor's reference (``run_cases``) and compares the two
descriptions itself (grader/hidden_tests/judge.py). It needs only the standard library and numpy.

A description (``encode``) is JSON: {"t": kind, ...} with kind one of none, bool, int, float,
str, dict, list, tuple, ndarray (dtype, shape and the raw bytes in base64), or object (anything
else, by type name). Only exact types count: a subclass of dict, float or ndarray is an object.
"""

import base64

MIME = "application/vnd.grader.results+json"
MAX_DEPTH = 12


def encode(value, depth=0):
    """Plain-data description of `value`."""
    import numpy as np

    kind = type(value)
    if depth > MAX_DEPTH:
        return {"t": "object", "type": "nested too deeply"}
    if value is None:
        return {"t": "none"}
    if kind is bool or kind is np.bool_:
        return {"t": "bool", "v": bool(value)}
    if kind is int or kind in (np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32,
                               np.uint16, np.uint8):
        return {"t": "int", "v": str(int(value))} if abs(int(value)) < 10**18 else \
            {"t": "float", "v": repr(float(value))}
    if kind is float or kind in (np.float64, np.float32, np.float16):
        return {"t": "float", "v": repr(float(value))}
    if kind is str:
        return {"t": "str", "v": value[:200]}
    if kind is dict and all(type(key) is str for key in value):
        return {"t": "dict", "items": [[key, encode(item, depth + 1)]
                                       for key, item in value.items()]}
    if kind is list or kind is tuple:
        return {"t": kind.__name__, "items": [encode(item, depth + 1) for item in value]}
    if kind is np.ndarray and value.dtype.kind in "biuf" and value.dtype.fields is None:
        data = np.ascontiguousarray(value).tobytes()
        return {"t": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                "data": base64.b64encode(data).decode("ascii")}
    name = kind.__name__ if kind is not np.ndarray else f"ndarray of {value.dtype}"
    return {"t": "object", "type": str(name)[:80]}


def decode(node):
    """The value an `encode` description stands for (inputs from the grader: trusted)."""
    import numpy as np

    kind = node["t"]
    if kind == "none":
        return None
    if kind in ("bool", "str"):
        return node["v"]
    if kind == "int":
        return int(node["v"])
    if kind == "float":
        return float(node["v"])
    if kind == "dict":
        return {key: decode(item) for key, item in node["items"]}
    if kind in ("list", "tuple"):
        items = [decode(item) for item in node["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "ndarray":
        data = base64.b64decode(node["data"])
        return np.frombuffer(data, dtype=np.dtype(node["dtype"])).reshape(node["shape"]).copy()
    raise ValueError(f"cannot decode {kind}")


def _arrays(value, found):
    """The writable ndarrays in `value`, in encoding order."""
    import numpy as np

    if type(value) is np.ndarray and value.flags.writeable:
        found.append(value)
    elif type(value) is dict:
        for item in value.values():
            _arrays(item, found)
    elif type(value) in (list, tuple):
        for item in value:
            _arrays(item, found)
    return found


def run_case(function, case):
    """Call `function` on one case: what it returned (and, with "probe", what it returned after
    each returned array was filled with its own number), and the inputs numbered in "report"
    (positional arguments, then keyword arguments by name) as they are after the call."""
    import numpy as np

    args = [decode(arg) for arg in case["args"]]
    kwargs = {name: decode(arg) for name, arg in case["kwargs"].items()}
    np.random.seed(case["seed"])
    try:
        returned = function(*args, **kwargs)
    except Exception as error:  # the verdict names it; BaseException (interrupts) propagates
        try:
            message = str(error)[:300]
        except Exception:
            message = ""
        return {"raised": str(type(error).__name__)[:80], "message": message}
    report = {"returned": encode(returned)}
    if case.get("probe"):
        for number, array in enumerate(_arrays(returned, []), start=1):
            array[...] = number
        report["probed"] = encode(returned)
    passed = args + [kwargs[name] for name in sorted(kwargs)]
    report["inputs"] = {str(index): encode(passed[index]) for index in case["report"]}
    return report


def run_cases(function, cases):
    """The description of `function` on every case, as sent back to the grader."""
    return {"results": [run_case(function, case) for case in cases]}


def report(function, cases):
    """Run the cases and send their description to the grader as display data."""
    from IPython.display import display

    display({MIME: run_cases(function, cases)}, raw=True)

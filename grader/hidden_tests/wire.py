"""Reads what a kernel sent back, trusting nothing: the grader's side of kernel_side.encode.

Everything is checked before use - the JSON shapes, the kinds, the dtype (plain numbers only),
the shape against the byte count, the nesting depth and the total size - and anything else
raises Malformed, which fails the cell with a clear message. Nothing in here can run code.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from .kernel_side import MAX_DEPTH

MAX_REPORT_BYTES = 4_000_000  # JSON size of one report: far above any honest answer's
DTYPE = re.compile(r"^[<>|=][biuf][1248]$")


class Malformed(ValueError):
    """A report that is not what kernel_side.encode produces."""


@dataclass(frozen=True)
class Opaque:
    """A value the kernel could only describe by its type's name (not plain data)."""

    type: str


def report_size(data) -> int:
    """Bytes of `data` as JSON (bounded work: gives up past the limit)."""
    try:
        return len(json.dumps(data))
    except (TypeError, ValueError, RecursionError) as err:
        raise Malformed(f"not JSON data ({type(err).__name__})") from err


def read_report(data, cases: int) -> list[dict]:
    """The per-case results of one report, decoded: [{"returned", "probed"?, "inputs"} or
    {"raised", "message"}], one per case; "inputs" maps argument numbers to values."""
    size = report_size(data)
    if size > MAX_REPORT_BYTES:
        raise Malformed(f"the results are too large ({size:,} bytes; the limit is "
                        f"{MAX_REPORT_BYTES:,})")
    if type(data) is dict and set(data) == {"invalid"} and type(data["invalid"]) is str:
        raise Malformed(data["invalid"][:200])  # what SandboxedExecute noted instead
    if type(data) is not dict or set(data) != {"results"} or type(data["results"]) is not list:
        raise Malformed("not a results report")
    if len(data["results"]) != cases:
        raise Malformed(f"{len(data['results'])} results for {cases} cases")
    return read_results(data["results"])


def read_results(results: list) -> list[dict]:
    """Each case's results, decoded (read_report without the size and count checks)."""
    return [_read_case(case) for case in results]


def _read_case(case) -> dict:
    if type(case) is not dict:
        raise Malformed("a case is not a mapping")
    if set(case) == {"raised", "message"}:
        if type(case["raised"]) is not str or type(case["message"]) is not str:
            raise Malformed("an error report is not text")
        return {"raised": case["raised"][:80], "message": case["message"][:300]}
    if set(case) not in ({"returned", "inputs"}, {"returned", "probed", "inputs"}):
        raise Malformed("a case has unexpected fields")
    if type(case["inputs"]) is not dict:
        raise Malformed("inputs are not a mapping")
    read = {"returned": value(case["returned"]),
            "inputs": {str(k): value(x) for k, x in case["inputs"].items()}}
    if "probed" in case:
        read["probed"] = value(case["probed"])
    return read


def value(node, depth: int = 0):
    """The Python value a description stands for: dict, list, tuple, float64/int/... ndarray,
    int, float, bool, None, str, or Opaque."""
    if depth > MAX_DEPTH + 1:
        raise Malformed("nested too deeply")
    if type(node) is not dict or type(node.get("t")) is not str:
        raise Malformed("a value is not described as {'t': kind, ...}")
    kind, fields = node["t"], set(node) - {"t"}
    if kind == "none" and not fields:
        return None
    if kind == "bool" and fields == {"v"} and type(node["v"]) is bool:
        return node["v"]
    if kind in ("int", "float", "str", "object") and fields == ({"type"} if kind == "object"
                                                                 else {"v"}):
        text = node["type" if kind == "object" else "v"]
        if type(text) is not str or len(text) > 400:
            raise Malformed(f"a {kind} is not short text")
        return _scalar(kind, text)
    if kind == "dict" and fields == {"items"} and type(node["items"]) is list:
        out = {}
        for pair in node["items"]:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise Malformed("a dict item is not [str key, value]")
            if pair[0] in out:
                raise Malformed("a dict has a key twice")
            out[pair[0]] = value(pair[1], depth + 1)
        return out
    if kind in ("list", "tuple") and fields == {"items"} and type(node["items"]) is list:
        items = [value(item, depth + 1) for item in node["items"]]
        return items if kind == "list" else tuple(items)
    if kind == "ndarray" and fields == {"dtype", "shape", "data"}:
        return _array(node)
    raise Malformed(f"unknown or malformed kind {kind!r}")


def _scalar(kind: str, text: str):
    if kind == "str":
        return text
    if kind == "object":
        return Opaque(text)
    try:
        return int(text) if kind == "int" else float(text)
    except ValueError as err:
        raise Malformed(f"{text[:40]!r} is not a {kind}") from err


def _array(node) -> np.ndarray:
    dtype, shape, data = node["dtype"], node["shape"], node["data"]
    if type(dtype) is not str or not DTYPE.match(dtype):
        raise Malformed("an array's dtype is not a plain number type")
    if type(shape) is not list or len(shape) > 32 or \
            any(type(n) is not int or n < 0 for n in shape):
        raise Malformed("an array's shape is not a list of sizes")
    if type(data) is not str:
        raise Malformed("an array's data is not base64 text")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as err:
        raise Malformed("an array's data is not base64") from err
    try:
        kind = np.dtype(dtype)
    except TypeError as err:
        raise Malformed("an array's dtype is not a plain number type") from err
    if len(raw) != math.prod(shape) * kind.itemsize:
        raise Malformed("an array's data does not match its shape")
    return np.frombuffer(raw, dtype=kind).reshape(shape)

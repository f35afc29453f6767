"""Bench: the solution notebook's six training runs on `utils` versus the plain reference."""

from __future__ import annotations

import json
import time

import numpy as np

from grader import course
from utils.datasets import load_moons

from . import plain_reference

OURS = course.default_assignment()  # this repository's own assignment

LAYERS = [2, 5, 2, 1]
# SPEC's six runs: name -> (model arguments, training accuracy); "decay" means schedule_lr_decay
RUNS = {
    "GD": ({"optimizer": "gd"}, 0.7967),
    "Momentum": ({"optimizer": "momentum", "beta": 0.9}, 0.7967),
    "Adam": ({"optimizer": "adam"}, 0.94),
    "GD + decay": ({"optimizer": "gd", "learning_rate": 0.1, "num_epochs": 5000,
                    "decay": True}, 0.9433),
    "Momentum + decay": ({"optimizer": "momentum", "learning_rate": 0.1, "num_epochs": 5000,
                          "decay": True}, 0.9533),
    "Adam + decay": ({"optimizer": "adam", "learning_rate": 0.01, "num_epochs": 5000,
                      "decay": True}, 0.94),
}


def notebook_namespace() -> dict:
    """The source notebook's imports, solution and model cells, run in a fresh namespace."""
    namespace = {"__name__": "solution_notebook"}
    for cell in json.loads(OURS.source_notebook.read_text(encoding="utf-8"))["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") in ("imports", "model") or meta.get("solution"):
            exec(compile("".join(cell["source"]), meta["grade_id"], "exec"), namespace)
    return namespace


def train(code, X, Y, arguments: dict, num_epochs: int | None = None):
    """One run with the notebook's or plain_reference's code: (parameters, costs, accuracy)."""
    arguments = dict(arguments, print_cost=False)
    if arguments.get("decay"):
        arguments["decay"] = code["schedule_lr_decay"]
    if num_epochs is not None:
        arguments["num_epochs"] = num_epochs
    parameters, costs = code["model"](X, Y, LAYERS, **arguments)
    return parameters, costs, code["accuracy"](X, Y, parameters)


def max_difference(a: dict, b: dict) -> float:
    """Largest absolute difference between two parameter dicts with the same keys."""
    return max(float(np.max(np.abs(a[key] - b[key]))) for key in a)


def run(repeat: int = 2) -> dict:
    """Time each run with utils and plainly (best of `repeat`), checking they agree."""
    notebook, plain = notebook_namespace(), vars(plain_reference)
    X, Y = load_moons()
    variants = [("utils", notebook), ("plain", plain)]
    best = {"utils": {}, "plain": {}}
    runs = {}
    for attempt in range(repeat):
        for name, (arguments, expected) in RUNS.items():
            results = {}
            for variant, code in variants[:: 1 if attempt % 2 == 0 else -1]:
                started = time.perf_counter()
                results[variant] = train(code, X, Y, arguments)
                elapsed = time.perf_counter() - started
                best[variant][name] = min(elapsed, best[variant].get(name, elapsed))
            accuracies = [round(results[v][2], 4) for v in ("utils", "plain")]
            assert accuracies == [expected, expected], f"{name}: accuracies {accuracies}"
            runs[name] = {"accuracy": expected,
                          "max_parameter_difference": max_difference(results["utils"][0],
                                                                     results["plain"][0])}
    worst = max(r["max_parameter_difference"] for r in runs.values())
    assert worst <= 1e-12, f"utils and the plain reference differ by {worst}"
    seconds = {variant: sum(times.values()) for variant, times in best.items()}
    return {"utils_seconds": round(seconds["utils"], 2),
            "plain_seconds": round(seconds["plain"], 2),
            "ratio": round(seconds["utils"] / seconds["plain"], 3), "repeat": repeat, "runs": runs}

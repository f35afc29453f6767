"""Run the notebook's own optimizer functions on a 2-D surface and record where they go.

A point (x, y) of the plane is handed to those functions as the parameters of a network with a
single one-by-one layer, ``{"W1": [[x]], "b1": [[y]]}``, and the surface's gradient there as
``{"dW1": [[dL/dx]], "db1": [[dL/dy]]}``, so ``update_parameters_with_gd``, ``..._with_momentum``,
``..._with_adam``, ``update_lr`` and ``schedule_lr_decay`` run exactly as they are written. Nothing
here implements an update rule: every step is the student's code, called through this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from utils.public_tests import EXERCISES
from utils.surfaces import Surface, quadratic

# An optimizer further than this from the minimum, in units of the plot window, has diverged.
ESCAPE = 1e3
# Optional functions of the notebook's "try it" cells, named in messages like exercises.
OPTIONAL = {"update_parameters_with_nesterov": "the optional Nesterov cell",
            "update_parameters_with_rmsprop": "the optional RMSProp cell"}


class NotReady(Exception):
    """A notebook function the explorer needs is missing, unfinished or broken."""

    def __init__(self, function: str, reason: str):
        super().__init__(f"{function} {reason}")
        self.function, self.reason = function, reason


@dataclass
class Settings:
    """Everything a run depends on: start, number of steps, rates, betas and the decay schedule."""

    start: tuple[float, float] = (-4.0, 1.0)
    num_steps: int = 60
    gd_learning_rate: float = 0.05
    momentum_learning_rate: float = 0.05
    beta: float = 0.9
    adam_learning_rate: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    decay: str = "off"  # "off", "update_lr" or "schedule_lr_decay"
    decay_rate: float = 0.1
    time_interval: int = 10


@dataclass(frozen=True)
class Optimizer:
    """One optimizer, its steps taken by notebook functions (``needs``, in the order called)."""

    label: str
    needs: tuple[str, ...]
    rate: str  # the Settings field holding its learning rate
    start: Callable  # (functions, parameters, settings) -> state
    # (functions, parameters, grads, state, t, learning_rate, settings) -> (parameters, state)
    step: Callable


@dataclass
class Path:
    """Where an optimizer went: points (n + 1, 2), losses (n + 1,) and the rate of each step."""

    label: str
    points: np.ndarray
    losses: np.ndarray
    learning_rates: np.ndarray
    diverged: bool = False
    notes: list[str] = field(default_factory=list)


def as_parameters(point) -> dict:
    """The point (x, y) as a one-layer parameters dict {"W1": [[x]], "b1": [[y]]}."""
    return {"W1": np.array([[float(point[0])]]), "b1": np.array([[float(point[1])]])}


def as_grads(gradient) -> dict:
    """The gradient (dL/dx, dL/dy) as a grads dict {"dW1": [[dL/dx]], "db1": [[dL/dy]]}."""
    return {"dW1": np.array([[float(gradient[0])]]), "db1": np.array([[float(gradient[1])]])}


def as_point(parameters, function: str) -> tuple[float, float]:
    """The point (x, y) a one-layer parameters dict holds; else NotReady, blaming ``function``."""
    try:
        x, y = (np.asarray(parameters[key], dtype=float) for key in ("W1", "b1"))
    except (TypeError, KeyError, IndexError, ValueError):
        raise NotReady(function, 'should return parameters: a dict with "W1" and "b1", got '
                       f"{type(parameters).__name__}") from None
    if x.size != 1 or y.size != 1:
        raise NotReady(function, "turned the (1, 1) arrays W1 and b1 into arrays of shapes "
                       f"{x.shape} and {y.shape}")
    return float(x.ravel()[0]), float(y.ravel()[0])


def call(functions: dict, name: str, *args, returns: int = 1):
    """functions[name](*args), any failure turned into a NotReady that names the function."""
    if name not in functions:
        raise NotReady(name, "is not defined yet: run its cell")
    try:
        result = functions[name](*args)
    except NotImplementedError:
        raise NotReady(name, "is not written yet (it raises NotImplementedError)") from None
    except Exception as error:  # the student's code: any error is a message, not a crash
        raise NotReady(name, f"raises {type(error).__name__}: {error}") from None
    if returns > 1 and not (isinstance(result, tuple) and len(result) == returns):
        raise NotReady(name, f"should return a tuple of {returns} values, got "
                       f"{type(result).__name__}")
    return result


def _gd_step(f, parameters, grads, state, t, learning_rate, s):
    return call(f, "update_parameters_with_gd", parameters, grads, learning_rate), state


def _velocity(f, parameters, s):
    return call(f, "initialize_velocity", parameters)


def _momentum_step(f, parameters, grads, v, t, learning_rate, s):
    return call(f, "update_parameters_with_momentum", parameters, grads, v, s.beta, learning_rate,
                returns=2)


def _nesterov_step(f, parameters, grads, v, t, learning_rate, s):
    return call(f, "update_parameters_with_nesterov", parameters, grads, v, s.beta, learning_rate,
                returns=2)


def _adam_start(f, parameters, s):
    return call(f, "initialize_adam", parameters, returns=2)


def _adam_step(f, parameters, grads, state, t, learning_rate, s):
    v, sq = state
    parameters, v, sq, _, _ = call(f, "update_parameters_with_adam", parameters, grads, v, sq, t,
                                   learning_rate, s.beta1, s.beta2, s.epsilon, returns=5)
    return parameters, (v, sq)


def _rmsprop_step(f, parameters, grads, sq, t, learning_rate, s):
    return call(f, "update_parameters_with_rmsprop", parameters, grads, sq, s.beta2,
                learning_rate, s.epsilon, returns=2)


OPTIMIZERS = {
    "gd": Optimizer("gradient descent", ("update_parameters_with_gd",), "gd_learning_rate",
                    lambda f, p, s: None, _gd_step),
    "momentum": Optimizer("momentum", ("initialize_velocity", "update_parameters_with_momentum"),
                          "momentum_learning_rate", _velocity, _momentum_step),
    "adam": Optimizer("Adam", ("initialize_adam", "update_parameters_with_adam"),
                      "adam_learning_rate", _adam_start, _adam_step),
    "nesterov": Optimizer("Nesterov momentum",
                          ("initialize_velocity", "update_parameters_with_nesterov"),
                          "momentum_learning_rate", _velocity, _nesterov_step),
    "rmsprop": Optimizer("RMSProp", ("initialize_velocity", "update_parameters_with_rmsprop"),
                         "adam_learning_rate", _velocity, _rmsprop_step),
}


def learning_rate_at(functions: dict, settings: Settings, learning_rate0: float, k: int) -> float:
    """The rate of step k (from 0): the decay function of the settings applied to step k."""
    if settings.decay == "off":
        return learning_rate0
    if settings.decay == "update_lr":
        rate = call(functions, "update_lr", learning_rate0, k, settings.decay_rate)
    else:
        rate = call(functions, "schedule_lr_decay", learning_rate0, k, settings.decay_rate,
                    settings.time_interval)
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise NotReady(settings.decay,
                       f"should return a number, got {type(rate).__name__}") from None
    if not np.isfinite(rate):
        raise NotReady(settings.decay, f"returned {rate}")
    return rate


def run(surface: Surface, optimizer: Optimizer, functions: dict, settings: Settings) -> Path:
    """Take settings.num_steps steps of ``optimizer`` on ``surface`` with the notebook's functions.

    Raises NotReady when one of those functions is missing, unfinished or fails; stops early, with
    ``diverged`` set, once the point leaves the plane far behind or stops being a number.
    """
    point = tuple(float(c) for c in settings.start)
    parameters = as_parameters(point)
    state = optimizer.start(functions, parameters, settings)
    learning_rate0 = getattr(settings, optimizer.rate)
    points, rates = [point], []
    window = max(np.ptp(surface.xlim), np.ptp(surface.ylim))
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(settings.num_steps):
            rate = learning_rate_at(functions, settings, learning_rate0, k)
            grads = as_grads(surface.gradient(*point))
            parameters, state = optimizer.step(functions, as_parameters(point), grads, state,
                                               k + 1, rate, settings)
            point = as_point(parameters, optimizer.needs[-1])
            rates.append(rate)
            if not np.all(np.isfinite(point)) or np.hypot(
                    point[0] - surface.minimum[0], point[1] - surface.minimum[1]) > ESCAPE * window:
                diverged = True
                break
            points.append(point)
        points = np.array(points)
        losses = surface.loss(points[:, 0], points[:, 1])
    return Path(optimizer.label, points, losses, np.array(rates), diverged)


def check(optimizer: Optimizer, functions: dict) -> NotReady | None:
    """None if the notebook's functions run the optimizer for a few steps, else what is wrong."""
    try:
        probe = quadratic(4, start=(1.0, 1.0))
        run(probe, optimizer, functions, Settings(start=probe.start, num_steps=3))
    except NotReady as problem:
        return problem
    return None


def check_schedule(name: str, functions: dict) -> NotReady | None:
    """None if the notebook's ``name`` (update_lr or schedule_lr_decay) gives numbers, else why."""
    try:
        learning_rate_at(functions, Settings(decay=name), 0.1, 3)
    except NotReady as problem:
        return problem
    return None


def where(function: str) -> str:
    """How the notebook names the place a function is written: its exercise or optional cell."""
    if function in EXERCISES:
        return f"exercise {EXERCISES[function]} (`{function}`)"
    return f"{OPTIONAL.get(function, 'the cell')} (`{function}`)"


def order(problems: list[NotReady]) -> list[NotReady]:
    """One problem per function, in the notebook's order (exercises first, optional cells last)."""
    unique = {}
    for problem in problems:
        unique.setdefault(problem.function, problem)
    return sorted(unique.values(), key=lambda p: EXERCISES.get(p.function, len(EXERCISES) + 1))

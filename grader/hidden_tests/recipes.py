"""How hidden-test inputs are drawn: small recipes an instructor combines in ``check(...)``.

A recipe draws one value from the grader's random generator, given the values drawn before it
(in the order of the ``inputs`` mapping). Anything that is not a recipe is used as it is.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np


class Recipe:
    """Something that draws a value: ``draw(rng, drawn)``."""

    def draw(self, rng: np.random.Generator, drawn: dict):
        raise NotImplementedError


def draw(spec, rng: np.random.Generator, drawn: dict):
    """The value of `spec`: drawn if it is a recipe, else `spec` itself."""
    return spec.draw(rng, drawn) if isinstance(spec, Recipe) else spec


def _size(spec, rng, drawn) -> int:
    """A dimension: an int, the name of an input drawn before, or a recipe."""
    value = drawn[spec] if isinstance(spec, str) else draw(spec, rng, drawn)
    if not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"a dimension must be a non-negative int, got {value!r} from {spec!r}")
    return int(value)


@dataclass(frozen=True)
class integers(Recipe):  # noqa: N801 - reads as a word in a check, like a function
    """An int from `low` to `high`, both included."""

    low: int
    high: int

    def draw(self, rng, drawn):
        return int(rng.integers(self.low, self.high + 1))


@dataclass(frozen=True)
class uniform(Recipe):  # noqa: N801
    """A float in [low, high), rounded to `digits` decimals so messages stay readable."""

    low: float
    high: float
    digits: int = 3

    def draw(self, rng, drawn):
        return round(float(rng.uniform(self.low, self.high)), self.digits)


class choice(Recipe):  # noqa: N801
    """One of the options (each may itself be a recipe)."""

    def __init__(self, *options):
        if not options:
            raise ValueError("choice() needs at least one option")
        self.options = options

    def draw(self, rng, drawn):
        return draw(self.options[int(rng.integers(len(self.options)))], rng, drawn)


class normal(Recipe):  # noqa: N801
    """A float64 array of the given shape: standard normal times `scale`, or uniform in
    [0, scale) with ``positive=True``. Dimensions are ints, names of earlier inputs, or recipes."""

    def __init__(self, *shape, scale: float = 1.0, positive: bool = False):
        self.shape, self.scale, self.positive = shape, scale, positive

    def draw(self, rng, drawn):
        shape = tuple(_size(dim, rng, drawn) for dim in self.shape)
        values = rng.random(shape) if self.positive else rng.standard_normal(shape)
        return self.scale * values


class network(Recipe):  # noqa: N801
    """Parameters {"W1", "b1", ..., "WL", "bL"} of a network with random layer sizes.

    ``layers`` and ``units`` draw L and each layer's size; ``sizes`` fixes them all,
    e.g. ``network(sizes=(4, 5, 3, 1))``. Wl has shape (n_l, n_{l-1}), bl (n_l, 1).
    """

    def __init__(self, layers=integers(1, 3), units=integers(1, 6), sizes=None):
        self.layers, self.units, self.sizes = layers, units, sizes

    def draw(self, rng, drawn):
        sizes = self.sizes
        if sizes is None:
            count = _size(self.layers, rng, drawn)
            sizes = [_size(self.units, rng, drawn) for _ in range(count + 1)]
        params = {}
        for l in range(1, len(sizes)):  # noqa: E741 - the course's layer index
            params[f"W{l}"] = rng.standard_normal((sizes[l], sizes[l - 1]))
            params[f"b{l}"] = rng.standard_normal((sizes[l], 1))
        return params


class like(Recipe):  # noqa: N801
    """A dict of arrays shaped like the dict input `name`, keys prefixed with `prefix`:
    ``like("parameters")`` draws gradients {"dW1": ..., "db1": ...}."""

    def __init__(self, name: str, prefix: str = "d", scale: float = 1.0, positive: bool = False):
        self.name, self.prefix, self.scale, self.positive = name, prefix, scale, positive

    def draw(self, rng, drawn):
        out = {}
        for key, value in drawn[self.name].items():
            shape = np.shape(value)
            values = rng.random(shape) if self.positive else rng.standard_normal(shape)
            out[self.prefix + key] = self.scale * values
        return out


class index_row(Recipe):  # noqa: N801
    """The int64 row [[0, 1, ..., m - 1]]: labels that tell which example went where."""

    def __init__(self, columns):
        self.columns = columns

    def draw(self, rng, drawn):
        return np.arange(_size(self.columns, rng, drawn)).reshape(1, -1)


class derived(Recipe):  # noqa: N801
    """A value computed from earlier inputs, named by the function's parameters:
    ``derived(lambda full, rest, mini_batch_size: full * mini_batch_size + rest)``."""

    def __init__(self, function):
        self.function = function

    def draw(self, rng, drawn):
        names = inspect.signature(self.function).parameters
        return self.function(**{name: drawn[name] for name in names})


class _Default:
    """Leave this argument out of the call: the function's own default applies."""

    def __repr__(self):
        return "default"


default = _Default()

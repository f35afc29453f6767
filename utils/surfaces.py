"""Two-dimensional losses, with their exact gradients, on which the optimizers can be watched.

A surface's ``loss(x, y)`` accepts numbers or equally shaped arrays (the contour plots evaluate a
whole grid at once); ``gradient(x, y)`` returns the pair (dL/dx, dL/dy). Each surface also knows
its lowest value, so the figures can plot how far above it an optimizer still is, and carries
settings under which the three optimizers show what sets them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Surface:
    """A loss over the plane: values, gradient, lowest value, plot window and suggested settings."""

    title: str
    loss: Callable
    gradient: Callable
    minimum: tuple[float, float]
    min_value: float
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    start: tuple[float, float]
    settings: dict = field(default_factory=dict)  # suggested slider values for the explorer


def quadratic(kappa: float, start=(-4.0, 0.6), xlim=None, ylim=None, settings=None) -> Surface:
    """The bowl L = (x² + κ y²) / 2: curvature 1 along x and κ along y, condition number κ."""
    kappa = float(kappa)
    return Surface(
        title=f"ill-conditioned bowl, κ = {kappa:g}",
        loss=lambda x, y: 0.5 * (np.square(x) + kappa * np.square(y)),
        gradient=lambda x, y: (x, kappa * y),
        minimum=(0.0, 0.0),
        min_value=0.0,
        xlim=xlim or (-1.2 * abs(start[0]) - 0.5, 1.2 * abs(start[0]) + 0.5),
        ylim=ylim or (-1.5 * abs(start[1]) - 0.5, 1.5 * abs(start[1]) + 0.5),
        start=start,
        settings=settings or {},
    )


def rosenbrock(b: float = 10.0) -> Surface:
    """Rosenbrock's curved valley L = (1 - x)² + b (y - x²)², lowest at (1, 1)."""
    return Surface(
        title=f"curved valley (Rosenbrock, b = {b:g})",
        loss=lambda x, y: np.square(1 - x) + b * np.square(y - np.square(x)),
        gradient=lambda x, y: (-2 * (1 - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)),
        minimum=(1.0, 1.0),
        min_value=0.0,
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        start=(-1.5, 2.5),
        settings={"num_steps": 150, "gd_learning_rate": 0.008, "momentum_learning_rate": 0.03,
                  "beta": 0.9, "adam_learning_rate": 0.1},
    )


def saddle() -> Surface:
    """L = x²/2 + y⁴/4 - y²/2: a saddle at the origin between two valleys at (0, ±1)."""
    return Surface(
        title="saddle point between two valleys",
        loss=lambda x, y: 0.5 * np.square(x) + 0.25 * np.square(np.square(y)) - 0.5 * np.square(y),
        gradient=lambda x, y: (x, y * y * y - y),
        minimum=(0.0, 1.0),
        min_value=-0.25,
        xlim=(-2.5, 2.5),
        ylim=(-1.6, 1.6),
        start=(-2.2, 0.001),
        settings={"num_steps": 60, "gd_learning_rate": 0.2, "momentum_learning_rate": 0.5,
                  "beta": 0.9, "adam_learning_rate": 0.1},
    )


def explorer_surfaces() -> dict[str, Surface]:
    """The surfaces the explorer offers, by the name shown in its menu."""
    return {
        # GD at its best step 2 / (1 + κ); momentum at a rate of √β ≈ 0.89 per step on both axes.
        "ill-conditioned bowl (κ = 50)": quadratic(
            50, start=(-4.0, 0.6), xlim=(-4.6, 1.4), ylim=(-1.0, 1.0),
            settings={"num_steps": 60, "gd_learning_rate": 0.039,
                      "momentum_learning_rate": 0.15, "beta": 0.8, "adam_learning_rate": 0.3}),
        "curved valley (Rosenbrock)": rosenbrock(),
        "saddle point": saddle(),
    }

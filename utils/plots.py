"""Figures for the optimization notebook: the data, decision boundaries, costs and learning rates.

Every function draws on the Axes it is given, or on a new figure's Axes when ``ax`` is None, and
returns that Axes. Nothing here chooses a backend or calls ``plt.show()``, so the functions work the
same inline in Jupyter and headless (Agg) under the tests and the autograder.
"""

import matplotlib.pyplot as plt
import numpy as np

# The fixed window the decision boundaries are drawn in, as in the original assignment; it frames
# the two-moons data with some margin, and keeping it fixed makes the optimizers' plots comparable.
BOUNDARY_XLIM = (-1.5, 2.5)
BOUNDARY_YLIM = (-1.0, 1.5)
# Grid step of the background colouring: fine enough for a smooth edge at notebook figure sizes.
BOUNDARY_STEP = 0.01

_CMAP = "Spectral"


def _axes(ax):
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots()
    return ax


def plot_dataset(X, Y, ax=None, title=None):
    """Scatter the points X, (2, m), coloured by their labels Y, (1, m)."""
    ax = _axes(ax)
    ax.scatter(X[0], X[1], c=np.ravel(Y), s=40, cmap=_CMAP, edgecolors="k", linewidths=0.3)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_decision_boundary(predict_fn, X, Y, ax=None, title=None):
    """Colour the fixed window by predict_fn's labels, then scatter the data X, Y on top."""
    ax = _axes(ax)
    xs = np.arange(BOUNDARY_XLIM[0], BOUNDARY_XLIM[1] + BOUNDARY_STEP, BOUNDARY_STEP)
    ys = np.arange(BOUNDARY_YLIM[0], BOUNDARY_YLIM[1] + BOUNDARY_STEP, BOUNDARY_STEP)
    grid_x, grid_y = np.meshgrid(xs, ys)
    points = np.vstack([grid_x.ravel(), grid_y.ravel()])  # (2, n): one grid point per column
    labels = np.asarray(predict_fn(points), dtype=float).reshape(grid_x.shape)
    ax.contourf(grid_x, grid_y, labels, cmap=_CMAP)
    plot_dataset(X, Y, ax=ax, title=title)
    ax.set_xlim(BOUNDARY_XLIM)
    ax.set_ylim(BOUNDARY_YLIM)
    return ax


def plot_costs(costs, every=100, ax=None, title=None):
    """Plot each run's cost curve (label -> costs recorded every ``every`` epochs) on one Axes."""
    ax = _axes(ax)
    for label, recorded in costs.items():
        values = np.asarray(recorded, dtype=float)
        ax.plot(np.arange(len(values)) * every, values, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("cost")
    ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax


def plot_lr_schedules(schedules, num_epochs, ax=None, title=None):
    """Plot each schedule (label -> callable epoch -> learning rate) over num_epochs epochs."""
    ax = _axes(ax)
    epochs = np.arange(num_epochs)
    for label, schedule in schedules.items():
        ax.plot(epochs, [schedule(epoch) for epoch in epochs], label=label)
    # Log scale: decaying every epoch shrinks the rate by orders of magnitude within a few hundred
    # epochs, so on a linear axis that curve hugs zero and is indistinguishable from the step
    # schedule's later steps; on a log axis both shapes (and how far apart they end up) are visible.
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.legend()
    if title is not None:
        ax.set_title(title)
    return ax

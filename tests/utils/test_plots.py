"""Tests for utils.plots, drawn headless with the Agg backend."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from utils.datasets import load_moons  # noqa: E402
from utils.nn import initialize_parameters, predict_dec  # noqa: E402
from utils.plots import (  # noqa: E402
    plot_costs,
    plot_dataset,
    plot_decision_boundary,
    plot_lr_schedules,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def moons():
    return load_moons()


def scatter_collections(ax):
    return [c for c in ax.collections if isinstance(c, PathCollection)]


def test_plot_dataset_scatters_every_point(moons):
    X, Y = moons
    ax = plot_dataset(X, Y, title="Two moons")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "Two moons"
    (scatter,) = scatter_collections(ax)
    np.testing.assert_array_equal(scatter.get_offsets(), X.T)
    np.testing.assert_array_equal(scatter.get_array(), Y.ravel())


def test_plot_dataset_draws_on_the_given_axes(moons):
    X, Y = moons
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_dataset(X, Y, ax=right) is right
    assert len(fig.axes) == 2
    assert not left.collections and len(right.collections) == 1
    assert right.get_title() == ""


def test_plot_decision_boundary(moons):
    X, Y = moons
    queried = []

    def predict_fn(points):
        queried.append(points)
        return points[0] > 0.5

    ax = plot_decision_boundary(predict_fn, X, Y, title="boundary")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "boundary"
    assert ax.get_xlim() == pytest.approx((-1.5, 2.5))
    assert ax.get_ylim() == pytest.approx((-1.0, 1.5))

    (points,) = queried
    assert points.ndim == 2 and points.shape[0] == 2
    assert points[0].min() == pytest.approx(-1.5) and points[0].max() >= 2.5 - 1e-9
    assert points[1].min() == pytest.approx(-1.0) and points[1].max() >= 1.5 - 1e-9

    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert len(contours) == 1
    (scatter,) = [c for c in scatter_collections(ax) if not isinstance(c, ContourSet)]
    np.testing.assert_array_equal(scatter.get_offsets(), X.T)


def test_plot_decision_boundary_accepts_predict_dec(moons):
    X, Y = moons
    parameters = initialize_parameters([2, 5, 2, 1])
    fig, ax = plt.subplots()
    result = plot_decision_boundary(lambda P: predict_dec(parameters, P), X, Y, ax=ax)
    assert result is ax
    assert len(fig.axes) == 1
    fig.canvas.draw()  # renders without error


def test_plot_costs_one_line_per_run():
    costs = {"gd": [0.7, 0.6, 0.5, 0.45], "adam": np.array([0.7, 0.3, 0.2, 0.15])}
    ax = plot_costs(costs, title="costs")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "costs"
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["gd", "adam"]
    for line, values in zip(lines, costs.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), [0, 100, 200, 300])
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["gd", "adam"]
    assert "epoch" in ax.get_xlabel()


def test_plot_costs_every_sets_the_epoch_spacing():
    ax = plot_costs({"run": [3.0, 2.0, 1.0]}, every=10)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [0, 10, 20])


def test_plot_lr_schedules():
    schedules = {
        "every epoch": lambda epoch: 0.1 / (1 + epoch),
        "every 100 epochs": lambda epoch: 0.1 / (1 + epoch // 100),
    }
    ax = plot_lr_schedules(schedules, 300, title="rates")
    assert isinstance(ax, Axes)
    assert ax.get_title() == "rates"
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == list(schedules)
    epochs = np.arange(300)
    for line, schedule in zip(lines, schedules.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), epochs)
        np.testing.assert_allclose(line.get_ydata(), [schedule(e) for e in epochs])
    assert ax.get_yscale() == "log"
    assert ax.get_legend() is not None


def test_plot_lr_schedules_on_given_axes():
    fig, ax = plt.subplots()
    assert plot_lr_schedules({"constant": lambda epoch: 0.01}, 5, ax=ax) is ax
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), [0.01] * 5)

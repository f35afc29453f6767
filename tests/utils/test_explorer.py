"""The optimizer explorer: theory as tests, exact gradients, unfinished exercises, live redraws."""

import base64

import numpy as np
import pytest

from utils import explorer as explorer_module
from utils.explorer import Explorer, explore, unfinished_message
from utils.surfaces import explorer_surfaces, quadratic, rosenbrock, saddle
from utils.trajectories import OPTIMIZERS, NotReady, Settings, run

KAPPAS = (10, 100, 1000)


@pytest.fixture(scope="module")
def functions(solutions):
    """The reference solutions by name, as the notebook's globals() holds them."""
    return dict(vars(solutions))


def contraction(surface, optimizer, functions, settings):
    """Measured per-step contraction of the distance to the minimum over the run's second half."""
    path = run(surface, OPTIMIZERS[optimizer], functions, settings)
    assert not path.diverged and len(path.points) == settings.num_steps + 1
    distance = np.hypot(*(path.points - np.array(surface.minimum)).T)
    half = settings.num_steps // 2
    return (distance[-1] / distance[half]) ** (1 / (settings.num_steps - half))


def steps_for(rate, decades=80):
    """Steps that shrink the distance by 10**decades at this rate (still far above 1e-308)."""
    return int(decades * np.log(10) / -np.log(rate))


@pytest.mark.parametrize("kappa", KAPPAS)
def test_gradient_descent_at_its_best_step_contracts_at_kappa_minus_1_over_kappa_plus_1(
        kappa, functions):
    theory = (kappa - 1) / (kappa + 1)
    surface = quadratic(kappa, start=(1.0, 1.0))
    best = 2 / (1 + kappa)  # 2 / (smallest + largest curvature)
    settings = Settings(start=(1.0, 1.0), num_steps=steps_for(theory), gd_learning_rate=best)
    measured = contraction(surface, "gd", functions, settings)
    assert measured == pytest.approx(theory, rel=0.01)
    # and it is the best: a shorter step, or a longer one still below 2 / kappa, contracts slower
    for other in (0.8 * best, (best + 2 / kappa) / 2):
        slower = Settings(start=(1.0, 1.0), num_steps=200, gd_learning_rate=other)
        assert contraction(surface, "gd", functions, slower) > measured


@pytest.mark.parametrize("kappa", KAPPAS)
def test_heavy_ball_momentum_at_its_best_contracts_at_sqrt_kappa_rate(kappa, functions):
    root = np.sqrt(kappa)
    theory = (root - 1) / (root + 1)
    # Polyak's heavy ball x <- x - a g + b (x - x_prev) is best at a = 4 / (1 + sqrt k)^2 and
    # b = theory^2. The notebook's momentum, v <- b v + (1 - b) g and x <- x - lr v, is that same
    # heavy ball with a = lr (1 - b), so its best learning rate is a / (1 - b).
    beta = theory**2
    heavy_ball_step = 4 / (1 + root) ** 2
    settings = Settings(start=(1.0, 1.0), num_steps=steps_for(theory), beta=beta,
                        momentum_learning_rate=heavy_ball_step / (1 - beta))
    measured = contraction(quadratic(kappa, start=(1.0, 1.0)), "momentum", functions, settings)
    # Both extreme curvatures are critically damped (a double root): the distance shrinks like
    # k * theory^k, so the measured rate exceeds the theory by a factor 2^(1 / n) -> 1.
    assert measured == pytest.approx(theory, rel=0.02)
    gd_best = (kappa - 1) / (kappa + 1)
    assert measured < gd_best  # the speed-up momentum is for


@pytest.mark.parametrize("surface", [quadratic(7), rosenbrock(), saddle(),
                                     *explorer_surfaces().values()],
                         ids=lambda s: s.title)
def test_surface_gradients_match_finite_differences(surface):
    rng = np.random.default_rng(0)
    h = 1e-6
    for _ in range(20):
        x, y = rng.uniform(*surface.xlim), rng.uniform(*surface.ylim)
        numeric = ((surface.loss(x + h, y) - surface.loss(x - h, y)) / (2 * h),
                   (surface.loss(x, y + h) - surface.loss(x, y - h)) / (2 * h))
        assert np.allclose(surface.gradient(x, y), numeric, rtol=1e-6, atol=1e-6)
    assert surface.loss(*surface.minimum) == pytest.approx(surface.min_value)
    assert np.allclose(surface.gradient(*surface.minimum), 0)


def test_the_runner_hands_the_students_functions_one_layer_dicts(functions):
    seen = []

    def spy(parameters, grads, learning_rate):
        seen.append((dict(parameters), dict(grads)))  # the update may rebind the dict's entries
        return functions["update_parameters_with_gd"](parameters, grads, learning_rate)

    surface = quadratic(4)
    path = run(surface, OPTIMIZERS["gd"], {"update_parameters_with_gd": spy},
               Settings(start=(2.0, -1.0), num_steps=3, gd_learning_rate=0.1))
    parameters, grads = seen[0]
    assert set(parameters) == {"W1", "b1"} and set(grads) == {"dW1", "db1"}
    assert all(value.shape == (1, 1) and value.dtype == np.float64
               for value in (*parameters.values(), *grads.values()))
    assert (parameters["W1"][0, 0], parameters["b1"][0, 0]) == (2.0, -1.0)
    assert (grads["dW1"][0, 0], grads["db1"][0, 0]) == (2.0, -4.0)  # (x, 4 y)
    assert np.allclose(path.points[1], (2.0 - 0.1 * 2.0, -1.0 + 0.1 * 4.0))
    assert path.losses[0] == surface.loss(2.0, -1.0) and len(path.losses) == 4


def test_decay_runs_the_students_schedule_at_every_step(functions):
    settings = Settings(num_steps=25, gd_learning_rate=0.04, decay="schedule_lr_decay",
                        decay_rate=1.0, time_interval=10)
    path = run(quadratic(4), OPTIMIZERS["gd"], functions, settings)
    assert np.allclose(path.learning_rates, [0.04 / (1 + k // 10) for k in range(25)])
    settings.decay = "update_lr"
    path = run(quadratic(4), OPTIMIZERS["gd"], functions, settings)
    assert np.allclose(path.learning_rates, [0.04 / (1 + k) for k in range(25)])


def test_a_diverging_run_stops_with_finite_points(functions):
    path = run(quadratic(10), OPTIMIZERS["gd"], functions,
               Settings(num_steps=300, gd_learning_rate=0.5))  # beyond 2 / 10
    assert path.diverged and len(path.points) < 301
    assert np.isfinite(path.points).all()


def stub(*args, **kwargs):
    raise NotImplementedError()


def blank_functions(functions, *unfinished):
    """The solutions, with the named functions replaced by the release's stubs."""
    return {**functions, **dict.fromkeys(unfinished, stub)}


def test_unfinished_exercises_are_named_in_notebook_order(functions, monkeypatch):
    shown = []
    monkeypatch.setattr(explorer_module, "display", shown.append)
    everything = ("update_parameters_with_gd", "initialize_velocity",
                  "update_parameters_with_momentum", "initialize_adam",
                  "update_parameters_with_adam", "update_lr", "schedule_lr_decay")
    explore(blank_functions(functions, *everything))
    assert len(shown) == 1, "a blank notebook gets the message only: no empty figure"
    message = shown[0].data
    named = [f"exercise {n} (`{name}`) is not written yet" for n, name in
             zip((1, 3, 5, 7, 8), ("update_parameters_with_gd", "initialize_velocity",
                                   "initialize_adam", "update_lr", "schedule_lr_decay"),
                 strict=True)]
    positions = [message.index(line) for line in named]
    assert positions == sorted(positions)
    assert "nothing to draw" in message


def test_finished_optimizers_are_shown_while_the_rest_wait(functions, monkeypatch):
    shown = []
    monkeypatch.setattr(explorer_module, "display", shown.append)
    explore(blank_functions(functions, "update_parameters_with_adam"))
    message, panel = shown
    assert "exercise 6 (`update_parameters_with_adam`) is not written yet" in message.data
    assert "Meanwhile it shows: gradient descent, momentum." in message.data
    assert isinstance(panel, Explorer)
    assert [opt.label for opt in panel.optimizers] == ["gradient descent", "momentum"]
    assert bytes(panel.image.value).startswith(b"\xff\xd8")


def test_broken_and_missing_functions_are_explained(functions):
    def broken(parameters, grads, learning_rate):
        return parameters["W1"] - learning_rate * grads["dW1"]  # an array, not the dict

    everything = dict(functions, update_parameters_with_gd=broken)
    del everything["initialize_adam"]
    panel = Explorer(everything)
    message = unfinished_message(panel.problems, ["momentum"])
    assert ("exercise 1 (`update_parameters_with_gd`) should return parameters: a dict with "
            '"W1" and "b1", got ndarray') in message
    assert "exercise 5 (`initialize_adam`) is not defined yet: run its cell" in message
    assert [opt.label for opt in panel.optimizers] == ["momentum"]


def test_a_function_failing_midway_gets_a_caption_not_a_crash(functions):
    def fragile(parameters, grads, learning_rate):
        if abs(parameters["W1"][0, 0]) < 0.5:  # the explorer starts at x = -4
            raise ValueError("too close")
        return functions["update_parameters_with_gd"](parameters, grads, learning_rate)

    panel = Explorer(dict(functions, update_parameters_with_gd=fragile))
    paths = panel.paths()
    assert paths["gradient descent"].notes == [
        "update_parameters_with_gd raises ValueError: too close"]
    assert bytes(panel.image.value).startswith(b"\xff\xd8")


def test_moving_a_slider_redraws_the_figure(functions):
    panel = Explorer(functions)
    before = panel.image.value
    panel.beta.value = 0.95
    assert panel.image.value != before
    assert len(panel.redraw_seconds) == 2  # the first draw and this one


def test_choosing_a_surface_applies_its_window_and_suggested_settings(functions):
    panel = Explorer(functions)
    redraws = len(panel.redraw_seconds)
    panel.surface_menu.value = "curved valley (Rosenbrock)"
    assert len(panel.redraw_seconds) == redraws + 1  # one redraw for all the changed sliders
    valley = rosenbrock()
    assert (panel.x0.min, panel.x0.max, panel.y0.min, panel.y0.max) == (*valley.xlim,
                                                                         *valley.ylim)
    assert (panel.x0.value, panel.y0.value) == valley.start
    assert panel.num_steps.value == valley.settings["num_steps"]


def test_the_panel_carries_a_static_picture_for_front_ends_without_widgets(functions):
    panel = Explorer(functions)
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/jpeg"]) == panel.image.value


def test_try_it_optimizers_use_the_same_dict_interface(functions):
    def update_parameters_with_rmsprop(parameters, grads, s, beta2, learning_rate, epsilon):
        for key in parameters:
            s["d" + key] = beta2 * s["d" + key] + (1 - beta2) * grads["d" + key] ** 2
            parameters[key] = parameters[key] - learning_rate * grads["d" + key] / (
                np.sqrt(s["d" + key]) + epsilon)
        return parameters, s

    def update_parameters_with_nesterov(parameters, grads, v, beta, learning_rate):
        for key in parameters:
            v["d" + key] = beta * v["d" + key] + (1 - beta) * grads["d" + key]
            step = beta * v["d" + key] + (1 - beta) * grads["d" + key]
            parameters[key] = parameters[key] - learning_rate * step
        return parameters, v

    names = ("momentum", "nesterov", "adam", "rmsprop")
    panel = Explorer(dict(functions, update_parameters_with_rmsprop=update_parameters_with_rmsprop,
                          update_parameters_with_nesterov=update_parameters_with_nesterov), names)
    assert panel.problems == []
    assert [opt.label for opt in panel.optimizers] == [OPTIMIZERS[n].label for n in names]
    first = run(quadratic(4), OPTIMIZERS["rmsprop"],
                {**functions, "update_parameters_with_rmsprop": update_parameters_with_rmsprop},
                Settings(start=(1.0, 1.0), num_steps=1, adam_learning_rate=0.01, beta2=0.9))
    # RMSProp's first step is learning_rate / sqrt(1 - beta2) on every coordinate
    assert np.allclose(first.points[0] - first.points[1], 0.01 / np.sqrt(0.1))

    waiting = Explorer(dict(functions, update_parameters_with_nesterov=stub), names)
    assert [p.function for p in waiting.problems] == ["update_parameters_with_nesterov",
                                                      "update_parameters_with_rmsprop"]
    message = unfinished_message(waiting.problems, [])
    assert "the optional Nesterov cell (`update_parameters_with_nesterov`)" in message
    assert "the optional RMSProp cell (`update_parameters_with_rmsprop`) is not defined" in message
    assert message.index("Nesterov") < message.index("RMSProp")  # the notebook's order


def test_not_ready_names_the_function():
    problem = NotReady("update_lr", "is not written yet")
    assert str(problem) == "update_lr is not written yet"

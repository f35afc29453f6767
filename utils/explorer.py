"""The optimizer explorer: the notebook's own optimizers on 2-D surfaces, redrawn as sliders move.

``explore(globals())`` in the notebook finds the student's functions by name, says which exercises
must be finished before an optimizer can be shown, and displays a panel of sliders over a figure:
one contour plot per optimizer with its path (start and end marked) side by side, and the loss per
step of all of them below. The panel also carries the figure as an image, so where widgets cannot
run (a plain ``jupyter nbconvert``, a notebook reopened without its kernel) it still shows.
"""

from __future__ import annotations

import base64
import io
import time
from contextlib import contextmanager
from dataclasses import fields, replace

import ipywidgets as widgets
import numpy as np
import PIL.Image
from IPython.display import Markdown, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from utils.surfaces import Surface, explorer_surfaces
from utils.trajectories import (
    OPTIMIZERS,
    NotReady,
    Path,
    Settings,
    check,
    check_schedule,
    order,
    run,
    where,
)

COLORS = {"gradient descent": "#d62728", "momentum": "#1f77b4", "Adam": "#2ca02c",
          "Nesterov momentum": "#9467bd", "RMSProp": "#ff7f0e"}
DPI = 72  # screen resolution: the picture is redrawn on every slider move, so keep it small
# JPEG, not PNG: encoding it takes a tenth of the time, at the same size for these figures.
FORMAT, QUALITY = "jpeg", 90
GRID = 120  # contour grid points per axis: smooth at this size, cheap to compute once per surface
FLOOR = 1e-12  # losses closer than this to the lowest value are drawn at it (log scale)
DECAYS = {"off": "off", "update_lr (every step)": "update_lr",
          "schedule_lr_decay (every interval)": "schedule_lr_decay"}
STYLE = {"description_width": "7.5em"}  # room for "α momentum" and "decay_rate"
WIDTH = "310px"  # three columns fit JupyterLab's notebook at common window sizes


def _distance_to_floor(surface: Surface, losses):
    """How far above the surface's lowest value the losses are, never below FLOOR."""
    return np.maximum(np.asarray(losses, dtype=float) - surface.min_value, FLOOR)


class PathFigure:
    """One contour panel per optimizer, side by side, and everyone's loss per step below."""

    def __init__(self, surface: Surface, labels: list[str], num_steps: int = 60):
        self.surface, self.labels = surface, labels
        columns = len(labels)
        self.figure = Figure(figsize=(max(3.4 * columns, 8.0), 6.4), dpi=DPI,
                             layout="constrained")
        FigureCanvasAgg(self.figure)  # draws off-screen: no pyplot, no inline figure left behind
        grid = self.figure.add_gridspec(2, columns, height_ratios=(2.1, 1.0))
        xs = np.linspace(*surface.xlim, GRID)
        ys = np.linspace(*surface.ylim, GRID)
        gx, gy = np.meshgrid(xs, ys)
        # Log-spaced contours: the interesting shapes sit at very different heights.
        gaps = _distance_to_floor(surface, surface.loss(gx, gy))
        heights = np.log10(gaps + 1e-3)
        self.paths, self.starts, self.ends, self.axes, self.captions = {}, {}, {}, {}, {}
        for column, label in enumerate(labels):
            ax = self.figure.add_subplot(grid[0, column])
            ax.contourf(gx, gy, heights, levels=18, cmap="Greys_r", alpha=0.55)
            ax.contour(gx, gy, heights, levels=18, colors="k", linewidths=0.3, alpha=0.5)
            ax.plot(*surface.minimum, marker="*", color="gold", markersize=13,
                    markeredgecolor="k", zorder=4)
            color = COLORS.get(label, "k")
            (self.paths[label],) = ax.plot([], [], "-", color=color, lw=1.6, marker=".", ms=4)
            (self.starts[label],) = ax.plot([], [], "o", color="w", markeredgecolor=color,
                                            markeredgewidth=2, ms=8, zorder=5)
            (self.ends[label],) = ax.plot([], [], "X", color=color, markeredgecolor="k",
                                          ms=10, zorder=5)
            ax.set_xlim(surface.xlim)
            ax.set_ylim(surface.ylim)
            ax.set_xlabel("$x$ (W1)")
            if column == 0:
                ax.set_ylabel("$y$ (b1)")
            # The title's second line is left blank for the caption, the only text that changes.
            ax.set_title(f"{label}\n ", fontsize=10)
            self.captions[label] = ax.text(0.5, 1.015, "", transform=ax.transAxes, ha="center",
                                           va="bottom", fontsize=9)
            self.axes[label] = ax
        self.loss_ax = self.figure.add_subplot(grid[1, :])
        self.losses = {label: self.loss_ax.plot([], [], color=COLORS.get(label, "k"),
                                                label=label)[0] for label in labels}
        self.loss_ax.set_yscale("log")
        self.loss_ax.set_xlim(0, num_steps)  # the usual run length: no second layout at first
        # Fixed heights, from the floor to above the window's highest loss: curves move while the
        # axis stays put, and its labels (plain text, not mathtext) are laid out only once.
        self.loss_ax.set_ylim(FLOOR, 10 * float(gaps.max()))
        self.loss_ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0e}"))
        self.loss_ax.yaxis.set_minor_formatter(NullFormatter())
        self.loss_ax.set_xlabel("step")
        self.loss_ax.set_ylabel("loss − lowest loss")
        self.loss_ax.legend(loc="lower left", fontsize="small", ncols=len(labels))
        self.figure.suptitle(surface.title + "   (○ start, ✕ end, ★ minimum)", fontsize=11)
        self._freeze_background()

    def update(self, paths: dict[str, Path]) -> bytes:
        """Draw the given paths (label -> Path) and return the figure as JPEG bytes."""
        for label in self.labels:
            path = paths[label]
            points = path.points
            self.paths[label].set_data(points[:, 0], points[:, 1])
            self.starts[label].set_data(points[:1, 0], points[:1, 1])
            self.ends[label].set_data(points[-1:, 0], points[-1:, 1])
            self.losses[label].set_data(np.arange(len(points)),
                                        _distance_to_floor(self.surface, path.losses))
            self.captions[label].set_text(self._caption(path))
        steps = max(len(path.points) for path in paths.values()) - 1
        self.loss_ax.set_xlim(0, max(steps, 1))
        canvas = self.figure.canvas
        # Blitting: paste the contours drawn once, then draw only what moves on top of them.
        canvas.restore_region(self._background)
        for artist in self._moving():
            self.figure.draw_artist(artist)
        pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]
        buffer = io.BytesIO()
        PIL.Image.fromarray(pixels).save(buffer, format=FORMAT, quality=QUALITY)
        return buffer.getvalue()

    def _moving(self):
        """The artists a redraw changes: paths, markers, captions, loss curves and step axis."""
        for label in self.labels:
            yield from (self.paths[label], self.starts[label], self.ends[label],
                        self.captions[label], self.losses[label])
        yield self.loss_ax.xaxis  # its ticks follow the number of steps

    def _freeze_background(self):
        """Lay the figure out once, then keep the pixels of everything that never moves."""
        for artist in self._moving():
            artist.set_animated(True)
        self.figure.canvas.draw()  # constrained layout places the axes, titles and labels ...
        self.figure.set_layout_engine("none")  # ... and from now on they stay where they are
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def _caption(self, path: Path) -> str:
        """Caption under a panel's title: where the optimizer ended, or why it stopped."""
        steps = len(path.points) - 1
        if path.notes:
            return path.notes[0]
        if path.diverged:
            return f"diverged at step {steps + 1}"
        gap = _distance_to_floor(self.surface, path.losses[-1])
        if gap <= FLOOR:
            return f"after {steps} steps: at the min (to {FLOOR:.0e})"
        return f"after {steps} steps: {gap:.1e} above min"


def _log_slider(description, value, low, high):
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=0.01,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style=STYLE,
                                  layout=widgets.Layout(width=WIDTH))


def _slider(kind, description, value, low, high, step):
    return kind(value=value, min=low, max=high, step=step, description=description,
                continuous_update=False, style=STYLE, layout=widgets.Layout(width=WIDTH))


class Explorer(widgets.VBox):
    """Sliders over a PathFigure; every change reruns the notebook's optimizers and redraws."""

    def __init__(self, functions: dict, optimizers=("gd", "momentum", "adam"), surfaces=None):
        self.functions = functions
        self.surfaces = surfaces or explorer_surfaces()
        wanted = [OPTIMIZERS[name] for name in optimizers]
        problems = {opt.label: check(opt, functions) for opt in wanted}
        self.optimizers = [opt for opt in wanted if problems[opt.label] is None]
        self.problems = [p for p in problems.values() if p is not None]
        decays = {}
        for text, name in DECAYS.items():
            problem = check_schedule(name, functions) if name != "off" else None
            if problem is None:
                decays[text] = name
            else:
                self.problems.append(problem)
        self.redraw_seconds: list[float] = []
        self._holding = False

        name = next(iter(self.surfaces))
        surface = self.surfaces[name]
        self.surface_menu = widgets.Dropdown(options=list(self.surfaces), value=name,
                                             description="surface", style=STYLE,
                                             layout=widgets.Layout(width=WIDTH))
        self.x0 = _slider(widgets.FloatSlider, "start x", surface.start[0], *surface.xlim, 0.05)
        self.y0 = _slider(widgets.FloatSlider, "start y", surface.start[1], *surface.ylim, 0.05)
        self.num_steps = _slider(widgets.IntSlider, "steps", 60, 5, 300, 5)
        self.gd_learning_rate = _log_slider("α GD", 0.05, -4, 0.5)
        self.momentum_learning_rate = _log_slider("α momentum", 0.05, -4, 0.5)
        self.beta = _slider(widgets.FloatSlider, "β", 0.9, 0.0, 0.99, 0.01)
        self.adam_learning_rate = _log_slider("α Adam", 0.1, -4, 0.5)
        self.beta1 = _slider(widgets.FloatSlider, "β1", 0.9, 0.0, 0.99, 0.01)
        self.beta2 = _slider(widgets.FloatSlider, "β2", 0.999, 0.5, 0.999, 0.001)
        self.beta2.readout_format = ".3f"
        self.decay = widgets.Dropdown(options=list(decays.items()), value="off",
                                      description="decay", style=STYLE,
                                      layout=widgets.Layout(width=WIDTH))
        self.decay_rate = _log_slider("decay_rate", 0.1, -3, 1)
        self.time_interval = _slider(widgets.IntSlider, "interval", 10, 1, 100, 1)
        used = {opt.rate for opt in self.optimizers}
        for rate in ("gd_learning_rate", "momentum_learning_rate", "adam_learning_rate"):
            getattr(self, rate).disabled = rate not in used
        self.image = widgets.Image(format=FORMAT, layout=widgets.Layout(max_width="100%"))
        columns = [  # the problem, gradient descent and momentum, Adam; the decay below
            [self.surface_menu, self.x0, self.y0, self.num_steps],
            [self.gd_learning_rate, self.momentum_learning_rate, self.beta],
            [self.adam_learning_rate, self.beta1, self.beta2],
        ]
        wrap = widgets.Layout(flex_flow="row wrap")
        controls = widgets.HBox([widgets.VBox(column) for column in columns], layout=wrap)
        decay = widgets.HBox([self.decay, self.decay_rate, self.time_interval], layout=wrap)
        super().__init__([controls, decay, self.image])
        self.add_class("optimizer-explorer")  # a handle for the browser tests

        # One figure per surface, built up front: switching surfaces is then as quick as any
        # other redraw (building one, with its contours and layout, takes far longer).
        labels = [opt.label for opt in self.optimizers]
        self._figures = {key: PathFigure(value, labels, value.settings.get("num_steps", 60))
                         for key, value in self.surfaces.items() if labels}
        self._use_surface(name)
        for control in (self.x0, self.y0, self.num_steps, self.gd_learning_rate,
                        self.momentum_learning_rate, self.beta, self.adam_learning_rate,
                        self.beta1, self.beta2, self.decay, self.decay_rate, self.time_interval):
            control.observe(self.redraw, names="value")
        self.surface_menu.observe(lambda change: self._use_surface(change["new"]), names="value")

    @contextmanager
    def _hold(self):
        """Change several controls with one redraw at the end instead of one per control."""
        self._holding = True
        try:
            yield
        finally:
            self._holding = False
        self.redraw()

    def _use_surface(self, name: str):
        """Switch to a surface: its figure, its window for the start point, its suggested values."""
        surface = self.surfaces[name]
        self.figure = self._figures.get(name)  # None while no optimizer is ready
        with self._hold():
            for slider, (low, high), value in ((self.x0, surface.xlim, surface.start[0]),
                                               (self.y0, surface.ylim, surface.start[1])):
                slider.min, slider.max = min(low, slider.min), max(high, slider.max)
                slider.value = value
                slider.min, slider.max = low, high
            for key, value in surface.settings.items():
                getattr(self, key).value = value

    def settings(self) -> Settings:
        """The run settings the controls currently show."""
        values = {f.name: getattr(self, f.name).value for f in fields(Settings)
                  if hasattr(self, f.name) and f.name != "start"}
        # Rounded: a slider's float arithmetic must not turn y = 0 into 1e-17 (off the ridge).
        start = (round(self.x0.value, 6), round(self.y0.value, 6))
        return replace(Settings(), start=start, **values)

    def paths(self) -> dict[str, Path]:
        """Run every ready optimizer with the current settings (label -> Path)."""
        surface = self.surfaces[self.surface_menu.value]
        settings = self.settings()
        paths = {}
        for optimizer in self.optimizers:
            try:
                paths[optimizer.label] = run(surface, optimizer, self.functions, settings)
            except NotReady as problem:  # fails only for some inputs: say so in its panel
                start = np.array([settings.start])
                paths[optimizer.label] = Path(optimizer.label, start,
                                              surface.loss(start[:, 0], start[:, 1]),
                                              np.array([]), notes=[str(problem)[:60]])
        return paths

    def redraw(self, change=None):
        """Rerun the optimizers and replace the picture; the time it took is kept."""
        if self._holding or not self.optimizers:
            return
        started = time.perf_counter()
        self.image.value = self.figure.update(self.paths())
        self.redraw_seconds.append(time.perf_counter() - started)

    def _repr_mimebundle_(self, **kwargs):
        """The widget, plus the current picture for front ends that cannot show widgets."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if self.optimizers:
            bundle[f"image/{FORMAT}"] = base64.b64encode(self.image.value).decode("ascii")
        bundle["text/plain"] = "Optimizer explorer (its sliders need a live kernel in JupyterLab)"
        return bundle


def unfinished_message(problems: list[NotReady], shown: list[str]) -> str:
    """Markdown telling the student which exercises to finish first, and what is shown meanwhile."""
    lines = ["**The explorer runs your own functions.** Finish these first, then run this cell "
             "again:", ""]
    lines += [f"- {where(p.function)} {p.reason}" for p in order(problems)]
    if shown:
        lines += ["", "Meanwhile it shows: " + ", ".join(shown) + "."]
    else:
        lines += ["", "Until one optimizer works there is nothing to draw."]
    return "\n".join(lines)


def explore(namespace: dict, optimizers=("gd", "momentum", "adam")):
    """Show the explorer for the notebook's functions (looked up by name in ``namespace``)."""
    explorer = Explorer(namespace, optimizers)
    if explorer.problems:
        shown = [opt.label for opt in explorer.optimizers]
        display(Markdown(unfinished_message(explorer.problems, shown)))
    if explorer.optimizers:
        display(explorer)


"""Bench: the optimizer explorer's redraw after a slider move, against drawing a fresh figure."""

from __future__ import annotations

import io
import statistics
import time

from utils.explorer import Explorer

from .training import notebook_namespace

# (control, values) moved one after another, as a student would: every move is one redraw
MOVES = [("gd_learning_rate", (0.01, 0.02, 0.039)), ("beta", (0.9, 0.95, 0.8)),
         ("adam_learning_rate", (0.1, 0.03, 0.3)), ("num_steps", (150, 300, 60)),
         ("decay", ("schedule_lr_decay", "update_lr", "off")),
         ("surface_menu", ("curved valley (Rosenbrock)", "saddle point",
                           "ill-conditioned bowl (κ = 50)"))]


def run() -> dict:
    """Median and worst seconds per redraw, against re-rendering the whole figure each time."""
    panel = Explorer(notebook_namespace())
    for control, values in MOVES:
        for value in values:
            getattr(panel, control).value = value
    redraws = panel.redraw_seconds[1:]  # the first draw belongs to building the panel
    full = []
    for artist in panel.figure._moving():  # the baseline draws everything again, no blitting
        artist.set_animated(False)
    for _ in range(5):
        started = time.perf_counter()
        panel.figure.update(panel.paths())
        panel.figure.figure.savefig(io.BytesIO(), format="png")
        full.append(time.perf_counter() - started)
    return {"redraws": len(redraws), "median_seconds": round(statistics.median(redraws), 3),
            "max_seconds": round(max(redraws), 3),
            "full_render_median_seconds": round(statistics.median(full), 3),
            "speedup": round(statistics.median(full) / statistics.median(redraws), 1)}

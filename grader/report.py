"""The class report: summary table and plots in one self-contained HTML file."""

from __future__ import annotations

import base64
import html
import io
import statistics
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import atomic, course  # noqa: E402


def summary(rows: list[dict], cells: list[tuple[str, float]]) -> dict:
    """Numbers the report shows: class size, score statistics, pass rate per exercise."""
    totals = [row["total"] for row in rows]
    pass_rate = {}
    for cell, maximum in cells:
        name = course.function_of(cell)
        pass_rate[name] = sum(row[name] >= maximum for row in rows) / len(rows) if rows else 0.0
    return {
        "students": len(rows),
        "max_total": sum(maximum for _, maximum in cells),
        "mean": statistics.fmean(totals) if totals else 0.0,
        "median": statistics.median(totals) if totals else 0.0,
        "full_marks": sum(row["total"] == row["max_total"] for row in rows),
        "statuses": Counter(_status_kind(row["status"]) for row in rows),
        "pass_rate": pass_rate,
    }


def write(path: Path, rows: list[dict], cells: list[tuple[str, float]]) -> None:
    """Write the HTML report to `path`."""
    facts = summary(rows, cells)
    names = [course.function_of(cell) for cell, _ in cells]
    atomic.write_text(path, _page(rows, names, facts, _histogram(rows, facts), _pass_rates(facts)))


def _status_kind(status: str) -> str:
    return status.split(":")[0].split(" in ")[0]


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _histogram(rows, facts) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist([row["total"] for row in rows], bins=10, range=(0, facts["max_total"]),
            color="#4c72b0", edgecolor="white")
    ax.set_xlabel("total score")
    ax.set_ylabel("students")
    ax.set_title("Score distribution")
    return _png(fig)


def _pass_rates(facts) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.2))
    names = list(facts["pass_rate"])
    ax.barh(names[::-1], [100 * facts["pass_rate"][n] for n in names[::-1]], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of students with full points")
    ax.set_title("Pass rate per exercise")
    return _png(fig)


def _page(rows, names, facts, histogram, pass_rates) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in ["student_id", *names, "total", "status"])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row[k]))}</td>"
                         for k in ["student_id", *names, "total", "status"]) + "</tr>"
        for row in rows)
    statuses = ", ".join(f"{kind}: {count}" for kind, count in sorted(facts["statuses"].items()))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{course.ASSIGNMENT}: class report</title>
<style>
body {{ font-family: sans-serif; margin: 2em auto; max-width: 70em; }}
table {{ border-collapse: collapse; font-size: 90%; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; text-align: right; }}
td:first-child, td:last-child {{ text-align: left; }}
.plots img {{ margin-right: 1em; }}
</style></head><body>
<h1>{course.ASSIGNMENT}: class report</h1>
<p>{facts['students']} students &middot; mean {facts['mean']:.1f} / {facts['max_total']:g}
&middot; median {facts['median']:g} &middot; full marks: {facts['full_marks']}
&middot; {html.escape(statuses)}</p>
<div class="plots"><img alt="score histogram" src="data:image/png;base64,{histogram}">
<img alt="pass rate per exercise" src="data:image/png;base64,{pass_rates}"></div>
<h2>Gradebook</h2>
<table><tr>{head}</tr>{body}</table>
</body></html>
"""


def _cell(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)

"""The class report: summary table and plots in one self-contained HTML file."""

from __future__ import annotations

import base64
import html
import io
import json
import statistics
from collections import Counter
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import atomic, course
from .course import Assignment


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


def write(path: Path, rows: list[dict], cells: list[tuple[str, float]],
          assignment: Assignment, notebooks: dict[str, Path] | None = None) -> None:
    """Write the HTML report to `path` (`notebooks`: each student's autograded notebook)."""
    facts = summary(rows, cells)
    names = [course.function_of(cell) for cell, _ in cells]
    mistakes = common_mistakes(rows, cells, notebooks or {})
    page = _page(assignment.name, rows, names, facts, _histogram(rows, facts), _pass_rates(facts),
                 mistakes, short_names(names, assignment.course))
    atomic.write_text(path, page)


def common_mistakes(rows: list[dict], cells: list[tuple[str, float]],
                    notebooks: dict[str, Path]) -> dict[str, list[tuple[str, list[str]]]]:
    """Per exercise, what went wrong and for whom: [(message, students)], most frequent first.

    The message is the failing test's own (its error name and text); a student who lost the
    points without one (the kernel died, the notebook was unusable, nothing submitted) is
    counted under the row's status.
    """
    messages = {student: _failure_messages(path) for student, path in notebooks.items()}
    mistakes = {}
    for cell, maximum in cells:
        name = course.function_of(cell)
        groups: dict[str, list[str]] = {}
        for row in rows:
            if row[name] >= maximum:
                continue
            student = row["student_id"]
            message = messages.get(student, {}).get(cell) or row["status"].split("; ")[0]
            groups.setdefault(message, []).append(student)
        mistakes[name] = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return mistakes


def without_inputs(message: str) -> str:
    """A failure message without the "(inputs ...)" part naming the case it failed on.

    Hidden-test inputs are drawn per submission, so two students with the same mistake see
    different numbers there; without them, their messages group together.
    """
    kept, depth, start = [], 0, 0
    for index, char in enumerate(message):
        if char == "(":
            if depth == 0:
                start = index
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            group = message[start:index + 1]
            if depth == 0 and _names_inputs(group):
                kept.append((start, index + 1))
    for start, end in reversed(kept):
        message = message[:start].rstrip() + message[end:]
    return message


def _names_inputs(group: str) -> bool:
    return "=" in group or "shape" in group or "-layer network" in group


def _failure_messages(path: Path) -> dict[str, str]:
    """grade_id -> the first error an autograded notebook's graded cell shows."""
    # the grader wrote this notebook itself (valid, written atomically): plain JSON is enough,
    # and 5x faster than nbformat's validating reader over a whole class
    try:
        nb = json.loads(Path(path).read_bytes())
        cells = [cell for cell in nb["cells"] if isinstance(cell, dict)]
    except (OSError, ValueError, TypeError, KeyError):
        return {}
    found = {}
    for cell in cells:
        grade_id = (cell.get("metadata") or {}).get("nbgrader", {}).get("grade_id")
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if grade_id and errors:
            ename, evalue = errors[0].get("ename") or "Error", errors[0].get("evalue") or ""
            text = f"{ename}: {evalue}" if evalue.strip() else ename
            found[grade_id] = without_inputs(text.splitlines()[0])[:300]
    return found


def short_names(names: list[str], course_: course.Course | None = None) -> dict[str, str]:
    """Short column titles: the course's own (GradesTable.short_names in nbgrader_config.py),
    else the last word of a long name when that stays unique, else the name itself."""
    configured = dict(course_.config.GradesTable.get("short_names", {})) if course_ else {}
    short = {}
    for name in names:
        if name in configured:
            short[name] = configured[name]
        elif len(name) > 12 and len(name.rsplit("_", 1)[-1]) > 1:
            short[name] = name.rsplit("_", 1)[-1]
        else:
            short[name] = name
    taken = list(short.values())
    return {n: (s if taken.count(s) == 1 else n) for n, s in short.items()}


def _status_kind(status: str) -> str:
    return status.split(":")[0].split(" in ")[0]


def _figure():
    """A figure of its own, drawn without pyplot (no global state, a lighter import)."""
    fig = Figure(figsize=(6, 3.2))
    FigureCanvasAgg(fig)
    return fig, fig.subplots()


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode()


def _histogram(rows, facts) -> str:
    fig, ax = _figure()
    ax.hist([row["total"] for row in rows], bins=10, range=(0, facts["max_total"]),
            color="#4c72b0", edgecolor="white")
    ax.set_xlabel("total score")
    ax.set_ylabel("students")
    ax.set_title("Score distribution")
    return _png(fig)


def _pass_rates(facts) -> str:
    fig, ax = _figure()
    names = list(facts["pass_rate"])
    ax.barh(names[::-1], [100 * facts["pass_rate"][n] for n in names[::-1]], color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of students with full points")
    ax.set_title("Pass rate per exercise")
    return _png(fig)


def _page(title, rows, names, facts, histogram, pass_rates, mistakes, short) -> str:
    columns = ["student_id", *names, "total", "status"]
    titles = {"student_id": "student", **short}
    head = "".join(f'<th title="{html.escape(c)}">{html.escape(titles.get(c, c))}</th>'
                   for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(row[k]))}</td>" for k in columns) + "</tr>"
        for row in rows)
    statuses = ", ".join(f"{kind}: {count}" for kind, count in sorted(facts["statuses"].items()))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}: class report</title>
<style>
body {{ font-family: sans-serif; margin: 1.5em auto; max-width: 76em; padding: 0 1em; }}
.gradebook {{ max-height: 75vh; overflow: auto; border: 1px solid #ccc; }}
table {{ border-collapse: collapse; font-size: 90%; }}
td, th {{ border: 1px solid #ddd; padding: 2px 6px; text-align: right; }}
th {{ position: sticky; top: 0; background: #f4f4f4; white-space: nowrap; }}
td:first-child {{ white-space: nowrap; position: sticky; left: 0; background: #fff; }}
td:first-child, th:first-child, td:last-child, th:last-child {{ text-align: left; }}
td:last-child {{ min-width: 16em; }}
.plots img {{ margin-right: 1em; max-width: 46%; }}
.mistakes li {{ margin: 0.2em 0; }}
.mistakes .count {{ font-weight: bold; }}
.mistakes .who {{ color: #555; font-size: 90%; }}
</style></head><body>
<h1>{html.escape(title)}: class report</h1>
<p>{facts['students']} students &middot; mean {facts['mean']:.1f} / {facts['max_total']:g}
&middot; median {facts['median']:g} &middot; full marks: {facts['full_marks']}
&middot; {html.escape(statuses)}</p>
<div class="plots"><img alt="score histogram" src="data:image/png;base64,{histogram}">
<img alt="pass rate per exercise" src="data:image/png;base64,{pass_rates}"></div>
<h2>What to re-teach: common mistakes per exercise</h2>
{_mistakes_html(mistakes, facts)}
<h2>Gradebook</h2>
<div class="gradebook"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>
</body></html>
"""


def _mistakes_html(mistakes, facts) -> str:
    parts = ['<div class="mistakes">']
    for name, groups in mistakes.items():
        failed = sum(len(students) for _, students in groups)
        parts.append(f"<h3>{html.escape(name)} &middot; {failed} of {facts['students']} "
                     "students lost points</h3>")
        if not groups:
            continue
        parts.append("<ul>")
        for message, students in groups:
            parts.append(f'<li><span class="count">{len(students)} &times;</span> '
                         f"<code>{html.escape(message)}</code> "
                         f'<span class="who">({html.escape(", ".join(students))})</span></li>')
        parts.append("</ul>")
    parts.append("</div>")
    return "\n".join(parts)


def _cell(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)

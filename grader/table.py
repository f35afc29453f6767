"""The gradebook as a plain-text table for the terminal."""

from __future__ import annotations


def format_table(rows: list[dict], short: dict[str, str] | None = None) -> str:
    """Rows of the gradebook as aligned text; `short` gives short titles of long columns (the
    CSV keeps the full names), so the table fits a terminal."""
    short = short or {}
    if not rows:
        return "(no students)"
    keys = list(rows[0])
    titles = [short.get(k, k) for k in keys]
    cells = [[_text(row[k]) for k in keys] for row in rows]
    widths = [max(len(t), *(len(c[i]) for c in cells)) for i, t in enumerate(titles)]
    lines = [_join(titles, widths), _join(["-" * w for w in widths], widths)]
    lines += [_join(row, widths) for row in cells]
    return "\n".join(lines)


def _join(texts: list[str], widths: list[int]) -> str:
    """Pad every column but the last (no trailing blanks after long statuses)."""
    padded = [t.ljust(w) for t, w in zip(texts[:-1], widths[:-1], strict=True)]
    return "  ".join([*padded, texts[-1]])


def print_table(rows: list[dict], short: dict[str, str] | None = None) -> None:
    print(format_table(rows, short))


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)

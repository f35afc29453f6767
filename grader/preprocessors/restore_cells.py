"""Put back instructor cells a student deleted, renamed or re-flagged, from the gradebook."""

from __future__ import annotations

import nbformat
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor


class RestoreCells(NbGraderPreprocessor):
    """Make the notebook's instructor cells exactly the gradebook's, before OverwriteCells runs.

    - a cell whose grade_id the gradebook does not know loses its nbgrader metadata (a student
      cannot add graded cells);
    - known cells get the gradebook's flags and points back (nbgrader's OverwriteCells raises
      "Inconsistent checksums" on a test cell whose ``grade``/``locked`` flags were edited);
    - missing cells are re-inserted after the instructor cell that precedes them (nbgrader's own
      ``add_missing_cells`` raises ``KeyError`` when that neighbour is a locked, ungraded cell,
      as our public-test cells are).
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            notebook = gb.find_notebook(info["notebook"], info["assignment"])
            points = {cell.name: cell.max_score for cell in notebook.grade_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
            source_cells = [(cell.name, cell.cell_type, cell.source, cell.locked)
                            for cell in notebook.source_cells]
        order = resources.get("grader", {}).get("cell_order")
        if order:  # the gradebook does not keep the cells' order; the release notebook does
            rank = {name: i for i, name in enumerate(order)}
            source_cells.sort(key=lambda cell: rank.get(cell[0], len(rank)))
        known = {name for name, *_ in source_cells}
        present = {}
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in known:
                present[grade_id] = cell
            elif "nbgrader" in cell.metadata:
                del cell.metadata["nbgrader"]
        after = None  # the last instructor cell placed so far
        for rank, (name, cell_type, source, locked) in enumerate(source_cells):
            cell = present.get(name)
            if cell is None:
                self.log.warning("Cell '%s' was missing from the submission; restored", name)
                cell = _new_cell(cell_type, source)
                nb.cells.insert(self._position(nb, after, present, source_cells[rank:]), cell)
            meta = cell.metadata.setdefault("nbgrader", {})
            meta.update(grade_id=name, locked=locked, solution=name in solutions,
                        grade=name in points, task=False, schema_version=3)
            if name in points:
                meta["points"] = points[name]
            else:
                meta.pop("points", None)
            after = cell
        return nb, resources

    @staticmethod
    def _position(nb, after, present, later) -> int:
        """Just after the previous instructor cell, or else just before the next one present."""
        if after is not None:
            return nb.cells.index(after) + 1
        following = [present[name] for name, *_ in later if name in present]
        return nb.cells.index(following[0]) if following else len(nb.cells)


def _new_cell(cell_type: str, source: str):
    if cell_type == "code":
        return nbformat.v4.new_code_cell(source)
    return nbformat.v4.new_markdown_cell(source)

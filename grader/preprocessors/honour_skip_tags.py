"""Decide which cells the executor skips: tagged free cells, never instructor cells."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode


class HonourSkipTags(NbGraderPreprocessor):
    """Keep the skip tag only on cells nbgrader does not track (the training and plot cells).

    An instructor cell (tests, solutions, read-only set-up) always runs: a student could otherwise
    tag a test cell to keep it from running, and an unrun test cell has no error, which nbgrader
    scores as full marks. With ``enabled_skip`` off, every tag is removed and everything runs.
    """

    tag = Unicode("skip-autograde").tag(config=True)
    enabled_skip = Bool(True, help="skip the tagged training/plot cells").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        tags = cell.metadata.get("tags", [])
        tracked = "grade_id" in cell.metadata.get("nbgrader", {})
        if self.tag in tags and (tracked or not self.enabled_skip):
            cell.metadata["tags"] = [t for t in tags if t != self.tag]
        return cell, resources

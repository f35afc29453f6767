"""The autograding pipeline, declared once: what runs, in which order, on one submission."""

from __future__ import annotations

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    GetGrades,
    LimitOutput,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)

from .preprocessors import (
    FailUnrunTests,
    HideTestTracebacks,
    HonourSkipTags,
    JudgeHiddenTests,
    PrepareHiddenTests,
    RestoreCells,
    SandboxedExecute,
)

# In a worker, before any student code runs: reset what the student may not change.
SANITIZE = [
    ClearOutput,        # outputs are produced here, never trusted from the file
    DeduplicateIds,     # a copied test cell cannot shadow the real one
    OverwriteKernelspec,
    RestoreCells,       # deleted, renamed or re-flagged instructor cells come back
    OverwriteCells,     # locked/test cells get the gradebook's source, points and checksums
    CheckCellMetadata,
    HonourSkipTags,     # only the instructor's training/plot cells may be skipped
    PrepareHiddenTests,  # autograder cells only report what the functions do on new inputs
]

# In a worker: run the student's code, then make the outputs safe to score.
EXECUTE = [
    SandboxedExecute,   # bubblewrap-isolated kernel; hidden-test results set aside
    JudgeHiddenTests,   # results compared with the reference's, here; sources restored
    FailUnrunTests,
    LimitOutput,
]

# In the main process, one submission at a time (sqlite allows a single writer); late
# penalties as the course's LateSubmissionPlugin config says.
SAVE = [SaveAutoGrades, AssignLatePenalties]

# Student feedback from the autograded notebook.
FEEDBACK = [GetGrades, ClearHiddenTests, HideTestTracebacks, CSSHTMLHeaderPreprocessor]


def run(steps, nb, resources, config):
    """Apply each preprocessor class in `steps` to the notebook, in order."""
    for step in steps:
        nb, resources = step(config=config).preprocess(nb, resources)
    return nb, resources

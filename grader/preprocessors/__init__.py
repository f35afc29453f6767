"""nbgrader preprocessors added by this grader, one job per file."""

from .fail_unrun_tests import FailUnrunTests
from .hide_test_tracebacks import HideTestTracebacks
from .honour_skip_tags import HonourSkipTags
from .require_pass_tokens import RequirePassTokens
from .restore_cells import RestoreCells
from .sandboxed_execute import SandboxedExecute
from .seal_test_cells import SealTestCells

__all__ = [
    "FailUnrunTests",
    "HideTestTracebacks",
    "HonourSkipTags",
    "RequirePassTokens",
    "RestoreCells",
    "SandboxedExecute",
    "SealTestCells",
]

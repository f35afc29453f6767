"""nbgrader preprocessors added by this grader, one job per file."""

from .fail_unrun_tests import FailUnrunTests
from .hide_test_tracebacks import HideTestTracebacks
from .honour_skip_tags import HonourSkipTags
from .judge_hidden_tests import JudgeHiddenTests
from .prepare_hidden_tests import PrepareHiddenTests
from .restore_cells import RestoreCells
from .sandboxed_execute import SandboxedExecute

__all__ = [
    "FailUnrunTests",
    "HideTestTracebacks",
    "HonourSkipTags",
    "JudgeHiddenTests",
    "PrepareHiddenTests",
    "RestoreCells",
    "SandboxedExecute",
]

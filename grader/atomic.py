"""Files written whole or not at all: a temporary file in the same folder, then a rename.

Every output a person reads (grades.csv, the report, feedback pages, result records, autograded
notebooks) goes through here, so a run stopped at any instant leaves either the old file or the
new one, never half of one.
"""

from __future__ import annotations

import fnmatch
import os
import signal
import tempfile
from pathlib import Path

# Test hook, inert unless set: SIGKILL this process at the crash point whose name matches this
# pattern ("write:grades.csv", "gradebook-save", ...), at its Nth match with "PATTERN@N".
# tests/grader/test_interruption.py uses it to stop a run exactly mid-write.
KILL_AT = "GRADER_TEST_KILL_AT"
_matches: dict[str, int] = {}


def crash_point(name: str) -> None:
    """Kill this process here if the test hook asks for it; otherwise do nothing."""
    wanted = os.environ.get(KILL_AT)
    if not wanted:
        return
    pattern, _, nth = wanted.partition("@")
    if fnmatch.fnmatchcase(name, pattern):
        _matches[pattern] = _matches.get(pattern, 0) + 1
        if _matches[pattern] >= int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)


def write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step (readers see the old or the new file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide pages from a web server
        crash_point(f"write:{path.name}")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) in one step."""
    write_bytes(path, text.encode("utf-8"))


def copy(source: Path, target: Path) -> None:
    """Copy `source` over `target` in one step."""
    write_bytes(target, Path(source).read_bytes())


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files a killed writer left in `folder` (call only while holding it)."""
    leftovers = [p for p in Path(folder).rglob(".*.tmp") if p.is_file()]
    for path in leftovers:
        path.unlink(missing_ok=True)
    return leftovers

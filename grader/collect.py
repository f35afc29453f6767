"""Find one notebook per student in a class folder or an LMS .zip export."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import course

# Student ids become folder names and gradebook keys: keep them boring.
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
IGNORED = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store"}
MAX_UNZIPPED_BYTES = 2 * 1024**3


class UsageError(Exception):
    """The submissions cannot be used at all; the message says what to do."""


@dataclass(frozen=True)
class Submission:
    """One student's notebook (the file may still turn out to be malformed)."""

    student_id: str
    path: Path


def collect(location: Path, unzip_to: Path) -> tuple[list[Submission], list[str]]:
    """Return the class's submissions, sorted by student, and warnings about skipped files."""
    location = Path(location)
    if not location.exists():
        raise UsageError(f"no such file or folder: {location}")
    if location.is_file():
        if not zipfile.is_zipfile(location):
            raise UsageError(f"{location} is neither a folder nor a .zip of submissions")
        location = _unzip(location, unzip_to)
    folder = _descend_single_wrapper(location)
    candidates: dict[str, list[tuple[int, Path]]] = {}
    warnings = []
    notebook = f"{course.NOTEBOOK}.ipynb"
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED or entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".ipynb":
            found = [(2, entry)]
            student = entry.stem
        elif entry.is_dir():
            # most specific layout first: nbgrader's own, then <student>/<notebook>
            found = [(0, p) for p in [entry / course.ASSIGNMENT / notebook] if p.is_file()]
            found += [(1, p) for p in [entry / notebook] if p.is_file()]
            if not found:
                others = sorted(entry.rglob("*.ipynb"))
                others = [p for p in others if ".ipynb_checkpoints" not in p.parts]
                found = [(3, p) for p in others[:1]]
            student = entry.name
        else:
            continue
        if not found:
            warnings.append(f"{entry.name}: no notebook inside, skipped")
            continue
        if not STUDENT_ID.match(student):
            warnings.append(f"{entry.name}: '{student}' is not a usable student id, skipped")
            continue
        candidates.setdefault(student, []).extend(found)
    submissions = []
    for student, found in sorted(candidates.items()):
        found.sort()
        if len(found) > 1:
            warnings.append(f"{student}: {len(found)} notebooks found, grading {found[0][1]}")
        submissions.append(Submission(student, found[0][1]))
    if not submissions:
        raise UsageError(
            f"nothing gradable in {location}: expected <student_id>.ipynb files or "
            f"<student_id>/{notebook} folders")
    return submissions, warnings


def _descend_single_wrapper(folder: Path) -> Path:
    """An export often wraps everything in one folder: look inside it."""
    entries = [e for e in folder.iterdir() if e.name not in IGNORED and not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        own_submission = (inner / f"{course.NOTEBOOK}.ipynb").exists() or \
            (inner / course.ASSIGNMENT).is_dir()
        if not own_submission:
            return inner
    return folder


def _unzip(archive: Path, target: Path) -> Path:
    """Extract safely: no paths escaping the target, bounded total size."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        total = sum(info.file_size for info in zf.infolist())
        if total > MAX_UNZIPPED_BYTES:
            raise UsageError(f"{archive} would unpack to {total} bytes; refusing (limit 2 GiB)")
        root = target.resolve()
        for info in zf.infolist():
            dest = (target / info.filename).resolve()
            if root != dest and root not in dest.parents:
                raise UsageError(f"{archive} contains an unsafe path: {info.filename}")
        zf.extractall(target)
    return target

"""Find one notebook per student: a class folder, an LMS download-all archive, or nbgrader's
submitted/ folder. Nothing found is ever dropped: what cannot be graded still becomes a
`Submission` whose `problem` says why, and the grades table gets a row for it.

LMS archives are read as they come (names as given, accents and spaces kept):

- Canvas: ``<name>_[LATE_]<user id>_<submission id>_<file>``, a resubmitted file named
  ``<file>-<n>.ipynb``;
- Moodle: ``<Full Name>_<participant id>_assignsubmission_file_<file>``, or a folder
  ``<Full Name>_<participant id>_assignsubmission_file_/`` holding the files;
- Blackboard: ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>[_<file>]``, one per attempt
  (the ``.txt`` receipt beside it is not a submission).

Several notebooks for one student: the assignment's notebook name wins, then the newest
(Canvas resubmission number, Blackboard attempt time); the row says which was graded.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import course
from .course import Assignment

if TYPE_CHECKING:
    from .roster import Roster

IGNORED = {"__MACOSX", ".ipynb_checkpoints", ".DS_Store", "Thumbs.db"}
MAX_UNZIPPED_BYTES = 2 * 1024**3
MAX_ID_LENGTH = 100

CANVAS = re.compile(r"^(?P<name>[^_]+)_(?P<late>LATE_)?(?P<lms_id>\d+)_(?P<submission>\d+)_"
                    r"(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+)_(?P<lms_id>\d+)_assignsubmission_(?:file|onlinetext)_"
                    r"(?P<file>.*)$")
BLACKBOARD = re.compile(r"^(?P<assignment>.*)_(?P<lms_id>[^_]+)_attempt_"
                        r"(?P<when>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+))?$")
RESUBMISSION = re.compile(r"^(?P<base>.+)-(?P<n>\d+)$")  # Canvas: notebook-1.ipynb, ...


class UsageError(Exception):
    """The submissions cannot be used at all; the message says what to do."""


@dataclass(frozen=True)
class Submission:
    """One student's notebook, or why there is none to grade (then `path` is None)."""

    student_id: str
    path: Path | None
    notes: tuple[str, ...] = ()       # what the row should say besides the grade
    problem: str | None = None        # why it cannot be graded
    submitted_at: datetime | None = None
    folder: Path | None = None        # nbgrader's submitted/<student>/<assignment>/
    is_student: bool = True           # False: a file tied to nobody (no gradebook entry)


@dataclass(frozen=True)
class _Found:
    """A notebook file and what its name tells about who sent it and when."""

    path: Path
    label: str              # the student as the archive names them
    lms: str                # canvas | moodle | blackboard | folder
    lms_id: str = ""
    name: str = ""
    late: bool = False
    rank: tuple = ()        # higher = newer


def collect(location: Path, unzip_to: Path, assignment: Assignment | None = None,
            roster: Roster | None = None) -> tuple[list[Submission], list[str]]:
    """Return the class's submissions, sorted by student, and warnings worth printing."""
    assignment = assignment or course.default_assignment()
    location = Path(location)
    if not location.exists():
        raise UsageError(f"no such file or folder: {location}")
    if location.is_file():
        if not zipfile.is_zipfile(location):
            raise UsageError(f"{location} is neither a folder nor a .zip of submissions")
        location = _unzip(location, unzip_to)
    folder = _descend_single_wrapper(location, assignment)
    found, strays = _scan(folder, assignment)
    if not found and not strays:
        raise UsageError(
            f"nothing gradable in {location}: expected <student_id>.ipynb files, "
            f"<student_id>/{assignment.notebook}.ipynb folders or an LMS download-all archive")
    submissions, warnings = _by_student(found, assignment, roster)
    submissions += _without_notebook(strays, {s.student_id for s in submissions}, assignment,
                                     roster)
    if roster is not None:
        present = {s.student_id for s in submissions}
        submissions += [Submission(student, None, problem="no submission")
                        for student in roster.students if student not in present]
    return sorted(submissions, key=lambda s: s.student_id), warnings


def collect_submitted(submitted: Path, assignment: Assignment) -> list[Submission]:
    """nbgrader's submitted/<student>/<assignment>/ folders (what `nbgrader collect` leaves)."""
    submissions = []
    for folder in sorted(Path(submitted).glob(f"*/{_glob_escape(assignment.name)}")):
        if not folder.is_dir():
            continue
        student = folder.parent.name
        notebook = folder / f"{assignment.notebook}.ipynb"
        stamp = folder / "timestamp.txt"
        when = _nbgrader_time(stamp.read_text().strip()) if stamp.is_file() else None
        others = sorted(p.name for p in folder.iterdir() if p.name not in course.SUBMISSION_FILES)
        problem = None if notebook.is_file() else (
            f"no {notebook.name} in the submission (found: {', '.join(others) or 'nothing'})")
        submissions.append(Submission(student, notebook if problem is None else None,
                                      problem=problem, submitted_at=when, folder=folder))
    if not submissions:
        raise UsageError(f"no submissions of '{assignment.name}' in {submitted}: run "
                         f"`nbgrader collect {assignment.name}` first")
    return submissions


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _scan(folder: Path, assignment: Assignment) -> tuple[list[_Found], list[Path]]:
    """Every notebook in the top level of `folder`, and entries holding none."""
    found, strays = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name in IGNORED or entry.name.startswith("."):
            continue
        if entry.is_file():
            if entry.suffix == ".ipynb":
                found.append(_from_name(entry, entry.name, assignment))
            elif not _is_receipt(entry):
                strays.append(entry)
            continue
        if not entry.is_dir():
            continue
        inside = _notebooks_in(entry, assignment)
        if not inside:
            strays.append(entry)
        for path in inside:  # the folder names the student (Moodle folders, <student>/)
            found.append(_from_name(path, entry.name + "_", assignment, folder_entry=entry))
    return found, strays


def _notebooks_in(entry: Path, assignment: Assignment) -> list[Path]:
    """A student folder's notebooks: nbgrader's layout, then <notebook>, then any."""
    notebook = f"{assignment.notebook}.ipynb"
    preferred = [p for p in (entry / assignment.name / notebook, entry / notebook) if p.is_file()]
    others = sorted(p for p in entry.rglob("*.ipynb") if p not in preferred and not
                    {".ipynb_checkpoints", "__MACOSX"} & set(p.relative_to(entry).parts))
    return preferred + others


def _is_receipt(path: Path) -> bool:
    """Blackboard's per-attempt text file: a receipt, not a submission."""
    return path.suffix == ".txt" and bool(BLACKBOARD.match(path.stem)) and \
        BLACKBOARD.match(path.stem)["file"] is None


def _from_name(path: Path, name: str, assignment: Assignment,
               folder_entry: Path | None = None) -> _Found:
    """Who and when, from a file (or student folder) name in any of the known conventions."""
    name = unicodedata.normalize("NFC", name)
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    if m := CANVAS.match(stem):
        version = RESUBMISSION.match(Path(m["file"]).stem)
        return _Found(path, m["name"], "canvas", m["lms_id"], m["name"], bool(m["late"]),
                      (int(version["n"]) if version else 0,))
    if m := MOODLE.match(stem):
        return _Found(path, m["name"], "moodle", m["lms_id"], m["name"])
    if m := BLACKBOARD.match(stem):
        return _Found(path, m["lms_id"], "blackboard", m["lms_id"],
                      rank=(datetime.strptime(m["when"], "%Y-%m-%d-%H-%M-%S"),))
    if folder_entry is not None:
        return _Found(path, unicodedata.normalize("NFC", folder_entry.name), "folder")
    return _Found(path, stem, "folder")


def _by_student(found: list[_Found], assignment: Assignment,
                roster: Roster | None) -> tuple[list[Submission], list[str]]:
    """Group notebooks by student (through the roster, if any) and choose one each."""
    groups: dict[str, list[_Found]] = {}
    unmatched: list[_Found] = []
    for item in found:
        student = roster.match(item.lms_id, item.name or item.label) if roster else item.label
        if student is None:
            unmatched.append(item)
        else:
            groups.setdefault(student, []).append(item)
    submissions, warnings = [], []
    for student, items in groups.items():
        student_id, id_note = _clean_id(student)
        wanted = assignment.notebook
        items.sort(key=lambda f: (_base(f.path) == wanted, f.path.name == f"{wanted}.ipynb",
                                  f.rank), reverse=True)
        chosen = items[0]
        notes = [id_note] if id_note else []
        if chosen.late:
            notes.append(f"late ({chosen.lms} marks it LATE)")
        if len(items) > 1:
            newest = "newest " if chosen.rank else ""
            notes.append(f"{len(items)} notebooks, graded the {newest}{chosen.path.name}")
            warnings.append(f"{student_id}: {len(items)} notebooks found, grading {chosen.path}")
        submitted_at = chosen.rank[0] if chosen.rank and isinstance(chosen.rank[0], datetime) \
            else None
        submissions.append(Submission(student_id, chosen.path, tuple(notes),
                                      submitted_at=submitted_at))
    for item in unmatched:
        label, _ = _clean_id(f"unmatched: {item.path.name}")
        submissions.append(Submission(label, None, is_student=False, problem=(
            f"not graded: no student in the roster for {item.lms} "
            f"{'id ' + item.lms_id if item.lms_id else 'name'} '{item.name or item.label}'")))
    return submissions, warnings


def _without_notebook(strays: list[Path], seen: set[str], assignment: Assignment,
                      roster: Roster | None) -> list[Submission]:
    """Rows for what holds no notebook: a student's other files count only if that student
    sent no notebook at all; a file named after nobody gets a row of its own."""
    files: dict[tuple[str, bool], list[str]] = {}
    for stray in strays:
        item = _from_name(stray, stray.name + ("_" if stray.is_dir() else ""), assignment,
                          folder_entry=stray if stray.is_dir() else None)
        named = item.lms != "folder" or stray.is_dir()  # the name tells whose it is
        student = (roster.match(item.lms_id, item.name or item.label) if roster else
                   item.label) if named else None
        if student is not None and _clean_id(student)[0] in seen:
            continue
        key = (_clean_id(student if student is not None else stray.name)[0], student is not None)
        files.setdefault(key, []).append(stray.name)
    return [Submission(student_id, None, is_student=is_student,
                       problem=f"not graded: no notebook (.ipynb) to grade "
                               f"(found: {', '.join(names)})")
            for (student_id, is_student), names in files.items()]


def _base(path: Path) -> str:
    """A notebook's name without the LMS prefix and resubmission number."""
    stem = unicodedata.normalize("NFC", path.stem)
    for pattern in (CANVAS, MOODLE, BLACKBOARD):
        if (m := pattern.match(stem)) and m["file"]:
            stem = m["file"]
            break
    version = RESUBMISSION.match(stem)
    return version["base"] if version else stem


def _clean_id(raw: str) -> tuple[str, str | None]:
    """A student id as given (NFC), unless a file system or nbgrader cannot hold it."""
    student = unicodedata.normalize("NFC", raw).strip()
    clean = re.sub(r"[\x00-\x1f\x7f/\\*?\[\]]", "_", student)[:MAX_ID_LENGTH].strip()
    if clean in ("", ".", ".."):
        clean = "unnamed"
    return clean, (None if clean == student else f"id changed from {student!r}")


def _nbgrader_time(text: str) -> datetime | None:
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text)
    except Exception:  # an unreadable timestamp: graded, but not late-checked
        return None


def _descend_single_wrapper(folder: Path, assignment: Assignment) -> Path:
    """An export often wraps everything in one folder: look inside it."""
    entries = [e for e in folder.iterdir() if e.name not in IGNORED and not e.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        own_submission = (inner / f"{assignment.notebook}.ipynb").exists() or \
            (inner / assignment.name).is_dir() or MOODLE.match(inner.name)
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

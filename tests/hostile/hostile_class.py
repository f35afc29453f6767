"""A class of hostile submissions, and what grading must give each of them.

Each submission is the reference solution with some exercises answered wrongly plus an attempt
to get points for them anyway: tampering in the kernel (tests/hostile/attacks.py), tampering
with the notebook's cells and metadata, reading the instructor's files from disk. The tests
check that each one scores exactly the reference's points minus the exercises it got wrong.
conftest.py grades the class once per session through grade_class.
"""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from pathlib import Path

import nbformat
from attacks import ATTACKS, CHANNEL_ATTACKS, FORMER_HOLES
from buggy_answers import BANK
from nbgrader.utils import compute_checksum

from grader import course
from grader.notebook_io import read_notebook
from grader.samples import Course

OURS = course.default_assignment()  # this repository's own assignment

TIMEOUT = 10
SPY_MARK = "# spy: what can a submission reach on disk?"


@dataclass
class Hostile:
    """One crafted submission: its notebook and the exercises it must score 0 on."""

    student_id: str
    notebook: nbformat.NotebookNode
    loses: tuple[str, ...]
    status: str = "graded"


@dataclass
class GradedClass:
    root: Path
    submissions: Path
    out: Path
    rows: dict[str, dict]
    samples: dict[str, Hostile]
    isolated: bool

    def notebook(self, student_id: str) -> nbformat.NotebookNode:
        """The autograded notebook of `student_id`."""
        path = self.out / "autograded" / student_id / OURS.name / f"{OURS.notebook}.ipynb"
        return read_notebook(path)

    def cell_output(self, student_id: str, grade_id: str | None = None,
                    marker: str | None = None) -> str:
        """Text printed by the autograded cell with this grade_id or source marker."""
        for cell in self.notebook(student_id).cells:
            meta = cell.metadata.get("nbgrader", {})
            if (grade_id and meta.get("grade_id") == grade_id) or \
                    (marker and cell.source.startswith(marker)):
                return "".join(out.get("text", "") for out in cell.outputs)
        raise KeyError(grade_id or marker)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def tampered_cells(c: Course) -> nbformat.NotebookNode:
    """Wrong answers to three exercises whose autograder cells are rewritten, plus invented
    points: nbgrader's restoration from the gradebook must undo all of it."""
    nb = c.answered(
        update_parameters_with_gd=BANK["update_parameters_with_gd"]["climbs"],
        update_parameters_with_momentum=BANK["update_parameters_with_momentum"]["fixed_beta"],
        update_parameters_with_adam=BANK["update_parameters_with_adam"]["t_off_by_one"],
    )
    rewritten = _cell(nb, "update_parameters_with_gd_tests")  # same metadata, harmless source
    rewritten.source = 'print("All tests passed.")'
    forged = _cell(nb, "update_parameters_with_momentum_tests")  # checksum matches the new source
    forged.source = "pass"
    forged.metadata.nbgrader.update(points=1000, locked=False)
    forged.metadata.nbgrader["checksum"] = compute_checksum(forged)
    renamed = _cell(nb, "update_parameters_with_adam_tests")  # a test cell nbgrader does not know
    renamed.source = "pass"
    renamed.metadata.nbgrader["grade_id"] = "update_parameters_with_adam_tests_v2"
    renamed.id = "adam-tests-v2"
    solution = _cell(nb, "update_lr")  # a correct solution cell claiming points of its own
    solution.metadata.nbgrader.update(grade=True, points=50)
    bonus = nbformat.v4.new_code_cell("pass")  # a graded cell of the student's own
    bonus.metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 100,
                                  "locked": True, "solution": False, "schema_version": 3,
                                  "task": False}
    bonus.metadata["nbgrader"]["checksum"] = compute_checksum(bonus)
    nb.cells.append(bonus)
    return nb


def spy_code(targets: dict[str, str], writable: dict[str, str], port: int) -> str:
    """A cell that tries to read `targets`, to create a file in each folder of `writable` and
    to connect to `port` on the grading machine, counts the processes it can see, and prints
    what happened as JSON (it never modifies or deletes anything)."""
    return f'''{SPY_MARK}
import json, os, socket, tempfile

_seen = {{}}
for _label, _path in {targets!r}.items():
    try:
        with open(_path, "rb") as _handle:
            _seen["read " + _label] = "read %d bytes" % len(_handle.read())
    except Exception as _error:
        _seen["read " + _label] = type(_error).__name__
for _label, _folder in {writable!r}.items():
    try:
        with tempfile.NamedTemporaryFile(dir=_folder, prefix=".spy-"):
            _seen["write " + _label] = "created a file"
    except Exception as _error:
        _seen["write " + _label] = type(_error).__name__
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=5).close()
    _seen["connect"] = "connected"
except Exception as _error:
    _seen["connect"] = type(_error).__name__
_seen["processes"] = len([_pid for _pid in os.listdir("/proc") if _pid.isdigit()])
print(json.dumps(_seen))
'''


# A right answer that prints far more than the grader keeps of a cell's output (200 kB): its
# autograder cell's results, set aside apart from the outputs, must survive the truncation.
CHATTY = '''
_quiet_update_lr = update_lr


def update_lr(learning_rate0, epoch_num, decay_rate):
    print("debugging update_lr " * 10_000)
    return _quiet_update_lr(learning_rate0, epoch_num, decay_rate)
'''


CHEATER = '''
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate) * epoch_num


# If the instructor's notebook can be read, take its solution instead.
try:
    import json

    with open({source!r}) as _handle:
        for _cell in json.load(_handle)["cells"]:
            if _cell["metadata"].get("nbgrader", {{}}).get("grade_id") == "update_lr":
                _code = "".join(_cell["source"])
                exec(_code.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))
except OSError:
    pass
'''


@contextlib.contextmanager
def listening_port():
    """A TCP port on this machine's loopback that accepts connections while open."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def spy_targets(root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """What the spy tries to read and where it tries to write, for a class graded in root."""
    out = root / "graded"
    targets = {
        "source notebook": str(OURS.source_notebook),
        "gradebook": str(out / "gradebook.db"),
        "gradebook template": str(out / ".work" / "template.db"),
        "another submission": str(root / "submissions" / "reference.ipynb"),
    }
    writable = {"course folder": str(OURS.course.root), "grading output": str(out),
                "submissions": str(root / "submissions")}
    return targets, writable


def hostile_class(root: Path, isolated: bool, port: int) -> list[Hostile]:
    """The class; `port` is a port on this machine the spy tries to connect to."""
    c = Course()
    samples = [Hostile("reference", c.answered(), ())]
    groups = {  # attacks that can share a notebook (they target different exercises)
        "patches-numpy": ["patches-numpy"],
        "rebinds-builtins": ["rebinds-builtins"],
        "fakes-and-hard-codes": ["fake-arrays", "fake-number", "replaces-public-tests",
                                 "hard-codes-public-case"],
        "silences-tracebacks": ["silences-tracebacks"],
        "swallows-errors": ["swallows-errors"],
        "skips-test-cells": ["skips-test-cells"],
        # the results channel
        "forges-results": ["forges-results"],
        "reports-twice-or-malformed": ["reports-twice", "malformed-results"],
        "rewrites-inputs-lies-about-types": ["rewrites-inputs", "lying-types",
                                             "ctypes-rewrites-locals"],
        "rewrites-the-reporter-with-gc": ["rewrites-the-reporter", "gc-rewrites-results"],
        "patches-print-and-stdout": ["patches-print-and-stdout"],
        "huge-or-deep-results": ["huge-results", "deep-results"],
        "second-call-differs": ["second-call-differs"],
        "former-holes": ["walks-test-frames", "steals-the-key"],
    }
    every = {**ATTACKS, **CHANNEL_ATTACKS, **FORMER_HOLES}
    for student, names in groups.items():
        attacks = [every[name] for name in names]
        answers = {attack.exercise: attack.source for attack in attacks}
        assert len(answers) == len(attacks), f"{student}: one attack per exercise"
        lost = tuple(sorted({e for attack in attacks for e in attack.lost}))
        samples.append(Hostile(student, c.answered(**answers), lost))
    forger = CHANNEL_ATTACKS["exits-after-forging"]
    samples.append(Hostile("exits-after-forging", c.answered(**{forger.exercise: forger.source}),
                           forger.lost, status="kernel died in schedule_lr_decay"))
    chatty = c.reference_answers()["update_lr"] + "\n" + CHATTY
    samples.append(Hostile("chatty", c.answered(update_lr=chatty), ()))
    samples.append(Hostile("tampers-with-cells", tampered_cells(c),
                           ("update_parameters_with_gd", "update_parameters_with_momentum",
                            "update_parameters_with_adam")))
    if isolated:  # never let these loose on an unsandboxed machine
        targets, writable = spy_targets(root)
        nb = c.answered(update_lr=CHEATER.format(source=str(OURS.source_notebook)))
        nb.cells.append(nbformat.v4.new_code_cell(spy_code(targets, writable, port)))
        samples.append(Hostile("spy", nb, ("update_lr",)))
    return samples


def spy_report(graded: GradedClass, student_id: str = "spy") -> dict[str, str]:
    text = graded.cell_output(student_id, marker=SPY_MARK)
    return json.loads(text.strip().splitlines()[-1])

"""A sample class for the demo and the end-to-end tests: honest, buggy and hostile students.

Each sample says what the grader should make of it (points lost, status), so the demo can show
and the tests can prove that grading gets every one of them right.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from . import course
from .notebook_io import read_notebook

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

# Wrong answers the way students write them; each names the one exercise it breaks.
BUGS = {
    "update_parameters_with_gd": '''\
def update_parameters_with_gd(parameters, grads, learning_rate):
    """Off by one: the last layer is never updated."""
    parameters = dict(parameters)
    L = len(parameters) // 2
    for l in range(1, L):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
''',
    "random_mini_batches": '''\
def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """The last partial batch is cut with a :-1 slice and loses a column."""
    np.random.seed(seed)
    m = X.shape[1]
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((1, m))
    mini_batches = []
    full = m // mini_batch_size
    for k in range(full):
        cut = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, cut], shuffled_Y[:, cut]))
    if m % mini_batch_size != 0:
        mini_batches.append((shuffled_X[:, full * mini_batch_size:-1],
                             shuffled_Y[:, full * mini_batch_size:-1]))
    return mini_batches
''',
    "initialize_velocity": '''\
def initialize_velocity(parameters):
    """Velocities shaped like the transposed parameters."""
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros(parameters["W" + str(l)].shape[::-1])
        v["db" + str(l)] = np.zeros(parameters["b" + str(l)].shape[::-1])
    return v
''',
    "update_parameters_with_momentum": '''\
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """Forgets the (1 - beta) factor on the gradient."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v["d" + p + str(l)] = beta * v["d" + p + str(l)] + grads["d" + p + str(l)]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v["d" + p + str(l)]
    return parameters, v
''',
    "initialize_adam": '''\
def initialize_adam(parameters):
    """Forgets the biases' second moments."""
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        v["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
        v["db" + str(l)] = np.zeros_like(parameters["b" + str(l)])
        s["dW" + str(l)] = np.zeros_like(parameters["W" + str(l)])
    return v, s
''',
    "update_parameters_with_adam": '''\
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """No bias correction: uses v and s where v_corrected and s_corrected belong."""
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = "d" + p + str(l)
            v[key] = beta1 * v[key] + (1 - beta1) * grads[key]
            s[key] = beta2 * s[key] + (1 - beta2) * grads[key] ** 2
            v_corrected[key] = v[key]
            s_corrected[key] = s[key]
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[key] / (
                np.sqrt(s_corrected[key]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected
''',
    "update_lr": '''\
def update_lr(learning_rate0, epoch_num, decay_rate):
    """A precedence slip: multiplies by epoch_num instead of dividing by it."""
    return learning_rate0 / (1 + decay_rate) * epoch_num
''',
    "schedule_lr_decay": '''\
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """Rounds instead of flooring the number of intervals."""
    return learning_rate0 / (1 + decay_rate * round(epoch_num / time_interval))
''',
}

INFINITE_LOOP = '''\
def update_lr(learning_rate0, epoch_num, decay_rate):
    """Never returns."""
    while True:
        pass
'''

KILLS_KERNEL = '''\
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """Takes the whole kernel down with it."""
    import os
    os._exit(1)
'''


@dataclass
class Sample:
    """A sample submission and what grading it must give."""

    student_id: str
    build: Callable[[], NotebookNode | str]
    loses: tuple[str, ...] = ()          # graded functions that must score 0
    status: str = "graded"               # expected status prefix
    blank: bool = False                  # scores 0 everywhere
    notes: str = ""


@dataclass
class Course:
    """The release notebook and the reference answers taken from the instructor's source."""

    release: NotebookNode = field(
        default_factory=lambda: read_notebook(course.default_assignment().release_notebook))
    source: NotebookNode = field(
        default_factory=lambda: read_notebook(course.default_assignment().source_notebook))

    def reference_answers(self) -> dict[str, str]:
        """Solution-cell sources of the source notebook, markers removed."""
        answers = {}
        for cell in self.source.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                lines = [ln for ln in cell.source.splitlines() if ln.strip() not in MARKERS]
                answers[meta["grade_id"]] = "\n".join(lines)
        return answers

    def submission(self, answers: dict[str, str] | None = None,
                   edit: Callable[[NotebookNode], None] | None = None) -> NotebookNode:
        """The release with the given solution cells filled in, then edited by `edit`."""
        nb = copy.deepcopy(self.release)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if answers and grade_id in answers:
                cell.source = answers[grade_id]
        if edit:
            edit(nb)
        return nb

    def answered(self, **overrides: str) -> NotebookNode:
        """The reference solution with some answers replaced."""
        return self.submission({**self.reference_answers(), **overrides})


def _delete_cells(*grade_ids: str) -> Callable[[NotebookNode], None]:
    def edit(nb):
        nb.cells = [c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") not in grade_ids]
    return edit


def _tamper_metadata(nb: NotebookNode) -> None:
    """Inflate points, unlock and blank a test cell, and mark it as not graded."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == "update_parameters_with_gd_tests":
            meta.update(points=1000, locked=False, grade=False)
            cell.source = "pass"


def _append_cell(source: str) -> Callable[[NotebookNode], None]:
    def edit(nb):
        nb.cells.append(nbformat.v4.new_code_cell(source))
    return edit


def sample_class(c: Course | None = None) -> list[Sample]:
    """The demo class: reference, blank, one buggy student per exercise and hostile ones."""
    c = c or Course()
    samples = [
        Sample("reference", lambda: c.answered(), notes="the instructor's solution"),
        Sample("blank", lambda: c.submission(), blank=True, notes="the release, untouched"),
    ]
    for function, bug in BUGS.items():
        samples.append(Sample(f"bug-{function.replace('_', '-')}",
                              lambda bug=bug, f=function: c.answered(**{f: bug}), loses=(function,),
                              notes=bug.splitlines()[1].strip().strip('"')))
    samples += [
        Sample("infinite-loop", lambda: c.answered(update_lr=INFINITE_LOOP), loses=("update_lr",),
               status="timeout in update_lr", notes="update_lr never returns"),
        Sample("kills-kernel", lambda: c.answered(schedule_lr_decay=KILLS_KERNEL),
               loses=("schedule_lr_decay",), status="kernel died in schedule_lr_decay",
               notes="os._exit(1) in the last exercise"),
        Sample("deletes-tests",
               lambda: c.submission(
                   {**c.reference_answers(),
                    "update_parameters_with_adam": BUGS["update_parameters_with_adam"]},
                   edit=_delete_cells("update_parameters_with_adam_tests")),
               loses=("update_parameters_with_adam",),
               notes="buggy Adam, its test cells deleted"),
        Sample("tampers-metadata",
               lambda: c.submission(
                   {**c.reference_answers(),
                    "update_parameters_with_gd": BUGS["update_parameters_with_gd"]},
                   edit=_tamper_metadata),
               loses=("update_parameters_with_gd",),
               notes="buggy GD, its test cell blanked and re-pointed to 1000 points"),
        Sample("floods-output", lambda: c.submission(c.reference_answers(), edit=_append_cell(
            "print('spam ' * 10_000_000)\nimport sys\nsys.exit('bye')")),
            notes="reference + a 50 MB print and sys.exit"),
        Sample("malformed", lambda: json.dumps(c.answered())[:5000], blank=True,
               status="malformed notebook", notes="a truncated .ipynb"),
        Sample("wrong-notebook", lambda: nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_markdown_cell("# Lab 3"), nbformat.v4.new_code_cell("x = 1")]),
            blank=True, status="wrong notebook", notes="another assignment's notebook"),
    ]
    return samples


def write_class(folder: Path, samples: list[Sample] | None = None) -> list[Sample]:
    """Write each sample as <student_id>.ipynb into `folder`; return the samples."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    samples = samples if samples is not None else sample_class()
    for sample in samples:
        content = sample.build()
        text = content if isinstance(content, str) else nbformat.writes(content)
        (folder / f"{sample.student_id}.ipynb").write_text(text, encoding="utf-8")
    return samples

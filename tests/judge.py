"""Judge answers with the real hidden tests, in real kernels, the way grading does.

Used by the bug bank (tests/bugbank), the fairness bank (tests/fairness) and the tampering tests
(tests/hostile). A JudgeKernel is prepared once: the release notebook's imports cell and every
reference answer from the instructor's source. Each answer is then

1. defined in the kernel, in place of the reference answer (as if its source filled the release
   notebook's solution cell),
2. judged by all eight autograder cells exactly as PrepareHiddenTests and JudgeHiddenTests judge
   them at grading time: the kernel runs the reporting code drawn for the key, sends its results
   back as display data, and grader.hidden_tests.judge compares them with the reference's here,
3. replaced by the reference answer again.

That is faithful to grading because the reporting code of a cell calls nothing but its own
exercise's function: which other answers are defined, and in which order, cannot change a
cell's verdict.

``run_public`` runs an exercise's public check in the kernel instead, judged by nbgrader's rule
(no error, full marks): a check that decides inside the student's process, to show what an
attack would gain there.

``python tests/bugbank/report.py`` prints the bug bank's catch-rate table without pytest.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from jupyter_client.manager import KernelManager

from grader import course
from grader.hidden_tests import judge as hidden
from grader.hidden_tests import kernel_side
from grader.hidden_tests.kernel_side import MIME
from grader.notebook_io import read_notebook
from grader.samples import Course
from utils.public_tests import EXERCISES as NUMBERED_EXERCISES

OURS = course.default_assignment()  # this repository's own assignment

# the graded functions in notebook order (public_tests numbers them the same way)
EXERCISES = list(NUMBERED_EXERCISES)
CELL_TIMEOUT = 60
KEY = "judge"  # the inputs key: fixed, so that every run judges the same inputs


@dataclass
class Verdict:
    """How the eight autograder cells judged one answer to one exercise."""

    exercise: str
    variant: str
    passed: dict[str, bool] = field(default_factory=dict)  # exercise -> its cell passed
    errors: dict[str, str] = field(default_factory=dict)  # exercise -> why its cell failed

    @property
    def caught(self) -> bool:
        """The exercise's own autograder cell failed."""
        return not self.passed[self.exercise]

    @property
    def contained(self) -> bool:
        """Every other autograder cell passed."""
        return all(ok for name, ok in self.passed.items() if name != self.exercise)


class JudgeKernel:
    """A kernel holding the imports and the reference answers, ready to judge variants."""

    def __init__(self, imports: str, references: dict[str, str], key: str = KEY):
        self.references, self.key = references, key
        self.checks = hidden.load_checks(course.SOURCE_NOTEBOOK, course.SKIP_TAG)
        self._sockets = tempfile.mkdtemp(prefix="judge-kernel-")
        self.km = KernelManager(kernel_name="python3", transport="ipc",
                                ip=os.path.join(self._sockets, "k"))
        self.km.start_kernel(env=_kernel_env(), extra_arguments=[
            "--HistoryManager.hist_file=:memory:"])
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self.run(imports, must_pass=True)
        for source in references.values():
            self.run(source, must_pass=True)

    @classmethod
    def for_course(cls, key: str = KEY) -> JudgeKernel:
        """A kernel holding this course's imports and reference answers."""
        imports, references, _, _ = notebook_sources()
        return cls(imports, references, key)

    def judge(self, exercise: str, variant: str, source: str, restore: bool = True) -> Verdict:
        """Define `source` for `exercise`, run the eight autograder cells, restore."""
        verdict = Verdict(exercise, variant)
        self.run(source)
        try:
            for name in EXERCISES:
                verdict.passed[name], reason = self.run_test(name)
                if reason:
                    verdict.errors[name] = reason
        finally:
            if restore:
                self.run(self.references[exercise], must_pass=True)
        return verdict

    def restore_all(self) -> None:
        """Define every reference answer again (after a source that defined several)."""
        self.run("\n\n".join(self.references.values()), must_pass=True)

    def run_test(self, name: str) -> tuple[bool, str]:
        """Run `name`'s autograder cell as grading does: (passed, 'ErrorName: why not')."""
        grade_id = f"{name}_tests"
        prepared = hidden.prepare(grade_id, self.checks[grade_id], self.key)
        reports = []
        _, _, error = self.run(prepared.source(), results=reports)
        verdict = hidden.verdict(prepared, reports, error)
        return verdict.passed, "" if verdict.passed else f"{verdict.ename}: {verdict.message}"

    def run_public(self, name: str) -> bool:
        """Run `name`'s public check as its autograder cell opens with it (deciding in the
        kernel), and judge it by nbgrader's rule: did it end without an error?"""
        ok, _, error = self.run(f"from utils.public_tests import {name}_test\n{name}_test({name})")
        return ok and not error

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)

    def run(self, code: str, must_pass: bool = False,
            results: list | None = None) -> tuple[bool, str, str]:
        """Execute `code`: (reply ok, stdout, 'ErrorName: message' or ''); hidden-test results
        it displays go to `results`, as SandboxedExecute sets them aside."""
        stdout, error = [], []

        def collect(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream" and content.get("name") == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error.append(f"{content['ename']}: {content['evalue']}")
            elif MIME in (content.get("data") or {}) and results is not None:
                results.append(content["data"][MIME] if kind == "display_data" else
                               {"invalid": f"sent as {kind}, not display_data"})

        reply = self.kc.execute_interactive(code, output_hook=collect, timeout=CELL_TIMEOUT,
                                            store_history=False)
        ok = reply["content"]["status"] == "ok"
        if must_pass and not ok:
            raise RuntimeError(f"judge kernel set-up failed: {error or reply['content']}")
        return ok, "".join(stdout), "; ".join(error)


def judge_function(name: str, function, key: str = KEY) -> tuple[bool, str]:
    """Judge a Python function as `name`'s autograder cell would, in this process: the
    reporting code runs here instead of in a kernel (fast; for unit tests)."""
    grade_id = f"{name}_tests"
    checks = hidden.load_checks(course.SOURCE_NOTEBOOK, course.SKIP_TAG)
    prepared = hidden.prepare(grade_id, checks[grade_id], key)
    reports = [json.loads(json.dumps(kernel_side.run_cases(function, cases)))
               for cases in prepared.encoded]
    verdict = hidden.verdict(prepared, reports)
    return verdict.passed, "" if verdict.passed else f"{verdict.ename}: {verdict.message}"


def notebook_sources() -> tuple[str, dict[str, str], dict[str, str], dict[str, str]]:
    """(release imports cell, reference answers, release stubs, autograder cells with hidden
    tests), by exercise."""
    release = read_notebook(OURS.release_notebook)
    source = read_notebook(OURS.source_notebook)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in release.cells}
    tests = {c.metadata.nbgrader["grade_id"][: -len("_tests")]: c.source for c in source.cells
             if c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_tests")}
    references = Course(release=release, source=source).reference_answers()
    references = {name: references[name] for name in EXERCISES}
    stubs = {name: by_id[name] for name in EXERCISES}
    return by_id["imports"], references, stubs, tests


def judge_all(cases: list[tuple[str, str, str]], kernels: int = 2,
              key: str = KEY) -> list[Verdict]:
    """Judge each (exercise, variant, source), spread over `kernels` kernels, with the inputs
    of `key`; keeps order. Every reference is restored after each answer."""
    imports, references, _, _ = notebook_sources()
    todo: queue.Queue = queue.Queue()
    for index, case in enumerate(cases):
        todo.put((index, case))
    verdicts: list[Verdict | None] = [None] * len(cases)
    lock = threading.Lock()

    def work() -> None:
        kernel = JudgeKernel(imports, references, key)
        try:
            while True:
                try:
                    index, (exercise, variant, source) = todo.get_nowait()
                except queue.Empty:
                    return
                verdict = kernel.judge(exercise, variant, source)
                kernel.restore_all()
                with lock:
                    verdicts[index] = verdict
        finally:
            kernel.close()

    with ThreadPoolExecutor(max_workers=kernels) as pool:
        for future in [pool.submit(work) for _ in range(max(1, min(kernels, len(cases))))]:
            future.result()
    return [v for v in verdicts if v is not None]


def catch_table(verdicts: list[Verdict]) -> str:
    """Catch rate per exercise: caught = own cell failed and every other cell passed."""
    rows = [("exercise", "variants", "caught", "catch rate")]
    total = caught = 0
    for name in EXERCISES:
        mine = [v for v in verdicts if v.exercise == name]
        good = sum(v.caught and v.contained for v in mine)
        total, caught = total + len(mine), caught + good
        rate = f"{100 * good / len(mine):.0f} %" if mine else "-"
        rows.append((name, str(len(mine)), str(good), rate))
    rows.append(("all", str(total), str(caught), f"{100 * caught / max(total, 1):.0f} %"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(len(lines) - 1, "  ".join("-" * w for w in widths))
    missed = [f"  missed: {v.exercise}/{v.variant} (own cell passed: {not v.caught}; other "
              f"cells failed: {[(n, v.errors[n]) for n in sorted(v.errors.keys() - {v.exercise})]})"
              for v in verdicts if not (v.caught and v.contained)]
    return "\n".join(lines + missed)


def _kernel_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTEST"))}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    return env

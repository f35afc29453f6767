"""Grade submissions in a process of their own: ``python -m grader.worker JOB.json`` grades one,
``python -m grader.worker --serve MEMORY_MB`` grades the job files named on stdin one by one.

Everything a submission can break (its kernel, its outputs, the process running it) stays in
this process, which the runner replaces if it dies. The per-submission work after grading is
done here too, in parallel: the scores (computed in a private copy of the gradebook) go back in
the result file, and the feedback page is written to the output folder; the parent
only collects results and writes them to the class gradebook in batches.
"""

from __future__ import annotations

import functools
import json
import os
import resource
import shutil
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat
from traitlets.config import Config

from . import course, feedback, gradebook, pipeline
from .atomic import write_text as _atomic_write
from .notebook_io import NotebookError, read_notebook
from .validate import nbgrader_cells


@dataclass
class Job:
    """Everything needed to grade one submission, serialisable to JSON."""

    student_id: str
    submission: str
    template_db: str
    autograded: str
    result: str
    assignment: str = ""
    notebook: str = ""
    hidden_paths: list[str] = field(default_factory=list)  # the course, never seen by a kernel
    scratch_files: list[str] = field(default_factory=list)
    timeout: int = 60
    total_timeout: int = 180
    cell_order: list[str] = field(default_factory=list)
    skip: bool = True
    max_output_bytes: int = 200_000
    memory_mb: int = 4096
    isolation: str = "auto"  # bubblewrap sandbox for the kernel: "auto", "bwrap" or "none"
    inputs_key: str = ""  # draws the hidden tests' inputs (grader.hidden_tests.seeds); "" = random
    source_notebook: str = ""  # the instructor's notebook with the hidden tests ("" = the course's)
    course: str = ""  # the course folder ("": this repository's)
    submitted_at: str = ""  # ISO time the student submitted, if known
    due: str = ""  # ISO due date (with the student's extension) in the class gradebook, if any
    feedback: str = ""  # where to write the feedback page ("": none)
    beside_feedback: list[str] = field(default_factory=list)  # files copied beside the page
    grader_entries: dict = field(default_factory=dict)  # gradebook.grader_entries, if any
    fork_kernels: bool = True  # from the worker's warm zygote (grader/zygote.py), or fresh


def grade(job: Job) -> dict:
    """Sanitize, execute and store the autograded notebook; return the result record."""
    started = time.monotonic()
    try:
        nb = read_notebook(Path(job.submission))
    except NotebookError as err:  # its page says so, written with the class outputs
        return {"student_id": job.student_id, "status": f"malformed notebook: {err}"}
    expected = set(_tracked_ids(job))
    found = expected & set(nbgrader_cells(nb))
    config = _config(job)
    # a private copy: workers never share an sqlite file, and it is gone before student code
    # starts
    with gradebook.private_copy(Path(job.template_db)) as db_url:
        resources = {"nbgrader": {"notebook": job.notebook, "assignment": job.assignment,
                                  "student": job.student_id, "db_url": db_url},
                     "grader": _grader_resources(job), "metadata": {}}
        nb, resources = pipeline.run(pipeline.SANITIZE, nb, resources, config)
    nb, resources = pipeline.run(pipeline.EXECUTE, nb, resources, config)
    events = json.loads(Path(config.SandboxedExecute.events_file).read_text())
    Path(config.SandboxedExecute.events_file).unlink()
    _atomic_write(Path(job.autograded), nbformat.writes(nb))
    record = {"student_id": job.student_id, "status": _status(nb, events, found)}
    record["gradebook"] = score_and_render(job, nb)
    record["seconds"] = round(time.monotonic() - started, 2)
    return record


def score_and_render(job: Job, nb) -> dict:
    """Save the scores into a private copy of the gradebook, as the class gradebook will hold
    them, and render the feedback page from it; return what to save there (save_many)."""
    graded = {cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells
              if cell.metadata.get("nbgrader", {}).get("grade_id")}
    assignment = _assignment(job.course, job.assignment)
    with gradebook.private_copy(Path(job.template_db)) as db_url:
        gradebook.score(assignment, db_url, job.student_id, Path(job.autograded),
                        _when(job.submitted_at), _when(job.due), job.grader_entries)
        entries = gradebook.autograder_entries(assignment, db_url, job.student_id, graded)
        if job.feedback:
            page = _renderer(job.course).page(Path(job.autograded), job.student_id,
                                              assignment.name, db_url)
            _atomic_write(Path(job.feedback), page)
            for extra in map(Path, job.beside_feedback):
                shutil.copy2(extra, Path(job.feedback).parent / extra.name)
    return entries


def _when(iso: str) -> datetime | None:
    return datetime.fromisoformat(iso) if iso else None


@functools.cache
def _assignment(course_root: str, name: str) -> course.Assignment:
    return course.Course.load(course_root or None).assignment(name or None)


@functools.cache
def _renderer(course_root: str) -> feedback.Renderer:
    """One page renderer per worker process and course: templates are loaded once."""
    return feedback.Renderer(course.Course.load(course_root or None))


def _grader_resources(job: Job) -> dict:
    """What this grader's preprocessors read: the cell order and the hidden tests' inputs key."""
    resources = {"cell_order": job.cell_order}
    if job.inputs_key:
        resources["inputs_key"] = job.inputs_key
    return resources


def _status(nb, events: dict, found: set) -> str:
    if not found:
        return "wrong notebook (none of the assignment's cells found)"
    if events["kernel_died"] is not None:
        return f"kernel died in {_function_at(nb, events['kernel_died'])}"
    if events["timeouts"]:
        return f"timeout in {_function_at(nb, events['timeouts'][0])}"
    if events["budget_exceeded"] is not None:
        return f"time limit reached in {_function_at(nb, events['budget_exceeded'])}"
    return "graded"


def _function_at(nb, index: int) -> str:
    """The graded function a cell belongs to: the nearest instructor cell at or above it."""
    for cell in reversed(nb.cells[: index + 1]):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id:
            return course.function_of(grade_id)
    return f"cell {index}"


def _tracked_ids(job: Job) -> list[str]:
    path = Path(job.template_db)
    return _graded_cells_of(path, path.stat().st_mtime_ns, job.notebook, job.assignment)


@functools.lru_cache(maxsize=16)
def _graded_cells_of(template_db: Path, _mtime: int, notebook: str, assignment: str) -> list[str]:
    """The instructor cells a template gradebook tracks, read once per version of the file."""
    from nbgrader.api import Gradebook

    with Gradebook(course.sqlite_url(template_db)) as gb:
        found = gb.find_notebook(notebook, assignment)
        return [cell.name for cell in found.solution_cells] + \
               [cell.name for cell in found.grade_cells]


def _config(job: Job) -> Config:
    c = Config()
    c.SandboxedExecute.timeout = job.timeout
    c.SandboxedExecute.total_timeout = job.total_timeout
    c.SandboxedExecute.scratch_files = job.scratch_files
    c.SandboxedExecute.max_output_bytes = job.max_output_bytes
    c.SandboxedExecute.skip_cells_with_tag = course.SKIP_TAG
    c.SandboxedExecute.isolation = job.isolation
    c.SandboxedExecute.fork_kernels = job.fork_kernels
    # never visible to the kernel, even where they lie inside a folder it may read
    c.SandboxedExecute.hidden_paths = [*job.hidden_paths, str(Path(job.submission).parent),
                                       str(Path(job.template_db).parent.parent)]
    c.SandboxedExecute.events_file = job.result + ".events"
    # kill the kernel once its cells have run: a polite shutdown costs 0.2 s, 3 s when it
    # lingers, and only saves the kernel's history
    c.SandboxedExecute.shutdown_kernel = "immediate"
    c.HonourSkipTags.enabled_skip = job.skip
    c.PrepareHiddenTests.source_notebook = job.source_notebook or str(course.SOURCE_NOTEBOOK)
    c.PrepareHiddenTests.skip_tag = course.SKIP_TAG
    c.LimitOutput.max_lines = 1000
    c.LimitOutput.max_traceback = 100
    return c


def _limit_memory(megabytes: int) -> None:
    """Cap this process and the kernel it starts, so one submission cannot starve the machine."""
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def grade_and_store(job: Job) -> None:
    """Grade `job` and write its result file, whatever happens in grading."""
    try:
        record = grade(job)
    except Exception as err:  # anything unexpected still yields a row, never a crash upstream
        record = {"student_id": job.student_id,
                  "status": f"grading failed: {type(err).__name__}: {str(err)[:200]}",
                  "traceback": traceback.format_exc()}
    _atomic_write(Path(job.result), json.dumps(record))


def _load(job_file: str) -> Job:
    return Job(**json.loads(Path(job_file).read_text()))


def serve(memory_mb: int) -> int:
    """Grade the job files named on stdin, one per line, echoing each line once it is done."""
    _limit_memory(memory_mb)
    # stdin and stdout move to private descriptors and /dev/null takes their place: nothing a
    # kernel started here writes can reach the runner reading our replies
    requests, replies = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    for line in requests:
        try:
            grade_and_store(_load(line.strip()))
        except Exception:  # an unreadable job file: the runner reports the missing result
            traceback.print_exc()
        replies.write(line)
        replies.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Grade the job in the JSON file argv[0], or serve jobs (``--serve MEMORY_MB``)."""
    args = argv if argv is not None else sys.argv[1:]
    if args[0] == "--serve":
        return serve(int(args[1]))
    job = _load(args[0])
    _limit_memory(job.memory_mb)
    grade_and_store(job)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Bench: seconds to grade one submission, against bare execution of the same cells."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader import course
from grader.autograde import Outdir, _make_template, jobs_for
from grader.collect import Submission
from grader.notebook_io import read_notebook
from grader.runners import run_local

from .grading import BIN, tool_env

OURS = course.default_assignment()  # this repository's own assignment

# what our kernels get too (grader/preprocessors/sandboxed_execute.py)
KERNEL_ENV = {"MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
              "MKL_NUM_THREADS": "1"}


def ours(submissions: list[Path], work: Path, fresh_kernels: bool = False) -> list[float]:
    """Wall seconds per submission through one pooled worker, one after another (each kernel
    forked from the worker's zygote, or a new interpreter with `fresh_kernels`)."""
    out = Outdir(work / ("ours-fresh" if fresh_kernels else "ours"))
    out.results.mkdir(parents=True)
    _make_template(out)
    jobs = jobs_for(out, [Submission(path.stem, path) for path in submissions], 60, True, 4096,
                    fresh_kernels=fresh_kernels)
    seconds, started = [], time.perf_counter()
    for _ in run_local(jobs, 1):
        seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
    return seconds


def bare_notebook(submission: Path) -> nbformat.NotebookNode:
    """The cells our grader runs, as a plain notebook (the source's tests, no skipped cells)."""
    tests = {cell.metadata["nbgrader"]["grade_id"]: cell.source
             for cell in read_notebook(OURS.source_notebook).cells
             if cell.metadata.get("nbgrader", {}).get("grade")}
    nb = read_notebook(submission)
    kept = []
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if course.SKIP_TAG in cell.metadata.get("tags", []) and grade_id is None:
            continue
        if grade_id in tests:
            cell.source = tests[grade_id]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        kept.append(cell)
    nb.cells = kept
    return nb


def nbconvert(notebooks: list[Path], work: Path) -> list[float]:
    """Wall seconds of `jupyter nbconvert --to notebook --execute` per notebook."""
    seconds = []
    for notebook in notebooks:
        with tempfile.TemporaryDirectory(dir=work) as scratch:
            started = time.perf_counter()
            subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute",
                            "--allow-errors", "--output-dir", scratch, str(notebook)],
                           cwd=scratch, check=True, capture_output=True, env=tool_env(**KERNEL_ENV))
            seconds.append(time.perf_counter() - started)
    return seconds


def warm_nbclient(notebooks: list[Path], work: Path) -> list[float]:
    """Wall seconds of nbclient executing each notebook from this (already warm) process."""
    seconds = []
    for notebook in notebooks:
        nb = nbformat.read(notebook, as_version=4)
        with tempfile.TemporaryDirectory(dir=work) as scratch:
            started = time.perf_counter()
            client = NotebookClient(nb, kernel_name="python3", allow_errors=True,
                                    resources={"metadata": {"path": scratch}})
            client.execute(env=tool_env(**KERNEL_ENV))
            seconds.append(time.perf_counter() - started)
    return seconds


def run(submissions: list[Path], work: Path) -> dict:
    """Median seconds per submission: ours, bare nbconvert, bare nbclient in a warm process."""
    work.mkdir(parents=True, exist_ok=True)
    notebooks = []
    for path in submissions:
        notebooks.append(work / "bare" / path.name)
        notebooks[-1].parent.mkdir(exist_ok=True)
        nbformat.write(bare_notebook(path), notebooks[-1])
    times = {"ours": ours(submissions, work), "nbconvert": nbconvert(notebooks, work),
             "warm_nbclient": warm_nbclient(notebooks, work),
             "ours_fresh_kernels": ours(submissions, work, fresh_kernels=True)}
    medians = {name: round(statistics.median(values), 3) for name, values in times.items()}
    return {"submissions": [path.stem for path in submissions], "median_seconds": medians,
            "overhead_vs_nbconvert": round(medians["ours"] / medians["nbconvert"] - 1, 3),
            "overhead_vs_warm_nbclient": round(medians["ours"] / medians["warm_nbclient"] - 1, 3),
            "speedup_vs_fresh_kernels": round(medians["ours_fresh_kernels"] / medians["ours"], 2),
            "seconds": {name: [round(v, 3) for v in values] for name, values in times.items()}}

"""Bench: what the coordinating process of `autograde` costs, and whether grading scales.

- *scale*: a mixed class graded with `--jobs N` and with `--jobs 1`: seconds per submission,
  the speed-up, and the CPU seconds of the coordinating process alone per submission (its
  worker processes not counted): the throughput of any cluster is capped at 1 / that;
- *simulated*: the coordinator fed by a stand-in runner that hands back real worker results
  (from grading a small class for real) instantly, as an infinitely large cluster would:
  submissions per second, and CPU per submission, at a scale no test machine can grade.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from grader.autograde import Outdir, grade_class, stored_results
from grader.worker import Job

from .classroom import write_bench_class, write_mixed_class
from .grading import tool_env


def autograde(submissions: Path, out: Path, jobs: int) -> dict:
    """`python -m grader autograde` in a process of its own: wall and its own CPU seconds."""
    report = out.with_name(out.name + ".measured.json")
    subprocess.run([sys.executable, "-m", "bench.measured", str(report), "autograde",
                    str(submissions), "--out", str(out), "--jobs", str(jobs)],
                   check=True, capture_output=True, env=tool_env())
    return json.loads(report.read_text())


def scale(work: Path, size: int, jobs: int = 2) -> dict:
    """The same mixed class with `--jobs jobs` and `--jobs 1`, one after the other."""
    write_mixed_class(work / "class", size)
    parallel = autograde(work / "class", work / f"jobs-{jobs}", jobs)
    serial = autograde(work / "class", work / "jobs-1", 1)
    return {"students": size, "jobs": jobs,
            "seconds": round(parallel["wall_seconds"], 2),
            "seconds_per_submission": round(parallel["wall_seconds"] / size, 3),
            "coordinator_cpu_seconds": round(parallel["cpu_seconds"], 2),
            "coordinator_cpu_per_submission": round(parallel["cpu_seconds"] / size, 4),
            "jobs_1_seconds": round(serial["wall_seconds"], 2),
            "speedup": round(serial["wall_seconds"] / parallel["wall_seconds"], 2)}


def simulate(work: Path, size: int, jobs: int = 2) -> dict:
    """Grade a class of `size` through the real coordinator and a stand-in runner."""
    write_bench_class(work / "seed-class")
    autograde(work / "seed-class", work / "seed", jobs)
    seed = Outdir(work / "seed")
    records = stored_results(seed)
    # the class: every seed submission over and over (hard links: instant, no extra disk)
    origin = {}
    (work / "class").mkdir(parents=True)
    names = sorted(records)
    for i in range(size):
        source = names[i % len(names)]
        origin[f"{source}-{i:05d}"] = source
        os.link(work / "seed-class" / f"{source}.ipynb",
                work / "class" / f"{source}-{i:05d}.ipynb")

    def stand_in(jobs_: list[Job], workers: int) -> Iterator[dict]:
        """What workers would hand back: their record, notebook and page already in place."""
        for job in jobs_:
            source = origin[job.student_id]
            for made, target in ((seed.autograded_notebook(source), job.autograded),
                                 (seed.feedback_page(source), job.feedback)):
                if made.exists():
                    Path(target).parent.mkdir(parents=True, exist_ok=True)
                    os.link(made, target)
            yield {**records[source], "student_id": job.student_id}

    cpu, wall = time.process_time(), time.perf_counter()
    rows = grade_class(work / "class", work / "simulated", jobs=jobs, runner=stand_in,
                       quiet=True)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert len(rows) == size
    return {"students": size, "seconds": round(wall, 2),
            "submissions_per_second": round(size / wall, 1),
            "coordinator_cpu_per_submission": round(cpu / size, 4)}

"""Where worker processes run: local subprocesses, or a Dask cluster for large courses."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from .worker import Job

# Beyond its own time budget a worker gets this long to write its result before it is killed.
GRACE_SECONDS = 60


def run_job(job: Job) -> dict:
    """Grade `job` in a fresh Python process and return its result record."""
    job_file = Path(job.result + ".job.json")
    job_file.parent.mkdir(parents=True, exist_ok=True)
    job_file.write_text(json.dumps(asdict(job)))
    result = Path(job.result)
    result.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "grader.worker", str(job_file)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=job.total_timeout + GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {"student_id": job.student_id,
                "status": f"timeout (grading exceeded {job.total_timeout + GRACE_SECONDS} s)"}
    finally:
        job_file.unlink(missing_ok=True)
    if result.exists():
        return json.loads(result.read_text())
    reason = (stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
    return {"student_id": job.student_id,
            "status": f"grading failed (worker exit {proc.returncode}: {reason[0][:200]})"}


def run_local(jobs: list[Job], workers: int) -> Iterator[dict]:
    """Run jobs `workers` at a time on this machine, yielding results as they finish."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(run_job, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def run_dask(jobs: list[Job], address: str) -> Iterator[dict]:
    """Run jobs on a Dask cluster ('local' starts one on this machine), yielding results."""
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True) \
        if address == "local" else None
    with Client(cluster or address) as client:
        futures = [client.submit(run_job, job, pure=False) for job in jobs]
        for future in dask_completed(futures):
            yield future.result()
    if cluster is not None:
        cluster.close()

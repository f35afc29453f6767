"""Where worker processes run: a pool of long-lived local workers, or a Dask cluster."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from pathlib import Path

from .collect import UsageError
from .lock import held_fds
from .worker import Job

# Beyond its own time budget a worker gets this long to write its result before it is killed.
GRACE_SECONDS = 60
# A pooled worker is replaced after this many submissions, which bounds any slow leak in it
# (measured: +0.15 MB per submission). Starting one (imports, page renderer, kernel zygote)
# costs ~2.5 s of CPU: 12 ms per submission at 200, where 50 cost 50 ms.
JOBS_PER_WORKER = 200


class Worker:
    """A ``python -m grader.worker --serve`` process that grades jobs one after another."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.graded = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader.worker", "--serve", str(memory_mb)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, pass_fds=held_fds())  # --out stays locked while it lives
        # the end of its stderr (kernels write there too), to say why a worker died; read in
        # bounded chunks so that nothing written there can fill the pipe or our memory
        self._stderr = deque(maxlen=4)
        chunks = iter(lambda: self.proc.stderr.read1(65536), b"")
        threading.Thread(target=self._stderr.extend, args=(chunks,), daemon=True).start()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def grade(self, job: Job) -> dict:
        """Send `job`, wait for it within its time budget; a worker that fails it is killed."""
        job_file = _write_job(job)
        self.graded += 1
        self._stderr.clear()
        try:
            self.proc.stdin.write(f"{job_file}\n".encode())
            self.proc.stdin.flush()
            reply = _read_line(self.proc.stdout, job.total_timeout + GRACE_SECONDS)
        except OSError:  # BrokenPipeError: it died before reading the job
            reply = ""
        finally:
            job_file.unlink(missing_ok=True)
        if reply is None:
            self.kill()
            return _timed_out(job)
        if not reply:  # it died while grading
            self.kill()
        stderr = b"".join(self._stderr).decode(errors="replace")
        return _result(job, self.proc.poll(), stderr)

    def kill(self) -> None:
        _kill(self.proc)

    def close(self) -> None:
        """Let it finish and exit (end of input), or kill it if it does not within 10 s."""
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            _kill(self.proc)


def run_local(jobs: list[Job], workers: int) -> Iterator[dict]:
    """Grade jobs on up to `workers` long-lived worker processes, yielding results as ready."""
    # a worker that dies or overruns while grading is killed, its submission gets a
    # "grading failed"/"timeout" row, and the next job starts a fresh worker
    idle: list[Worker] = []
    lock = threading.Lock()

    def run(job: Job) -> dict:
        with lock:
            worker = idle.pop() if idle else None
        try:
            if worker is None or worker.memory_mb != job.memory_mb or not worker.alive:
                if worker is not None:
                    worker.close()
                worker = Worker(job.memory_mb)
            record = worker.grade(job)
        except Exception as err:  # e.g. no worker could start: still a row for this job
            if worker is not None:
                worker.kill()
            return {"student_id": job.student_id,
                    "status": f"grading failed: {type(err).__name__}: {str(err)[:200]}"}
        if worker.alive and worker.graded < JOBS_PER_WORKER:
            with lock:
                idle.append(worker)
        else:
            worker.close()
        return record

    pool = ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        for future in as_completed([pool.submit(run, job) for job in jobs]):
            yield future.result()
    finally:  # stopped early (e.g. Ctrl-C): finish the submissions being graded, no others
        pool.shutdown(wait=True, cancel_futures=True)
        for worker in idle:
            worker.close()


# On a Dask worker: the long-lived grading process of each of its threads, for this run.
_POOLED: dict[int, Worker] = {}


def run_pooled(job: Job) -> dict:
    """Grade `job` in this thread's long-lived worker process, as run_local does (a Dask task).

    Start-up (imports, the feedback exporter and its templates) is paid once per process, not
    per submission; run_dask stops these processes when the run ends.
    """
    worker = _POOLED.pop(threading.get_ident(), None)
    if worker is None or worker.memory_mb != job.memory_mb or not worker.alive:
        if worker is not None:
            worker.close()
        worker = Worker(job.memory_mb)
    try:
        record = worker.grade(job)
    except BaseException:  # e.g. its job file cannot be written: the task fails, Dask says why
        worker.kill()
        raise
    if worker.alive and worker.graded < JOBS_PER_WORKER:
        _POOLED[threading.get_ident()] = worker
    else:
        worker.close()
    return record


def close_pooled() -> int:
    """Stop this Dask worker's grading processes (run on every worker at the end of a run)."""
    while _POOLED:
        _POOLED.popitem()[1].close()
    return 0


def run_dask(jobs: list[Job], address: str, workers: int = 2) -> Iterator[dict]:
    """Run jobs on a Dask cluster ('local': `workers` Dask workers here), yielding results."""
    # each job runs in a grading process of its own (run_pooled) beside whichever Dask worker
    # takes it: a submission cannot harm the Dask worker, and nothing outlives the run
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    if not jobs:
        return
    cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                           dashboard_address=None) if address == "local" else None
    try:
        try:
            client = Client(cluster or address)
        except (OSError, ValueError) as err:  # unreachable, or not an address
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        with client:
            futures = {client.submit(run_pooled, job, pure=False): job for job in jobs}
            try:
                for future in dask_completed(futures):
                    try:
                        record = future.result()
                    except Exception as err:  # e.g. KilledWorker: its Dask workers kept dying
                        record = {"student_id": futures[future].student_id,
                                  "status": f"grading failed on the cluster: "
                                            f"{type(err).__name__}: {str(err)[:200]}"}
                    yield record
            finally:
                client.cancel(list(futures))
                client.run(close_pooled)
    finally:
        if cluster is not None:
            cluster.close()


def _write_job(job: Job) -> Path:
    """The job as a JSON file beside its result, with any stale result removed."""
    job_file = Path(job.result + ".job.json")
    job_file.parent.mkdir(parents=True, exist_ok=True)
    job_file.write_text(json.dumps(asdict(job)))
    Path(job.result).unlink(missing_ok=True)
    return job_file


def _read_line(stream, timeout: float) -> str | None:
    """A line from `stream`: '' if it closed first, None if none came within `timeout` s."""
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([stream], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            return None
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            return ""
        line += chunk
    return line.decode()


def _result(job: Job, returncode: int | None, stderr: str) -> dict:
    """The record the worker wrote, or a "grading failed" row saying how it ended."""
    result = Path(job.result)
    if result.exists():
        return json.loads(result.read_text())
    reason = stderr.strip().splitlines()[-1:] or ["no output"]
    return {"student_id": job.student_id,
            "status": f"grading failed (worker exit {returncode}: {reason[0][:200]})"}


def _timed_out(job: Job) -> dict:
    return {"student_id": job.student_id,
            "status": f"timeout (grading exceeded {job.total_timeout + GRACE_SECONDS} s)"}


def _kill(proc: subprocess.Popen) -> None:
    """Kill a worker and its process group, and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()

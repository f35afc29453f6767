"""The local runner's long-lived workers: one grades many submissions, hostile ones included,
and a worker that dies or hangs costs only the submission it was grading."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from grader import runners
from grader.autograde import Outdir, _make_template, jobs_for
from grader.collect import Submission
from grader.samples import write_class


@pytest.fixture(scope="module")
def make_jobs(tmp_path_factory, samples):
    """Jobs for the named samples, as autograde builds them, in a throw-away output folder."""
    out = Outdir(tmp_path_factory.mktemp("pool"))
    out.results.mkdir(parents=True)
    _make_template(out)
    folder = out.root / "submissions"

    def make(*students: str, timeout: int = 10):
        write_class(folder, [samples[student] for student in students])
        return jobs_for(out, [Submission(s, folder / f"{s}.ipynb") for s in students],
                        timeout, True, 4096)
    return make


@pytest.fixture
def started(monkeypatch):
    """Every worker process the runner starts during the test, in order."""
    workers = []

    class Recorded(runners.Worker):
        def __init__(self, memory_mb):
            super().__init__(memory_mb)
            workers.append(self)

    monkeypatch.setattr(runners, "Worker", Recorded)
    return workers


def grade(jobs, workers: int = 1) -> dict[str, str]:
    return {r["student_id"]: r["status"] for r in runners.run_local(jobs, workers)}


def signal_first_worker(started: list, signum: int, after: float) -> threading.Thread:
    """Send `signum` to the first worker `after` seconds after it started (in the background)."""
    def send():
        while not started:
            time.sleep(0.05)
        time.sleep(after)
        os.kill(started[0].proc.pid, signum)
    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


def test_one_worker_grades_hostile_submissions_and_the_next_ones(make_jobs, started, samples):
    students = ("kills-kernel", "floods-output", "infinite-loop", "reference")
    statuses = grade(make_jobs(*students, timeout=3))
    assert set(statuses) == set(students)
    for student, status in statuses.items():
        assert status.startswith(samples[student].status), f"{student}: {status}"
    assert len(started) == 1  # a dead kernel, a flood or a timeout does not cost the worker


def test_a_worker_that_dies_fails_only_the_submission_it_was_grading(make_jobs, started):
    # the infinite loop keeps the first job busy for 30 s: the worker is killed during it
    jobs = make_jobs("infinite-loop", "reference", "blank", timeout=30)
    signal_first_worker(started, signal.SIGKILL, after=3)
    statuses = grade(jobs)
    assert statuses.pop("infinite-loop").startswith("grading failed (worker exit -9")
    assert statuses == {"reference": "graded", "blank": "graded"}
    assert len(started) == 2 and not started[0].alive


def test_a_worker_that_hangs_is_killed_after_its_time_budget(make_jobs, started, monkeypatch):
    monkeypatch.setattr(runners, "GRACE_SECONDS", 1)
    jobs = make_jobs("reference", "blank", timeout=2)  # a budget of 3 x 2 s per submission
    signal_first_worker(started, signal.SIGSTOP, after=0.2)  # frozen before it can answer
    statuses = grade(jobs)
    assert statuses == {"reference": "timeout (grading exceeded 7 s)", "blank": "graded"}
    assert len(started) == 2 and not started[0].alive


def test_workers_are_replaced_after_their_quota(make_jobs, started, monkeypatch):
    monkeypatch.setattr(runners, "JOBS_PER_WORKER", 2)
    statuses = grade(make_jobs("blank", "bug-update-lr", "reference"))
    assert set(statuses.values()) == {"graded"}
    assert len(started) == 2 and not any(worker.alive for worker in started)

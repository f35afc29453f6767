"""Grading on a Dask cluster gives the same grades as grading locally, with scores and feedback
pages computed on the cluster."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from equivalence import assert_same_as_stock

from grader import course
from grader.autograde import Outdir
from grader.runners import run_dask
from grader.worker import Job

CHOSEN = ["reference", "blank", "bug-update-lr", "kills-kernel"]


@pytest.fixture(scope="module")
def cluster():
    """A scheduler and 2 single-threaded worker processes on this machine, as on a real cluster."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as local:
        yield local


def subset(graded_class, students, folder):
    """Copies of some of the graded class's submissions."""
    folder.mkdir()
    for student in students:
        shutil.copy(graded_class[0] / f"{student}.ipynb", folder)
    return folder


def test_a_cluster_gives_the_same_grades_as_local_grading(graded_class, cluster, tmp_path,
                                                          run_cli, read_grades):
    from dask.distributed import Client

    submissions = subset(graded_class, CHOSEN, tmp_path / "submissions")
    result = run_cli("autograde", str(submissions), "--out", str(tmp_path / "out"),
                     "--timeout", str(graded_class[2]), "--dask", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr[-3000:]
    local, on_dask = read_grades(graded_class[1]), read_grades(tmp_path / "out")
    assert on_dask == {student: local[student] for student in CHOSEN}
    out = Outdir(tmp_path / "out")
    for student in CHOSEN:  # scored and rendered on the cluster, before the coordinator got it
        record = json.loads(out.result(student).read_text())
        assert set(record["gradebook"][course.NOTEBOOK]) == {"grades", "comments",
                                                             "late_submission_penalty"}
        assert out.feedback_page(student).stat().st_mtime <= out.result(student).stat().st_mtime
    assert_same_as_stock(out.root, tmp_path / "stock")
    with Client(cluster) as client:  # the grading really ran there
        ran = client.run_on_scheduler(
            lambda dask_scheduler: sum(dask_scheduler.task_prefixes["run_pooled"].state_counts
                                       .values()))
    assert ran >= len(CHOSEN)


def test_dask_local_starts_its_own_cluster(graded_class, tmp_path, run_cli, read_grades):
    students = ["reference", "bug-random-mini-batches"]
    submissions = subset(graded_class, students, tmp_path / "submissions")
    result = run_cli("autograde", str(submissions), "--out", str(tmp_path / "out"),
                     "--timeout", str(graded_class[2]), "--dask", "local", "--jobs", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    local, on_dask = read_grades(graded_class[1]), read_grades(tmp_path / "out")
    assert on_dask == {student: local[student] for student in students}


def test_a_job_that_fails_on_the_cluster_still_gets_a_row(cluster, tmp_path):
    (tmp_path / "a-file").write_text("")
    job = Job(student_id="alice", submission="-", template_db="-", autograded="-",
              result=str(tmp_path / "a-file" / "alice.json"))  # its folder cannot be made
    [record] = run_dask([job], cluster.scheduler_address)
    assert record["student_id"] == "alice"
    assert record["status"].startswith("grading failed on the cluster: ")


def test_an_unreachable_scheduler_is_a_clear_error(graded_class, tmp_path):
    submissions = subset(graded_class, ["blank"], tmp_path / "submissions")
    result = subprocess.run(
        [sys.executable, "-m", "grader", "autograde", str(submissions), "--out",
         str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:1"], capture_output=True, text=True,
        env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}, timeout=120)
    assert result.returncode == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr

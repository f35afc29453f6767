"""Interruption anywhere: autograde killed (SIGKILL) at every stage of a run, then rerun, ends
exactly where an uninterrupted run does, with nothing half-written and no process left over.

One class goes through a chain of runs, each killed at the next stage and each resuming the
last: a worker killed mid-submission and the coordinator killed while grading (both seen from
real processes: a worker with a kernel running), then killed mid gradebook write, mid feedback
page and mid report (at the crash points of the GRADER_TEST_KILL_AT hook), then a clean run.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from nbgrader.api import Gradebook

from grader import atomic, course, lock
from grader.samples import write_class

STUDENTS = ["blank", "bug-update-lr", "malformed", "reference"]


def processes() -> dict[int, tuple[int, str, int]]:
    """pid -> (parent pid, state, start time) of every process."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), fields[0], int(fields[19]))
    return table


def descendants(pid: int) -> set[tuple[int, int]]:
    """(pid, start time) of every process below `pid`."""
    table = processes()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, (parent, _, _) in table.items() if parent in frontier}
        found |= {(p, table[p][2]) for p in frontier}
    return found


def alive(process: tuple[int, int]) -> bool:
    entry = processes().get(process[0])
    return entry is not None and entry[1] not in "ZX" and entry[2] == process[1]


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def wait_until(condition, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result


def busy_worker(coordinator: int, not_this: int | None = None) -> int | None:
    """A grading worker of `coordinator` with a kernel (any child process) running."""
    table = processes()
    for pid, (parent, _, _) in table.items():
        if parent == coordinator and pid != not_this and b"grader.worker" in cmdline(pid) \
                and any(p2 == pid for p2, _, _ in table.values()):
            return pid
    return None


def leftovers(out: Path) -> dict:
    """What a killed run left in its output folder."""
    holder = lock.FileLock(out / lock.LOCK_NAME, "", "").holder() if out.exists() else None
    return {"lock holder": holder and holder["pid"],
            "results": sorted(p.stem for p in (out / ".work" / "results").glob("*.json")),
            "jobs in flight": sorted(p.name.split(".")[0]
                                     for p in (out / ".work" / "running").glob("*.job.json")),
            "temp files": sorted(str(p.relative_to(out)) for p in out.rglob(".*.tmp")),
            "grades.csv": (out / "grades.csv").exists(), "report": (out / "report.html").exists(),
            "feedback pages": sorted(p.stem for p in (out / "feedback").glob("*.html"))}


def gradebook_rows(db_url: str, students) -> dict:
    with Gradebook(db_url, course.COURSE_ID) as gb:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in gb.find_assignment(course.ASSIGNMENT).submissions
                if s.student.id in students}


def test_killed_anywhere_a_rerun_ends_as_an_uninterrupted_run(graded_class, samples, tmp_path,
                                                               read_grades):
    _, baseline, timeout = graded_class
    submissions, out = tmp_path / "submissions", tmp_path / "graded"
    write_class(submissions, [samples[s] for s in STUDENTS])
    command = [sys.executable, "-m", "grader", "autograde", str(submissions), "--out", str(out),
               "--jobs", "1", "--timeout", str(timeout)]
    left_over = set()  # processes of killed runs: none may survive the reruns
    report = {}

    def start(kill_at: str | None = None) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if k != atomic.KILL_AT}
        if kill_at:
            env[atomic.KILL_AT] = kill_at
        return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)

    def killed_at(kill_at: str, point: str) -> str:
        run = start(kill_at)
        _, stderr = run.communicate(timeout=600)
        assert run.returncode == -signal.SIGKILL, f"{point}: not killed\n{stderr[-2000:]}"
        report[point] = leftovers(out)
        return stderr

    # 1. a second run on the same folder is refused, naming the first (frozen meanwhile, so that
    # it still holds the folder however slowly the second one starts)
    run = start()
    wait_until(lambda: (out / lock.LOCK_NAME).exists() and (out / lock.LOCK_NAME).read_text(),
               "the first run to take the folder")
    os.kill(run.pid, signal.SIGSTOP)
    try:
        second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    finally:
        os.kill(run.pid, signal.SIGCONT)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert f"another run: pid {run.pid} on " in second.stderr and "autograde" in second.stderr

    # 2. a worker killed mid-submission: that submission gets a row, the run goes on
    first_worker = wait_until(lambda: busy_worker(run.pid), "a worker to start a kernel")
    its_processes = descendants(first_worker) | {(first_worker, processes()[first_worker][2])}
    student = wait_until(lambda: [p.name.split(".")[0] for p in
                                  (out / ".work" / "running").glob("*.job.json")], "its job")[0]
    os.kill(first_worker, signal.SIGKILL)
    wait_until(lambda: not any(alive(p) for p in its_processes), "its kernel to go", 30)
    failed = out / ".work" / "results" / f"{student}.json"
    wait_until(failed.exists, "the killed worker's submission to get a row")
    assert '"grading failed (worker exit -9' in failed.read_text()

    # 3. the coordinator killed while grading (a fresh worker with its kernel running)
    wait_until(lambda: busy_worker(run.pid, not_this=first_worker), "the next worker's kernel")
    left_over |= descendants(run.pid)
    run.kill()
    run.wait()
    report["coordinator, while grading"] = state = leftovers(out)
    assert state["lock holder"] == run.pid and not state["grades.csv"]

    # 4. killed mid gradebook write: the submission row exists, its scores are not written yet
    stderr = killed_at("gradebook-save@2", "coordinator, mid gradebook write")
    assert f"left by a run that stopped early (pid {run.pid}" in stderr
    assert not any(alive(p) for p in left_over), "the killed run's workers outlived it"

    # 5. killed mid feedback page, then mid report: the temporary file, never half a page
    killed_at("write:malformed.html", "coordinator, mid feedback page")
    state = report["coordinator, mid feedback page"]
    assert [Path(p).name.startswith(".malformed.html.") for p in state["temp files"]] == [True]
    killed_at("write:report.html", "coordinator, mid report")
    state = report["coordinator, mid report"]
    assert not state["report"] and state["grades.csv"]
    assert [Path(p).name.startswith(".report.html.") for p in state["temp files"]] == [True]

    # 6. a clean rerun: what an uninterrupted run gives
    run = start()
    _, stderr = run.communicate(timeout=600)
    assert run.returncode == 0, stderr[-3000:]
    for point, state in report.items():
        print(f"{point}: left {state}")
    expected = read_grades(baseline)
    assert read_grades(out) == {s: expected[s] for s in STUDENTS}
    url, baseline_url = course.sqlite_url(out / "gradebook.db"), \
        course.sqlite_url(baseline / "gradebook.db")
    assert gradebook_rows(url, STUDENTS) == gradebook_rows(baseline_url, STUDENTS)
    with sqlite3.connect(out / "gradebook.db") as db:  # no duplicate rows anywhere
        counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("student", "submitted_assignment", "submitted_notebook", "grade")}
    cells = len(next(iter(gradebook_rows(url, STUDENTS).values())))
    assert counts == {"student": 4, "submitted_assignment": 4, "submitted_notebook": 4,
                      "grade": 4 * cells}
    final = leftovers(out)
    assert final["temp files"] == [] and final["lock holder"] is None
    assert final["feedback pages"] == sorted(STUDENTS)
    assert "4 students" in (out / "report.html").read_text()
    assert "could not be graded" not in (out / "feedback" / f"{student}.html").read_text()
    assert not any(alive(p) for p in left_over)

"""One writer at a time: a second run stops (or waits) naming the first, and a lock left by a
killed run is taken over, its leftover workers and half-written files cleared away."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from grader import course, lock

# Another run, as far as the lock can tell: holds the lock named in argv and waits. With "worker",
# it also starts a real grading worker that inherits the lock, as autograde's workers do; the
# worker's stdin is ours (the test's), so it outlives this process when it is killed.
HOLDER = """
import subprocess, sys, time
from pathlib import Path
from grader import lock
kind, target = sys.argv[1], sys.argv[2]
held = lock.output_folder(Path(target))
if kind == "worker":
    worker = subprocess.Popen([sys.executable, "-m", "grader.worker", "--serve", "0"],
                              pass_fds=lock.held_fds(), start_new_session=True,
                              stdout=subprocess.DEVNULL)
    print(worker.pid, flush=True)
else:
    print("held", flush=True)
time.sleep(float(sys.argv[3]))
held.__exit__(None, None, None)  # a run that ends normally releases what it held
"""


@pytest.fixture
def hold():
    """Start another process holding a lock; yields a starter, kills what it started."""
    started = []

    def start(kind: str, target, seconds: float = 120):
        proc = subprocess.Popen([sys.executable, "-c", HOLDER, kind, str(target), str(seconds)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        started.append(proc)
        return proc, proc.stdout.readline().strip()

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in "ZX"


def test_a_second_run_stops_and_names_the_first(tmp_path, hold, run_cli):
    proc, _ = hold("folder", tmp_path)
    result = run_cli("report", "--out", str(tmp_path))  # autograde: test_interruption.py
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    message = result.stderr
    assert f"is being written by another run: pid {proc.pid} on {socket.gethostname()}" in message
    assert "running since 20" in message and f"folder {tmp_path}" in message  # its command
    assert f"kill {proc.pid}" in message and "--wait SECONDS" in message


def hold_in_thread(acquire, seconds: float) -> threading.Thread:
    """Hold a lock from another thread (flocks of two opens exclude each other) for a while."""
    held = threading.Event()

    def run():
        with acquire():
            held.set()
            time.sleep(seconds)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert held.wait(10)
    return thread


def test_a_run_asked_to_wait_waits_for_the_first(tmp_path, capsys):
    hold_in_thread(lambda: lock.output_folder(tmp_path), seconds=1)
    started = time.monotonic()
    held = lock.output_folder(tmp_path, wait=60)
    try:
        assert time.monotonic() - started >= 0.5
        assert f"waiting up to 60 s for pid {os.getpid()}" in capsys.readouterr().err
        assert held.taken_over is None  # the first run released it properly
    finally:
        held.release()
    assert (tmp_path / lock.LOCK_NAME).read_text() == ""


def test_a_killed_runs_lock_is_taken_over_with_its_leftovers(tmp_path, hold, capsys):
    proc, worker = hold("worker", tmp_path)
    worker = int(worker)
    half_written = tmp_path / "feedback" / ".reference.html.x1y2.tmp"
    half_written.parent.mkdir()
    half_written.write_text("<html><body>half a pa")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert alive(worker)  # its worker still runs, and still holds the folder

    held = lock.output_folder(tmp_path, wait=0)
    try:
        assert held.taken_over["pid"] == proc.pid
        err = capsys.readouterr().err
        assert f"stopping its leftover grading processes {worker}" in err
        assert "left by a run that stopped early" in err
        assert not alive(worker)
        assert not half_written.exists()
    finally:
        held.release()


def test_a_busy_sqlite_gradebook_names_its_writer(tmp_path):
    url = course.sqlite_url(tmp_path / "gradebook.db")
    writer = hold_in_thread(lambda: lock.gradebook(url), seconds=1)
    with pytest.raises(lock.Busy, match=f"pid {os.getpid()} on .*running since"):
        with lock.gradebook(url, wait=0.2):
            pass
    writer.join()
    with lock.gradebook(url, wait=0):  # free once the writer is done
        pass

"""One writer at a time: locks on an output folder and on a gradebook that name their holder.

A run holds its output folder for as long as it runs (``OUTDIR/.grader.lock``, an flock the
kernel drops when the holder dies, so a lock left by a killed run is simply taken over) and a
gradebook only while it writes to it (an flock beside an sqlite file, an advisory lock in
PostgreSQL), so several graders can share one gradebook. A lock file holds its holder's pid,
host, command and start time for the message another run prints; an empty file is a free lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import inspect
import json
import os
import re
import shlex
import signal
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import atomic
from .collect import UsageError

LOCK_NAME = ".grader.lock"
# How long one gradebook write waits for another run's write before giving up, and after how
# long it says that it is waiting (graders sharing a gradebook often wait a moment, silently).
GRADEBOOK_WAIT = 120.0
GRADEBOOK_QUIET = 2.0


# Output-folder locks this process holds: its grading workers inherit them (held_fds).
_held: set[int] = set()


def held_fds() -> tuple[int, ...]:
    """Lock descriptors a grading worker should inherit: while any process of a run lives, its
    output folder stays locked, so a rerun never grades beside a killed run's leftover workers."""
    return tuple(_held)


class Busy(UsageError):
    """Another run is writing what this run wants to write; the message says who and what to do."""


def me() -> dict:
    """This process as a lock holder: pid, host, command line, start time."""
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _start_ticks(os.getpid()),
            "command": _command_line()[:300],
            "since": datetime.now(UTC).isoformat(timespec="seconds")}


def _command_line() -> str:
    program = Path(sys.argv[0]).name
    if program == "__main__.py":  # python -m grader
        program = f"python -m {Path(sys.argv[0]).parent.name}"
    # the lock file is readable by others: no password of a --db URL in it
    return re.sub(r"(://[^:/@\s]+):[^/\s]+@", r"\1:***@",
                  " ".join([program, shlex.join(sys.argv[1:])]))


def describe(holder: dict | None) -> str:
    if not holder:
        return "another run (it has not said who it is yet)"
    return (f"pid {holder['pid']} on {holder['host']}, running since {holder['since']}: "
            f"{holder['command']}")


def alive(holder: dict) -> bool:
    """Whether the holder still runs (another host's run is assumed to)."""
    if holder.get("host") != socket.gethostname():
        return True
    return _start_ticks(holder["pid"]) == holder.get("started")


class FileLock:
    """An exclusive flock on `path`, which records who holds it."""

    def __init__(self, path: Path, what: str, advice: str, inherited: bool = False,
                 quiet: float = 0.0):
        self.path, self.what, self.advice, self.quiet = Path(path), what, advice, quiet
        self.inherited = inherited  # passed on to grading workers (held_fds)
        self.fd: int | None = None
        self.taken_over: dict | None = None  # the holder of a lock its dead run left behind

    def acquire(self, wait: float = 0.0) -> None:
        """Take the lock, waiting up to `wait` s for a live holder; raise Busy after that."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        started = time.monotonic()
        deadline, told = started + wait, False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            holder = self.holder()
            if holder and not alive(holder):
                if _stop_leftovers(self.path, holder):
                    continue  # the run is gone; its grading processes held the lock until now
                # processes of the dead run may still be exiting (a sandboxed kernel): give
                # them a few seconds to let go before calling the folder busy
                deadline = max(deadline, started + 10)
            if time.monotonic() >= deadline:
                os.close(fd)
                stop = f"stop it (kill {holder['pid']} on {holder['host']})" if holder else \
                    "stop it"
                raise Busy(f"{self.what} is being written by another run: {describe(holder)}.\n"
                           f"{self.advice.format(stop=stop)}") from None
            if not told and time.monotonic() - started >= self.quiet:
                print(f"waiting up to {wait:g} s for {describe(holder)} to finish with "
                      f"{self.what} ...", file=sys.stderr, flush=True)
                told = True
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        previous = self.holder()
        if previous and previous.get("pid") != os.getpid():
            self.taken_over = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(me()).encode(), 0)
        self.fd = fd
        if self.inherited:
            _held.add(fd)

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)  # an empty lock file: released, not left behind
            fcntl.flock(self.fd, fcntl.LOCK_UN)  # also for any worker that inherited it
            _held.discard(self.fd)
            os.close(self.fd)
            self.fd = None

    def holder(self) -> dict | None:
        """Who holds (or, if the lock is free, last held without releasing) the lock."""
        for _ in range(3):  # a new holder truncates, then writes: retry a torn read
            try:
                text = self.path.read_text()
                return json.loads(text) if text else None
            except (OSError, ValueError):
                time.sleep(0.05)
        return None

    def __enter__(self):
        if self.fd is None:
            self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()


def output_folder(out: Path, wait: float = 0.0) -> FileLock:
    """Hold the output folder `out` (released by the caller); clean up after a killed run."""
    lock = FileLock(Path(out) / LOCK_NAME, f"the output folder {out}",
                    "Wait for it to finish and run this command again (--wait SECONDS waits for "
                    "it), {stop} first, or write to another --out folder. A run that was killed "
                    "releases the folder by itself.", inherited=True)
    lock.acquire(wait)
    if lock.taken_over:
        print(f"note: {out} was left by a run that stopped early "
              f"({describe(lock.taken_over)}); continuing where it stopped", file=sys.stderr)
        atomic.remove_leftovers(out)
    return lock


def holding_output_folder(folder_of):
    """Decorate a CLI task so that it holds its output folder, `folder_of(args)`, while it runs."""
    def decorate(task):
        @functools.wraps(task)
        def run(args, *more):
            lock = output_folder(Path(folder_of(args)).resolve(), getattr(args, "wait", 0.0) or 0.0)
            try:
                return task(args, *more)
            finally:
                lock.release()
        return run
    return decorate


@contextlib.contextmanager
def gradebook(db_url: str, wait: float = GRADEBOOK_WAIT):
    """Hold the gradebook at `db_url` for one write (sqlite file or PostgreSQL)."""
    if db_url.startswith("sqlite:///"):
        lock = FileLock(Path(db_url[len("sqlite:///"):] + ".lock"), f"the gradebook {db_url}",
                        "Wait for that run to finish writing, or {stop}, and try again.",
                        quiet=GRADEBOOK_QUIET)
        lock.acquire(wait)
        try:
            yield
        finally:
            lock.release()
    elif db_url.startswith("postgresql"):
        with _pg_advisory_lock(db_url, wait):
            yield
    else:  # other databases: their own transactions only
        yield


def one_writer(write):
    """Decorate a gradebook writer taking a `db_url` argument so that it holds that gradebook."""
    signature = inspect.signature(write)

    @functools.wraps(write)
    def locked(*args, **kwargs):
        with gradebook(signature.bind(*args, **kwargs).arguments["db_url"]):
            return write(*args, **kwargs)
    return locked


_pg_connections: dict = {}


@contextlib.contextmanager
def _pg_advisory_lock(db_url: str, wait: float):
    """A PostgreSQL session advisory lock on a connection of our own: advisory locks belong to
    one database, so a fixed key means one writer per gradebook, whatever its course."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    # 62 bits: positive, and its two 32-bit halves (pg_locks' classid, objid) fit in an int
    key = int.from_bytes(hashlib.sha256(b"grader:gradebook").digest()[:8], "big") >> 2
    conn = _pg_connections.get(db_url)
    if conn is None:  # application_name lets a waiting run say who holds the lock
        name = f"grader pid {os.getpid()}@{socket.gethostname()}"[:63]
        engine = create_engine(db_url, connect_args={"application_name": name},
                               poolclass=NullPool)
        conn = _pg_connections[db_url] = engine.connect().execution_options(
            isolation_level="AUTOCOMMIT")
    started = time.monotonic()
    deadline, told = started + wait, False
    while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
        holder = conn.execute(text(
            "SELECT a.application_name, a.backend_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
            "AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = :k"),
            {"k": key}).first()
        who = (f"{holder[0] or 'an unnamed client'} (connected since {holder[1]:%Y-%m-%d %H:%M:%S})"
               if holder else "another client")
        if time.monotonic() >= deadline:
            raise Busy(f"the gradebook {_safe(db_url)} is being written by {who}.\n"
                       "Wait for that run to finish writing, or stop it, and try again.")
        if not told and time.monotonic() - started >= GRADEBOOK_QUIET:
            print(f"waiting up to {wait:g} s for {who} to finish writing the gradebook ...",
                  file=sys.stderr, flush=True)
            told = True
        time.sleep(0.1)
    try:
        yield
    finally:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def _safe(db_url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


def _start_ticks(pid: int) -> int | None:
    """The start time of process `pid` (clock ticks after boot); None if it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in "ZX" else int(fields[19])


def _stop_leftovers(path: Path, holder: dict) -> bool:
    """Kill the processes of a dead run that still hold the lock at `path` (its grading workers,
    which inherit it so that the folder stays locked while any of them runs); True if any."""
    target = os.stat(path)
    pids = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        with contextlib.suppress(OSError):
            if b"grader.worker" not in (fd_dir.parent / "cmdline").read_bytes():
                continue  # only workers: another run waiting for the lock has it open too
            for link in fd_dir.iterdir():
                with contextlib.suppress(OSError):
                    st = os.stat(link)
                    if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
                        pids.append(int(fd_dir.parent.name))
                        break
    pids = [pid for pid in pids if pid != os.getpid()]
    if not pids:
        return False
    print(f"note: the run {describe(holder)} is gone; stopping its leftover grading processes "
          f"{', '.join(map(str, pids))}", file=sys.stderr, flush=True)
    for pid in pids:
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == pid:  # a worker leads its own group, with its kernel
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_start_ticks(pid) is not None for pid in pids):
        time.sleep(0.05)
    return True

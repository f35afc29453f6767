"""Sandboxed kernels forked from a warm zygote, instead of a new interpreter per submission.

A new kernel costs about half a second of CPU (Python, ipykernel and numpy imported again),
as much as everything else the grader does for a submission. A worker process therefore keeps
one long-lived bubblewrap sandbox running grader/zygote_process.py, which has imported all of
that once and forks a kernel for each submission. Isolation between submissions does not
depend on the kernel's good behaviour: before every kernel the zygote kills whatever the
previous one left running and empties every writable place in the sandbox, or ends the
sandbox if it cannot (tests/hostile/test_zygote.py attacks it). What a kernel can see is the
sandbox of grader/sandbox.py, the same as for a kernel started on its own.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import sandbox

SOURCE = Path(__file__).with_name("zygote_process.py").read_text()
REPLY_SECONDS = 30  # a reset kills and deletes; nothing else takes more than milliseconds
KILLED = -9  # the exit status of a kernel whose sandbox is gone


class ZygoteError(RuntimeError):
    """The zygote died, did not answer, or could not make its sandbox clean."""


class Zygote:
    """A sandbox with a warm kernel zygote in it; `scratch` is the kernels' working folder."""

    def __init__(self, hidden: list[str], env: dict, preload: list[str]):
        self.scratch = tempfile.mkdtemp(prefix="grading-")
        self.sockets = tempfile.mkdtemp(prefix="kernels-")  # connection files and sockets
        box = sandbox.default_sandbox(self.scratch, hidden=hidden)
        wiped = [self.scratch, self.sockets, "/tmp", "/dev/shm"]
        command = box.command([sys.executable, "-c", SOURCE, *preload, "--", *wiped],
                              extra_binds=[self.sockets], as_pid_1=True)
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, cwd=self.scratch, start_new_session=True)
        self._lock = threading.Lock()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def ask(self, request: dict):
        """Send one request and return the answer; ZygoteError if none comes."""
        with self._lock:
            try:
                self.proc.stdin.write(json.dumps(request).encode() + b"\n")
                self.proc.stdin.flush()
                ready, _, _ = select.select([self.proc.stdout], [], [], REPLY_SECONDS)
                line = self.proc.stdout.readline() if ready else b""
            except (OSError, ValueError) as err:
                raise ZygoteError(f"the kernel zygote is gone: {err}") from None
        if not line:
            raise ZygoteError(f"the kernel zygote did not answer {request['op']!r}")
        return json.loads(line)

    def reset(self) -> None:
        """Kill every process a previous kernel left and empty the writable places."""
        if self.ask({"op": "reset"}) != "ok":
            raise ZygoteError("the kernel zygote could not make its sandbox clean")

    def spawn(self, kernel_cmd: list[str], env: dict, cwd: str) -> ForkedKernel:
        """The kernel `kernel_cmd` would start, forked in the sandbox."""
        argv = kernel_options(kernel_cmd)
        if argv is None:
            raise ZygoteError(f"not an ipykernel command line: {kernel_cmd}")
        pid = self.ask({"op": "spawn", "argv": argv, "env": env, "cwd": cwd})
        if not isinstance(pid, int):
            raise ZygoteError(f"the kernel zygote could not fork a kernel: {pid}")
        return ForkedKernel(self, pid)

    def close(self) -> None:
        try:
            os.killpg(self.proc.pid, 9)
        except ProcessLookupError:
            pass
        self.proc.wait()
        for folder in (self.scratch, self.sockets):
            shutil.rmtree(folder, ignore_errors=True)


class ForkedKernel:
    """The part of `subprocess.Popen` jupyter_client uses, for a kernel the zygote forked.

    Its pid is one of the sandbox's PID namespace, meaningless outside: every signal goes
    through the zygote.
    """

    stdin = stdout = stderr = None

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.zygote.ask({"op": "poll", "pid": self.pid})
            except ZygoteError:
                self.returncode = KILLED
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        while self.poll() is None:
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                self.zygote.ask({"op": "signal", "pid": self.pid, "signum": int(signum)})
            except ZygoteError:
                self.returncode = KILLED

    def kill(self) -> None:
        self.send_signal(9)

    def terminate(self) -> None:
        self.send_signal(15)


_ZYGOTES: dict[tuple, Zygote] = {}


def ready(hidden: list[str], env: dict, preload: list[str]) -> Zygote | None:
    """This process's zygote for these settings, reset for a new kernel; None if no zygote
    can run here (the caller then starts its kernel the ordinary way)."""
    # the sandbox hides the same whatever paths inside hidden folders are named (in a course,
    # each student's submission folder lies inside the hidden course folder)
    key = (tuple(sandbox.outermost(hidden)), tuple(sorted(env.items())), tuple(preload))
    zygote = _ZYGOTES.pop(key, None)
    _close_all()  # other settings: one zygote per process is enough
    for _ in range(2):  # a broken one is replaced once
        try:
            zygote = zygote or Zygote(list(key[0]), env, preload)
            zygote.reset()
        except (OSError, ZygoteError):
            if zygote is not None:
                zygote.close()
            zygote = None
            continue
        _ZYGOTES[key] = zygote
        return zygote
    return None


def kernel_options(kernel_cmd: list[str]) -> list[str] | None:
    """ipykernel's options in a kernel command line, or None if it starts another kernel."""
    for i, arg in enumerate(kernel_cmd):
        if arg in ("ipykernel_launcher", "ipykernel") and i > 0 and kernel_cmd[i - 1] == "-m":
            return kernel_cmd[i + 1:]
    return None


@atexit.register
def _close_all() -> None:
    while _ZYGOTES:
        _ZYGOTES.popitem()[1].close()

"""Kernels forked from one warm sandbox (grader/zygote.py): nothing one submission leaves
behind reaches the next one, the zygote itself is out of a kernel's reach, and a forked kernel
is what a newly started one would be.

Each test runs kernels one after another through SandboxedExecute in this process, so they
share this process's zygote exactly as the submissions graded by one worker do.
"""

from __future__ import annotations

import json
import warnings

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from sqlalchemy.exc import SAWarning
from traitlets.config import Config

from grader import sandbox, zygote
from grader.autograde import grade_class
from grader.preprocessors import SandboxedExecute
from grader.samples import Course

pytestmark = pytest.mark.skipif(sandbox.probe() is not None,
                                reason=f"no sandbox here: {sandbox.probe()}")

# A process that outlives its kernel (double fork, own session, deaf to polite signals) and
# keeps planting an IPython startup file for whichever kernel comes next.
LINGERS = '''
import os, signal, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        while True:
            os.makedirs("/tmp/.ipython/profile_default/startup", exist_ok=True)
            with open("/tmp/.ipython/profile_default/startup/00-planted.py", "w") as f:
                f.write("PLANTED = 'by a process that survived'\\n")
            time.sleep(0.005)
    os._exit(0)
os.wait()
children = [os.fork() for _ in range(3)]  # and a few ordinary children, left running
if 0 in children:
    time.sleep(3600)
print("left running")
'''

# Files everywhere a kernel may write, some of them locked, one shadowing a package.
PLANTS = '''
import os, pathlib
for path in ["/tmp/.ipython/profile_default/startup/00-planted.py", "utils/__init__.py",
             "json.py", "/dev/shm/planted", "/dev/planted", "deep/a/b/c/planted", "/tmp/x/y"]:
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("PLANTED = 'by a file left behind'\\n")
os.symlink("/etc/passwd", "link-out")
os.chmod("deep/a/b", 0o000)
os.chmod("deep", 0o500)
os.chmod("/tmp/x", 0o000)
os.chmod(".", 0o500)
print("planted")
'''

# What the next kernel sees.
LOOKS_AROUND = '''
import json, os, sys
import utils
print(json.dumps({
    "processes": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "me": os.getpid(),
    "planted": globals().get("PLANTED"),
    "tmp": sorted(os.listdir("/tmp")),
    "startup": sorted(os.listdir(os.path.expanduser("~/.ipython/profile_default/startup"))),
    "scratch": sorted(os.listdir(".")),
    "scratch writable": os.access(".", os.W_OK),
    "shm": sorted(os.listdir("/dev/shm")),
    "dev planted": os.path.exists("/dev/planted"),
    "utils": utils.__file__,
}))
'''

# Everything a kernel could try against the zygote, PID 1 of its sandbox.
ATTACKS_THE_ZYGOTE = '''
import ctypes, json, os, signal
report = {}
for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGSTOP", "SIGKILL"):
    try:
        os.kill(1, getattr(signal, name))
        report[name] = "sent"
    except OSError as err:
        report[name] = type(err).__name__
for what in ("environ", "mem", "maps"):
    try:
        open("/proc/1/" + what, "rb").read(64)
        report[what] = "read"
    except OSError as err:
        report[what] = type(err).__name__
fds = os.listdir("/proc/1/fd")  # its numbers are visible; its pipes must not be
for mode in ("rb", "wb"):
    opened = []
    for fd in fds:
        try:
            open("/proc/1/fd/" + fd, mode, buffering=0).close()
            opened.append(fd)
        except OSError:
            pass
    report["opened fds " + mode] = opened
libc = ctypes.CDLL(None, use_errno=True)
report["ptrace"] = libc.ptrace(16, 1, 0, 0)  # PTRACE_ATTACH: -1 when refused
print(json.dumps(report))
'''

DESCRIBES_ITSELF = '''
import json, os, sys
import numpy
print(json.dumps({"cwd": os.getcwd(), "path": sys.path, "env": sorted(os.environ),
                  "home": os.environ["HOME"], "random": numpy.random.rand(),
                  "main": __name__}))
'''


def run_kernels(*codes: str, fork: bool = True) -> list[str]:
    """Run each code in a kernel of its own, one after another; what each printed."""
    printed = []
    for code in codes:
        config = Config()
        config.SandboxedExecute.isolation = "bwrap"
        config.SandboxedExecute.fork_kernels = fork
        config.SandboxedExecute.timeout = 30
        nb = new_notebook(cells=[new_code_cell(code)],
                          metadata={"kernelspec": {"name": "python3", "language": "python",
                                                   "display_name": "Python 3"}})
        nb, _ = SandboxedExecute(config=config).preprocess(nb, {"metadata": {}})
        outputs = nb.cells[0].outputs
        printed.append("".join(o.get("text", "") for o in outputs) +
                       "".join("\n".join(o.get("traceback", [])) for o in outputs))
    return printed


def zygote_pids() -> set[int]:
    return {z.proc.pid for z in zygote._ZYGOTES.values() if z.alive}


def after_a_warm_kernel(*codes: str) -> list[str]:
    """`run_kernels` on a zygote already running, checking that it served them all: what one
    kernel left was cleaned up, not thrown away with its sandbox."""
    run_kernels("print('warm')")
    before = zygote_pids()
    printed = run_kernels(*codes)
    assert zygote_pids() == before
    return printed


def test_processes_left_running_are_killed_before_the_next_kernel():
    first, second = after_a_warm_kernel(LINGERS, LOOKS_AROUND)
    assert "left running" in first
    seen = json.loads(second)
    assert seen["processes"] == [1, seen["me"]]  # the zygote and this kernel, nothing else
    assert seen["planted"] is None and "00-planted.py" not in seen["startup"]


def test_files_left_anywhere_writable_are_gone_however_locked():
    first, second = after_a_warm_kernel(PLANTS, LOOKS_AROUND)
    assert "planted" in first
    seen = json.loads(second)
    assert seen["scratch"] == [] and seen["scratch writable"]
    assert seen["shm"] == [] and not seen["dev planted"]
    assert "x" not in seen["tmp"]
    assert seen["planted"] is None
    assert seen["utils"].endswith("utils/__init__.py") and "grading-" not in seen["utils"]


def test_a_kernel_cannot_signal_read_or_trace_the_zygote():
    attack, after = after_a_warm_kernel(ATTACKS_THE_ZYGOTE, LOOKS_AROUND)
    report = json.loads(attack)
    assert report["environ"] == report["mem"] == report["maps"] == "PermissionError", report
    assert report["opened fds rb"] == report["opened fds wb"] == [], report
    assert report["ptrace"] == -1, report
    # the signals were sent, and ignored: PID 1 only gets those it has handlers for
    assert report["SIGKILL"] == report["SIGSTOP"] == "sent"
    assert json.loads(after)["processes"][0] == 1


def test_a_dead_zygote_is_replaced_and_grading_goes_on():
    run_kernels("print('warm')")
    before = zygote_pids()
    for z in list(zygote._ZYGOTES.values()):
        z.proc.kill()
        z.proc.wait()
    (after,) = run_kernels(LOOKS_AROUND)
    assert json.loads(after)["processes"][0] == 1
    assert zygote_pids() and not zygote_pids() & before


def test_a_forked_kernel_is_what_a_new_one_would_be():
    forked_a, forked_b = (json.loads(text) for text in run_kernels(DESCRIBES_ITSELF,
                                                                   DESCRIBES_ITSELF))
    (fresh,) = (json.loads(text) for text in run_kernels(DESCRIBES_ITSELF, fork=False))
    assert forked_a["path"] == fresh["path"]  # as `python -m ipykernel_launcher` sets it
    assert forked_a["env"] == fresh["env"] and forked_a["home"] == fresh["home"] == "/tmp"
    assert forked_a["main"] == fresh["main"] == "__main__"
    assert forked_a["random"] != forked_b["random"]  # no random state shared between kernels


def test_a_submission_that_plants_and_lingers_costs_the_next_student_nothing(tmp_path):
    c = Course()
    reference = c.reference_answers()
    poisoner = c.answered(update_lr=reference["update_lr"] + "\n" + LINGERS,
                          schedule_lr_decay=reference["schedule_lr_decay"] + "\n" + PLANTS)
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(poisoner, submissions / "a-poisoner.ipynb")
    nbformat.write(c.answered(), submissions / "b-next.ipynb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        rows = grade_class(submissions, tmp_path / "graded", jobs=1, timeout=20, quiet=True)
    by_student = {row["student_id"]: row for row in rows}
    assert by_student["b-next"]["status"] == "graded"
    assert float(by_student["b-next"]["total"]) == 100
    assert float(by_student["a-poisoner"]["total"]) == 100  # its answers are right


def test_one_zygote_serves_every_student_of_a_course(tmp_path):
    """In a course, each submission's folder (hidden from kernels) lies inside the hidden
    course folder: the sandbox is the same, and so is the zygote."""
    course_folder = tmp_path / "course"
    env = {"HOME": "/tmp", "PATH": "/usr/bin:/bin"}
    first = zygote.ready([str(course_folder), str(course_folder / "submitted" / "ada")], env, [])
    second = zygote.ready([str(course_folder), str(course_folder / "submitted" / "bob")], env, [])
    assert first is not None and second is first and first.alive
    other = zygote.ready([str(tmp_path / "elsewhere")], env, [])
    assert other is not first and not first.alive  # one zygote per process at a time

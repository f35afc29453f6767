"""The zygote: the process inside a grading sandbox that forks a fresh kernel per submission.

Run by grader/zygote.py as ``python -c <this file's source> PRELOAD...`` inside bubblewrap
(``--as-pid-1``), so it may import nothing from the grader, only the standard library and what
a kernel imports anyway. It imports ipykernel and the PRELOAD modules once; each kernel is then
a fork of it, ready in milliseconds instead of a new interpreter's half a second of CPU.

One kernel at a time, and nothing of one submission may reach the next: before each kernel,
``reset`` kills every other process in the sandbox (it is PID 1 of the sandbox's PID namespace,
so nothing started in there escapes it, and no signal sent from in there reaches it), then
empties every writable place (scratch folder, socket folder, /tmp, /dev/shm, new files in
/dev). Anything it cannot make clean ends the zygote, and with it the sandbox: the grader then
starts a new one. It is not dumpable, so a kernel cannot read or write its memory or files.

Requests come one JSON object a line on stdin, each answered by one line on stdout:
``{"op": "reset"}``, ``{"op": "spawn", "argv": [...], "env": {...}, "cwd": "..."}`` (answer:
the kernel's pid), ``{"op": "poll", "pid": N}`` (its exit status or null),
``{"op": "signal", "pid": N, "signum": S}`` (to the kernel's process group).
"""

import ctypes
import importlib
import json
import os
import signal
import stat
import sys
import time

# What a kernel imports while it starts (ipykernel 6-7, IPython 8-9): imported once, here.
KERNEL_MODULES = ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
                  "ipykernel.debugger", "IPython.core.completerlib", "IPython.core.debugger",
                  "IPython.core.oinspect", "IPython.extensions.storemagic", "sqlite3", "pdb",
                  "pydoc", "cProfile", "pstats", "tornado.gen", "tornado.queues",
                  "tornado.platform.asyncio", "http.server", "xmlrpc.server"]
PR_SET_DUMPABLE = 4
RESET_ATTEMPTS = 50


def main(preload: list[str], wiped: list[str]) -> int:
    # as PID 1 no signal from inside the namespace reaches a process without a handler: drop
    # Python's SIGINT handler, so kernels cannot interrupt the zygote either
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _set_dumpable(False)
    requests, replies = os.fdopen(os.dup(0), "r"), os.fdopen(os.dup(1), "w")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    environ = dict(os.environ)
    for name in [*KERNEL_MODULES, *preload]:
        try:
            importlib.import_module(name)
        except ImportError:  # another version may not have it: its kernels import less
            pass
    # variables those imports set (debugpy sets some): a kernel that imported them has them
    imported_env = {k: v for k, v in os.environ.items() if environ.get(k) != v}
    dev_entries = set(os.listdir("/dev"))
    skeleton = _skeleton()
    wiped = {folder: stat.S_IMODE(os.stat(folder).st_mode) for folder in wiped}
    exits: dict[int, int] = {}
    for line in requests:
        request = json.loads(line)
        op = request["op"]
        _reap(exits)
        if op == "reset":
            if not _reset(wiped, skeleton, dev_entries, exits):
                return 1  # not clean: the sandbox is thrown away
            answer = "ok"
        elif op == "spawn":
            answer = _spawn(request["argv"], {**request["env"], **imported_env},
                            request["cwd"], [requests.fileno(), replies.fileno(), devnull])
        elif op == "poll":
            answer = exits.get(request["pid"])
        elif op == "signal":
            answer = _signal(request["pid"], request["signum"], exits)
        else:
            answer = f"unknown op {op!r}"
        replies.write(json.dumps(answer) + "\n")
        replies.flush()
    return 0


def _spawn(argv: list[str], env: dict, cwd: str, private_fds: list[int]) -> int:
    """Fork a kernel: its own session, the given environment and folder, `argv` its options."""
    pid = os.fork()
    if pid:
        return pid
    try:
        os.setsid()
        for fd in private_fds:  # the zygote's requests and replies are not the kernel's
            os.close(fd)
        _set_dumpable(True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env, PWD=cwd)  # PWD: as bwrap --chdir sets it
        if sys.path and sys.path[0] == "":  # what ipykernel_launcher does with `-c`'s entry
            del sys.path[0]
        sys.argv = ["ipykernel_launcher", *argv]
        if "numpy.random" in sys.modules:  # forked state would repeat in every kernel
            sys.modules["numpy.random"].seed()
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
    except SystemExit as done:
        os._exit(done.code if isinstance(done.code, int) else 1)
    except BaseException:  # noqa: BLE001  (whatever happens, the child never returns here)
        import traceback

        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _signal(pid: int, signum: int, exits: dict[int, int]) -> str:
    if pid in exits:
        return "exited"
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            return "exited"
    if signum == signal.SIGKILL:  # it is gone at once: its status is ready for the next poll
        try:
            exits[pid] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        except ChildProcessError:
            pass
    return "ok"


def _reap(exits: dict[int, int]) -> None:
    """Collect every child that ended (orphans are ours too: we are PID 1)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        exits[pid] = os.waitstatus_to_exitcode(status)


def _others() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) != 1]


def _reset(wiped: dict[str, int], skeleton: set[str], dev_entries: set[str],
           exits: dict[int, int]) -> bool:
    """Kill every other process, reap them, and empty the writable places; False if that
    did not work."""
    for _ in range(RESET_ATTEMPTS):
        if not _others():
            break
        try:
            os.kill(-1, signal.SIGKILL)  # from PID 1: every process in the namespace but us
        except ProcessLookupError:
            pass
        time.sleep(0.002)
        _reap(exits)
    else:
        return False
    _reap(exits)
    exits.clear()
    try:
        for folder, mode in wiped.items():
            os.chmod(folder, mode)  # a kernel may have locked its folder
            _empty(folder, skeleton)
        for name in set(os.listdir("/dev")) - dev_entries:
            _remove(os.path.join("/dev", name))
        return not _others() and set(os.listdir("/dev")) <= dev_entries and \
            all(_is_empty(folder, skeleton) for folder in wiped)
    except (OSError, RecursionError):
        return False


def _skeleton() -> set[str]:
    """Mount points and the folders leading to them: the sandbox's own, never a kernel's."""
    paths = set()
    with open("/proc/self/mountinfo") as mounts:
        for line in mounts:
            point = line.split()[4].encode().decode("unicode_escape")  # \040 is a space
            while point not in paths and point != "/":
                paths.add(point)
                point = os.path.dirname(point)
    return paths


def _empty(folder: str, skeleton: set[str]) -> None:
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if path not in skeleton:
            _remove(path)
        elif not os.path.ismount(path):  # a folder bwrap made on the way to a mount point
            _empty(path, skeleton)


def _is_empty(folder: str, skeleton: set[str]) -> bool:
    for name in os.listdir(folder):
        path = os.path.join(folder, name)
        if path not in skeleton or not (os.path.ismount(path) or _is_empty(path, skeleton)):
            return False
    return True


def _remove(path: str) -> None:
    """Remove a file or a whole tree, whatever permissions its owner (a kernel) gave it."""
    mode = os.lstat(path).st_mode
    if stat.S_ISDIR(mode):
        os.chmod(path, 0o700)
        _empty(path, skeleton=set())  # nothing a kernel made is part of the sandbox
        os.rmdir(path)
    else:
        os.unlink(path)


def _set_dumpable(dumpable: bool) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


if __name__ == "__main__":
    separator = sys.argv.index("--")
    sys.exit(main(sys.argv[1:separator], sys.argv[separator + 1:]))

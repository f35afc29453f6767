"""Filesystem isolation for the kernel that runs a submission: bubblewrap (``bwrap``).

While a submission is graded its kernel runs inside a bwrap sandbox built from nothing:

- a fresh, read-only root holding only what Python needs: the system folders (``/usr``,
  ``/etc``, ``/lib*``, ...), the interpreter's prefixes, and the ``utils`` package the notebook
  imports. Everything else on the machine - the course folder with the instructor's notebook
  and hidden tests, the gradebook, the other submissions, the grading output - simply does not
  exist in there;
- one writable folder, the scratch folder the kernel starts in, plus a private ``/tmp``;
- its own user (an unprivileged uid, no capabilities; root without user namespaces keeps its
  uid, still without capabilities), process, IPC and network namespaces: it
  cannot see or signal the grader's processes, and has no network at all. The kernel talks to
  the grader over Unix sockets in a folder bound into the sandbox (jupyter's ``ipc`` transport);
- ``--die-with-parent``: nothing it starts outlives the grading worker.

bwrap is a Debian/Ubuntu/Fedora package (``apt-get install bubblewrap``), used by Flatpak; it works
as root and, where unprivileged user namespaces are allowed, as a normal user. When it is
missing or cannot create namespaces, ``probe()`` says why, grading warns and runs the kernel
without isolation (``isolation="auto"``), or refuses (``isolation="bwrap"``).
"""

from __future__ import annotations

import asyncio
import functools
import importlib.util
import os
import shutil
import site
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type

# Read-only system folders (those that exist); symlinks such as /bin -> usr/bin are recreated.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
SANDBOX_UID = 1000  # the kernel's user inside the sandbox (not root)
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)"


@dataclass
class Sandbox:
    """What the sandboxed kernel may see: read-only paths, one writable folder, hidden paths."""

    writable: str
    readable: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    user_namespace: bool = True

    def command(self, kernel_cmd: list[str], extra_binds: list[str] = (),
                as_pid_1: bool = False) -> list[str]:
        """The bwrap command line that runs `kernel_cmd` inside the sandbox.

        `extra_binds` are files or folders the kernel needs read-write at the same path (its
        connection file and socket folder). `as_pid_1`: the command is the sandbox's init
        (grader/zygote.py), not a child of bwrap's.
        """
        args = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
                "--unshare-net", "--unshare-cgroup-try", "--hostname", "grader"]
        if as_pid_1:
            args.append("--as-pid-1")
        if self.user_namespace:
            args += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
        args += ["--cap-drop", "ALL", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        readable = outermost(p for p in self.readable if os.path.exists(p))
        for path in readable:
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            else:
                args += ["--ro-bind", path, path]
        for path in outermost(self.hidden):  # belt and braces: hidden even inside a bound path
            if any(_within(path, root) and path != root for root in readable) and \
                    not any(_within(root, path) for root in readable) and os.path.isdir(path):
                args += ["--tmpfs", path]
        for path in [self.writable, *extra_binds]:
            args += ["--bind", path, path]
        # inside the PID namespace the kernel's parent is PID 1, which ipykernel's parent poller
        # (enabled by JPY_PARENT_PID) would take for "my parent died"; --die-with-parent does
        # that job instead
        args += ["--unsetenv", "JPY_PARENT_PID"]
        args += ["--remount-ro", "/", "--chdir", self.writable, "--"]
        return args + list(kernel_cmd)


def default_sandbox(writable: str, hidden: list[str] = ()) -> Sandbox:
    """The sandbox for this interpreter: the system, Python and `utils`, nothing else."""
    readable = list(SYSTEM_PATHS)
    readable += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    readable.append(str(Path(os.path.realpath(sys.executable)).parents[1]))
    readable += [p for p in site.getsitepackages() if os.path.isdir(p)]
    utils = importlib.util.find_spec("utils")
    if utils and utils.submodule_search_locations:
        readable += list(utils.submodule_search_locations)
    return Sandbox(writable=writable, readable=readable, hidden=list(hidden),
                   user_namespace=_capability()[0] is not False)


def utils_parent() -> str | None:
    """The folder to put on the kernel's PYTHONPATH so that `import utils` works in there."""
    utils = importlib.util.find_spec("utils")
    if utils and utils.submodule_search_locations:
        return str(Path(list(utils.submodule_search_locations)[0]).parent)
    return None


def _try_bwrap(user_namespace: bool) -> str | None:
    """None if a minimal sandbox runs this interpreter, else the reason it does not."""
    with tempfile.TemporaryDirectory(prefix="bwrap-probe-") as scratch:
        sandbox = Sandbox(writable=scratch, readable=list(SYSTEM_PATHS) + [sys.base_prefix,
                          sys.prefix], user_namespace=user_namespace)
        cmd = sandbox.command([sys.executable, "-S", "-c", "pass"])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            return str(err)
    if proc.returncode == 0:
        return None
    lines = (proc.stderr or "").strip().splitlines()
    return lines[-1] if lines else f"bwrap exited with status {proc.returncode}"


@functools.lru_cache(maxsize=1)
def _capability() -> tuple[bool | None, str | None]:
    """(use a user namespace?, None) if bwrap works here, else (None, why not)."""
    if shutil.which("bwrap") is None:
        return None, f"bubblewrap (bwrap) is not installed; {INSTALL_HINT}"
    failure = _try_bwrap(user_namespace=True)
    if failure is None:
        return True, None
    if os.geteuid() == 0 and _try_bwrap(user_namespace=False) is None:
        return False, None  # root, where user namespaces are disabled: mount namespaces only
    return None, f"bubblewrap cannot create a sandbox here ({failure})"


def probe() -> str | None:
    """None if kernels can be sandboxed on this machine, else why not (one line)."""
    return _capability()[1]


def warning() -> str | None:
    """The instructor-facing warning when grading cannot isolate student code, else None."""
    reason = probe()
    if reason is None:
        return None
    return (f"{reason}. Student code will run WITHOUT filesystem isolation: a submission could "
            "read the instructor's notebook, the gradebook and other submissions.")


class ReadyClient(AsyncKernelClient):
    """A kernel client that knows the kernel is ready without waiting out 0.2 s of silence.

    jupyter_client's check ends by reading IOPub until nothing comes for 0.2 s: as long as a
    forked kernel takes to start. This one stops at the kernel's "idle" for its own
    kernel_info request, which proves the same (IOPub connected, nothing older left in it).
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply" and \
                    await self._idle_on_iopub(request):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _idle_on_iopub(self, request: str) -> bool:
        """Read IOPub up to the kernel's "idle" after `request`; False if it never comes
        (IOPub was not connected yet when the kernel said it: ask again)."""
        while True:
            try:
                msg = await self.iopub_channel.get_msg(timeout=0.2)
            except Empty:
                return False
            if msg["parent_header"].get("msg_id") == request and \
                    msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return True


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager that starts its kernel inside `self.sandbox` (set before starting),
    or forks it from `self.zygote` (grader/zygote.py), which runs in such a sandbox.

    - the kernel command is prefixed with the bwrap command line;
    - the kernel listens on Unix sockets in a private folder (there is no network inside);
    - interrupts are sent as messages: a SIGINT to the process group would hit bwrap itself.
    """

    client_factory = Type(ReadyClient, klass=AsyncKernelClient)
    sandbox: Sandbox | None = None
    zygote = None
    _socket_dir: str | None = None

    async def _async_pre_start_kernel(self, **kw):
        self.transport = "ipc"
        if self.zygote is not None:  # its socket folder, emptied by the zygote between kernels
            name = os.path.join(self.zygote.sockets, uuid.uuid4().hex[:12])
            self.connection_file, self.ip = f"{name}.json", name
        else:
            self._socket_dir = tempfile.mkdtemp(prefix="kernel-")
            self.ip = os.path.join(self._socket_dir, "k")
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        self.kernel_spec.interrupt_mode = "message"
        return cmd, kw

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if self.zygote is not None:
            return cmd
        if self.sandbox is None:
            raise RuntimeError("SandboxedKernelManager.sandbox was not set")
        binds = [os.path.realpath(self.connection_file), self._socket_dir]
        return self.sandbox.command(cmd, extra_binds=binds)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.zygote is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        else:
            # the provisioner keeps the forked kernel as its process, with no pid or process
            # group of this namespace: its signals go through the zygote
            self.provisioner.process = self.zygote.spawn(kernel_cmd, kw["env"],
                                                         kw.get("cwd") or self.zygote.scratch)
            self.provisioner.pid = self.provisioner.pgid = None
            self._reconcile_connection_info(self.provisioner.connection_info)
        await self._sockets_bound()

    async def _sockets_bound(self, timeout: float = 60) -> None:
        """Wait until the kernel listens: a client connecting earlier is refused and retries
        only 0.1-0.2 s later (zmq's reconnect interval), longer than a forked kernel takes."""
        info = self.get_connection_info()
        sockets = [f"{info['ip']}-{info[name]}" for name in
                   ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")]
        deadline = time.monotonic() + timeout
        while not all(map(os.path.exists, sockets)) and time.monotonic() < deadline:
            if await self.provisioner.poll() is not None:
                return  # it died: the caller finds out the usual way
            await asyncio.sleep(0.002)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._socket_dir and not restart:
            shutil.rmtree(self._socket_dir, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources  # nbclient calls this one


def _within(path: str, root: str) -> bool:
    path, root = os.path.normpath(path), os.path.normpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


def outermost(paths) -> list[str]:
    """Normalised, de-duplicated paths, dropping those inside another one of them."""
    unique = sorted({os.path.normpath(str(p)) for p in paths})
    kept: list[str] = []
    for path in unique:
        if not any(_within(path, other) for other in kept):
            kept.append(path)
    return kept

"""Execute a submission in a sandboxed scratch folder, surviving timeouts, floods and death."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Enum, Integer, List, Unicode

from .. import sandbox, zygote
from ..hidden_tests.kernel_side import MIME as RESULTS_MIME


class SandboxedExecute(Execute):
    """nbgrader's Execute, in a kernel that sees nothing but the student's scratch folder.

    - the kernel starts in a fresh temporary folder holding copies of ``scratch_files``; with
      ``isolation`` "auto" (the default) or "bwrap" it runs inside a bubblewrap sandbox
      (grader/sandbox.py): no course folder, gradebook or other submission exists in there, and
      nothing outside the scratch folder and /tmp is writable. "auto" falls back to an
      unisolated kernel, with a warning, where bwrap is unavailable; "none" never isolates;
    - results the hidden tests send back (display data of type ``RESULTS_MIME``) are set aside
      in ``resources["grader"]["results"][cell index]``, never shown, for JudgeHiddenTests; a
      cell's results are capped at ``max_results_bytes``;
    - a cell that runs past ``timeout`` is interrupted and recorded in ``events_file``; once
      ``total_timeout`` is spent, the remaining cells are not run (their tests then fail);
    - a cell's outputs are capped at ``max_output_bytes`` (a runaway print cannot eat memory);
    - if the kernel dies, the cells already run keep their outputs and the event is recorded.

    The events also go to ``resources["grader"]["events"]``.
    """

    scratch_files = List(Unicode(), help="files copied into the scratch folder").tag(config=True)
    max_output_bytes = Integer(200_000, help="outputs kept per cell").tag(config=True)
    max_results_bytes = Integer(8_000_000, help="hidden-test results kept per cell (more "
                                "fails the cell)").tag(config=True)
    total_timeout = Integer(0, help="seconds for the notebook (0: no limit)").tag(config=True)
    events_file = Unicode("", help="JSON file for timeout / kernel-death events").tag(config=True)
    isolation = Enum(["auto", "bwrap", "none"], "auto",
                     help="run the kernel in a bubblewrap sandbox").tag(config=True)
    hidden_paths = List(Unicode(), help="paths that must not exist for the kernel, even if "
                        "they lie inside a folder it may read").tag(config=True)
    fork_kernels = Bool(True, help="fork each sandboxed kernel from a warm zygote "
                        "(grader/zygote.py) instead of starting a new interpreter").tag(config=True)
    preload = List(Unicode(), ["numpy"], help="modules the zygote imports once for all its "
                   "kernels").tag(config=True)

    def preprocess(self, nb, resources, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        grader = resources.setdefault("grader", {})
        self._events = {"timeouts": [], "kernel_died": None, "budget_exceeded": None}
        self._results = grader.setdefault("results", {})
        self._output_bytes = {}
        deadline = time.monotonic() + self.total_timeout if self.total_timeout else None
        if deadline is not None:  # no cell may run past the notebook's deadline
            self.timeout_func = lambda cell: int(
                max(1, min(self.timeout, deadline - time.monotonic())))
        self._zygote = self._warm_zygote()
        with _scratch_folder(self._zygote) as scratch:
            for name in self.scratch_files:
                shutil.copy(name, scratch)
            self.resources.setdefault("metadata", {})["path"] = scratch
            self._sandbox = self._make_sandbox(scratch)
            self.kernel_manager_class = (sandbox.SandboxedKernelManager if self._sandbox
                                         else AsyncKernelManager)
            index = 0
            try:
                with self.setup_kernel(env=_kernel_env(scratch, isolated=bool(self._sandbox))):
                    self.wait_for_reply(self.kc.kernel_info())
                    for index, cell in enumerate(self.nb.cells):
                        if deadline is not None and time.monotonic() > deadline:
                            self._events["budget_exceeded"] = index
                            break
                        self.preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self._events["kernel_died"] = index
                self.log.warning("Kernel died while running cell %d", index)
            finally:
                _clean_up_after(self._zygote)
        grader["events"] = self._events
        if self.events_file:
            Path(self.events_file).write_text(json.dumps(self._events))
        return self.nb, self.resources

    def _make_sandbox(self, scratch: str) -> sandbox.Sandbox | None:
        if self.isolation == "none":
            return None
        reason = sandbox.probe()
        if reason is None:
            return sandbox.default_sandbox(scratch, hidden=self.hidden_paths)
        if self.isolation == "bwrap":
            raise RuntimeError(f"isolation 'bwrap' was requested, but {reason}")
        self.log.warning("Grading without filesystem isolation: %s", reason)
        return None

    def _warm_zygote(self) -> zygote.Zygote | None:
        """The kernel zygote of this process, ready for a new kernel (None: start one)."""
        if not self.fork_kernels or self.isolation == "none" or sandbox.probe() is not None:
            return None
        return zygote.ready(self.hidden_paths, _kernel_env("", isolated=True),
                            list(self.preload))

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if self._sandbox is not None:
            km.sandbox = self._sandbox
            km.zygote = self._zygote
        return km

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is not None:
            self._events["timeouts"].append(self.nb.cells.index(cell))
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
        data = msg.get("content", {}).get("data") or {}
        if RESULTS_MIME in data:  # for the grader only, whatever else it claims to be
            self._keep_results(cell_index, msg["msg_type"], data[RESULTS_MIME])
            return None
        size = len(json.dumps(msg.get("content", {})))
        used = self._output_bytes.get(cell_index, 0)
        self._output_bytes[cell_index] = used + size
        if used + size <= self.max_output_bytes:
            return super().output(outs, msg, display_id, cell_index)
        if used <= self.max_output_bytes:  # first overflow: say so once
            outs.append(new_output("stream", name="stdout",
                                   text=f"\n[output truncated by the grader after "
                                        f"{self.max_output_bytes} bytes]\n"))
        return None

    def _keep_results(self, cell_index: int, msg_type: str, results) -> None:
        """Set aside what a cell sent back as hidden-test results (display data only; too
        much data is kept as a note saying so)."""
        kept = self._results.setdefault(cell_index, [])
        size = sum(len(json.dumps(item)) for item in kept if isinstance(item, dict))
        if msg_type != "display_data":
            results = {"invalid": f"sent as {msg_type}, not display_data"}
        elif size + len(json.dumps(results)) > self.max_results_bytes:
            results = {"invalid": f"more than {self.max_results_bytes:,} bytes of results"}
        kept.append(results)


@contextmanager
def _scratch_folder(warm: zygote.Zygote | None):
    """The kernel's working folder: its zygote's (already emptied), or a new temporary one."""
    if warm is not None:
        yield warm.scratch
    else:
        with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
            yield scratch


def _clean_up_after(warm: zygote.Zygote | None) -> None:
    """Stop what the kernel left running now, not when the next one starts (it would use CPU
    and memory meanwhile). If this fails, the next kernel's reset replaces the zygote."""
    if warm is not None:
        try:
            warm.reset()
        except zygote.ZygoteError:
            pass


def _kernel_env(scratch: str, isolated: bool) -> dict:
    """The kernel's environment: one BLAS thread (jobs run side by side), no display.

    An isolated kernel gets a minimal environment that points at nothing outside its sandbox;
    otherwise it inherits the grader's, without Jupyter's, nbgrader's and pytest's variables.
    """
    settings = dict(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
                    MKL_NUM_THREADS="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
                    NBGRADER_EXECUTION="autograde")
    if isolated:
        env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin",
                                        "/usr/bin", "/bin"]),
               "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "PYTHONNOUSERSITE": "1"}
        if sandbox.utils_parent():
            env["PYTHONPATH"] = sandbox.utils_parent()
        return {**env, **settings}
    dropped = ("JUPYTER", "NBGRADER", "PYTEST")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(settings)
    return env

"""Execute a submission in a scratch folder, surviving timeouts, huge outputs and kernel death."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Integer, List, Unicode


class SandboxedExecute(Execute):
    """nbgrader's Execute, run from an empty scratch folder holding only the student's files.

    - the kernel's working directory is a fresh temporary folder with copies of ``scratch_files``
      (never the course folder, so the gradebook and instructor notebooks are not beside it);
    - a cell that runs past ``timeout`` is interrupted and recorded in ``events_file``; once
      ``total_timeout`` is spent, the remaining cells are not run (their tests then fail);
    - a cell's outputs are capped at ``max_output_bytes`` (a runaway print cannot eat memory);
    - if the kernel dies, the cells already run keep their outputs and the event is recorded.
    """

    scratch_files = List(Unicode(), help="files copied into the scratch folder").tag(config=True)
    max_output_bytes = Integer(200_000, help="outputs kept per cell").tag(config=True)
    total_timeout = Integer(0, help="seconds for the notebook (0: no limit)").tag(config=True)
    events_file = Unicode("", help="JSON file for timeout / kernel-death events").tag(config=True)

    def preprocess(self, nb, resources, km=None):
        NotebookClient.__init__(self, nb, km)
        self.reset_execution_trackers()
        self._check_assign_resources(resources)
        self._events = {"timeouts": [], "kernel_died": None, "budget_exceeded": None}
        self._output_bytes = {}
        deadline = time.monotonic() + self.total_timeout if self.total_timeout else None
        if deadline is not None:  # no cell may run past the notebook's deadline
            self.timeout_func = lambda cell: int(
                max(1, min(self.timeout, deadline - time.monotonic())))
        with tempfile.TemporaryDirectory(prefix="grading-") as scratch:
            for name in self.scratch_files:
                shutil.copy(name, scratch)
            self.resources.setdefault("metadata", {})["path"] = scratch
            index = 0
            try:
                with self.setup_kernel(env=_kernel_env(scratch)):
                    self.wait_for_reply(self.kc.kernel_info())
                    for index, cell in enumerate(self.nb.cells):
                        if deadline is not None and time.monotonic() > deadline:
                            self._events["budget_exceeded"] = index
                            break
                        self.preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self._events["kernel_died"] = index
                self.log.warning("Kernel died while running cell %d", index)
        if self.events_file:
            Path(self.events_file).write_text(json.dumps(self._events))
        return self.nb, self.resources

    async def _async_handle_timeout(self, timeout, cell=None):
        if cell is not None:
            self._events["timeouts"].append(self.nb.cells.index(cell))
        return await super()._async_handle_timeout(timeout, cell)

    def output(self, outs, msg, display_id, cell_index):
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


def _kernel_env(scratch: str) -> dict:
    """The kernel's environment: one BLAS thread (jobs run side by side), no display."""
    dropped = ("JUPYTER", "NBGRADER", "PYTEST")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env.update(MPLBACKEND="Agg", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
               NBGRADER_EXECUTION="autograde")
    return env

"""``python -m bench.measured REPORT.json ARGS...``: run ``python -m grader ARGS`` in this
process and write the CPU seconds this process used (the coordinator's own: its worker
processes are not counted) and its wall time to REPORT.json."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    from grader.cli import main as grader_main

    code = grader_main(argv[1:])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    Path(argv[0]).write_text(json.dumps({
        "exit": code, "wall_seconds": time.perf_counter() - started,
        "cpu_seconds": usage.ru_utime + usage.ru_stime}))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

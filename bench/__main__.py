"""`python -m bench` (`make bench`): measure, print the table, write bench/results.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import nbgrader

from . import coordinator, explorer, grading, per_submission, training
from .classroom import SIZE, write_bench_class

RESULTS = Path(__file__).with_name("results.json")
SECTIONS = ("grading", "per-submission", "training", "explorer", "scale", "coordinator")
SCALE_SIZE = 200  # the mixed class graded with --jobs 2 and --jobs 1
SIMULATED_SIZE = 2000  # the class the coordinator takes from a stand-in runner
# per submission: the reference, the blank release and each buggy student (all grade normally)
PER_SUBMISSION = ["reference", "blank", "bug-update-parameters-with-gd",
                  "bug-random-mini-batches", "bug-initialize-velocity",
                  "bug-update-parameters-with-momentum", "bug-initialize-adam",
                  "bug-update-parameters-with-adam", "bug-update-lr", "bug-schedule-lr-decay"]


def table(results: dict) -> str:
    """The figures as a small text table: what, ours, baseline, ratio, target."""
    rows = [("figure", "ours", "baseline", "ratio", "target")]
    if "grading" in results:
        g = results["grading"]
        rows.append((f"grade a class of {g['students']} (--jobs {g['jobs']})",
                     f"{g['ours_seconds']:.1f} s", f"stock nbgrader {g['stock_seconds']:.1f} s",
                     f"{g['speedup']:.1f}x faster", ">= 20x"))
    if "per-submission" in results:
        p = results["per-submission"]
        m = p["median_seconds"]
        rows.append((f"one submission, median of {len(p['submissions'])}", f"{m['ours']:.2f} s",
                     "", "", "<= 3 s"))
        rows.append(("  overhead over bare execution", "",
                     f"jupyter nbconvert {m['nbconvert']:.2f} s",
                     f"{p['overhead_vs_nbconvert']:+.0%}", "<= +10%"))
        rows.append(("", "", f"nbclient, warm process {m['warm_nbclient']:.2f} s",
                     f"{p['overhead_vs_warm_nbclient']:+.0%}", "(for reference)"))
        rows.append(("  kernels forked from a warm zygote", "",
                     f"a new kernel each {m['ours_fresh_kernels']:.2f} s",
                     f"{p['speedup_vs_fresh_kernels']:.1f}x faster", ""))
    if "training" in results:
        t = results["training"]
        rows.append(("notebook: six training runs", f"utils {t['utils_seconds']:.1f} s",
                     f"plain reference {t['plain_seconds']:.1f} s", f"{t['ratio']:.2f}x time",
                     "<= 0.7x"))
    if "explorer" in results:
        e = results["explorer"]
        rows.append((f"explorer redraw, median of {e['redraws']}", f"{e['median_seconds']:.2f} s",
                     f"full re-render {e['full_render_median_seconds']:.2f} s",
                     f"{e['speedup']:.1f}x faster", f"<= 0.5 s (max {e['max_seconds']:.2f} s)"))
    if "scale" in results:
        c = results["scale"]
        cpu = c["coordinator_cpu_per_submission"]
        rows.append((f"coordinator CPU, class of {c['students']}", f"{1000 * cpu:.1f} ms/sub",
                     "", f"ceiling {1 / cpu:.0f} sub/s", "<= 20 ms"))
        rows.append((f"--jobs {c['jobs']} vs --jobs 1, class of {c['students']}",
                     f"{c['seconds']:.1f} s", f"--jobs 1 {c['jobs_1_seconds']:.1f} s",
                     f"{c['speedup']:.2f}x faster", ">= 1.8x"))
        stock = ""
        if "grading" in results:
            g = results["grading"]
            per_stock = g["stock_seconds"] / g["students"]
            stock = (f"stock nbgrader {per_stock:.2f} s",
                     f"{per_stock / c['seconds_per_submission']:.1f}x faster")
        rows.append((f"class of {c['students']} (--jobs {c['jobs']}), per submission",
                     f"{c['seconds_per_submission']:.2f} s", *(stock or ("", "")), "<= 0.4 s"))
    if "coordinator" in results:
        s = results["coordinator"]
        rows.append((f"coordinator alone, {s['students']} instant results",
                     f"{s['submissions_per_second']:.0f} sub/s",
                     f"CPU {1000 * s['coordinator_cpu_per_submission']:.1f} ms/sub", "",
                     ">= 50 sub/s"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections one after another, on this machine, in one go."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run only this section (repeatable)")
    parser.add_argument("--size", type=int, default=SIZE, help=f"class size (default {SIZE})")
    parser.add_argument("--jobs", type=int, default=2, help="our parallel jobs (default 2)")
    parser.add_argument("--scale-size", type=int, default=SCALE_SIZE,
                        help=f"class size of the scale section (default {SCALE_SIZE})")
    parser.add_argument("--simulated-size", type=int, default=SIMULATED_SIZE,
                        help=f"class size of the coordinator section (default {SIMULATED_SIZE})")
    args = parser.parse_args(argv)
    sections = args.only or SECTIONS
    results = {"machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                           "nbgrader": nbgrader.__version__, "platform": platform.platform(),
                           "date": time.strftime("%Y-%m-%d %H:%M"),
                           "load_average_before": os.getloadavg()}}
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        work = Path(work)
        write_bench_class(work / "class", args.size)
        if "grading" in sections:
            print(f"grading: a class of {args.size}, ours then stock nbgrader (minutes) ...",
                  flush=True)
            results["grading"] = grading.run(work / "class", work / "grading", args.jobs)
        if "per-submission" in sections:
            print("per submission: ours, jupyter nbconvert, nbclient ...", flush=True)
            chosen = [work / "class" / f"{name}.ipynb" for name in PER_SUBMISSION]
            chosen = [path for path in chosen if path.exists()]  # a smaller --size has fewer
            results["per-submission"] = per_submission.run(chosen, work / "per-submission")
        if "training" in sections:
            print("training: six runs with utils and with the plain reference, twice ...",
                  flush=True)
            results["training"] = training.run()
        if "explorer" in sections:
            print("explorer: redraws after slider moves ...", flush=True)
            results["explorer"] = explorer.run()
        if "scale" in sections:
            print(f"scale: a class of {args.scale_size}, --jobs {args.jobs} then --jobs 1 "
                  "(minutes) ...", flush=True)
            results["scale"] = coordinator.scale(work / "scale", args.scale_size, args.jobs)
        if "coordinator" in sections:
            print(f"coordinator: {args.simulated_size} results from a stand-in runner ...",
                  flush=True)
            results["coordinator"] = coordinator.simulate(work / "coordinator",
                                                          args.simulated_size, args.jobs)
    results["machine"]["load_average_after"] = os.getloadavg()  # 1, 5, 15 min: was it quiet?
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print(table(results))
    print(f"\n({results['machine']['cores']} cores; details in {RESULTS})")
    busiest = max(results["machine"]["load_average_before"][0],
                  results["machine"]["load_average_after"][0])
    if busiest > 1.5:  # the bench itself keeps the 1-minute load below about 2.5
        print(f"warning: load average {busiest:.1f}: something else was running, "
              "figures may be off")
    return 0


if __name__ == "__main__":
    sys.exit(main())

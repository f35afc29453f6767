"""The benchmark class: 20 submissions built from grader.samples."""

from __future__ import annotations

from pathlib import Path

from grader.samples import Sample, sample_class, write_class

# The infinite loop is left out on purpose: it measures the timeout setting, not the grader
# (stock nbgrader would spend its 30 s cell timeout on it several times over).
LEFT_OUT = {"infinite-loop"}
SIZE = 20


def bench_samples(size: int = SIZE) -> list[Sample]:
    """Reference, blank, every buggy and hostile sample, then reference copies up to `size`."""
    samples = [s for s in sample_class() if s.student_id not in LEFT_OUT]
    reference = next(s for s in samples if s.student_id == "reference")
    copies = [Sample(f"student-{i:02d}", reference.build, notes="the reference, again")
              for i in range(1, size - len(samples) + 1)]
    return (samples + copies)[:size]


def write_bench_class(folder: Path, size: int = SIZE) -> list[Sample]:
    """Write the class as <student_id>.ipynb files into `folder`."""
    return write_class(folder, bench_samples(size))


def mixed_samples(size: int) -> list[Sample]:
    """A large class: the bench samples over and over (honest, buggy and hostile in turn)."""
    kinds = [s for s in sample_class() if s.student_id not in LEFT_OUT]
    return [Sample(f"{kinds[i % len(kinds)].student_id}-{i:04d}", kinds[i % len(kinds)].build)
            for i in range(size)]


def write_mixed_class(folder: Path, size: int) -> list[Sample]:
    """Write a mixed class of `size` as <student_id>.ipynb files into `folder`."""
    return write_class(folder, mixed_samples(size))

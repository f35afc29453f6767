"""Instructor workflow over nbgrader: release, autograde a class, feedback and reports."""

from . import _speedups  # noqa: F401  (must run before nbformat/nbgrader are imported)

"""Scores and feedback the workers computed for the hostile class are those stock nbgrader, run
the way the coordinator used to run it, makes from the same autograded notebooks."""

from __future__ import annotations

from equivalence import assert_same_as_stock


def test_hostile_class_equals_the_stock_coordinator(graded_hostile_class, tmp_path):
    assert_same_as_stock(graded_hostile_class.out, tmp_path)

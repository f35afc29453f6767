"""The bug bank is judged once per session; its catch-rate table ends the pytest report."""

from __future__ import annotations

import pytest
from buggy_answers import BANK, HARDCODED
from judge import EXERCISES, catch_table, judge_all, notebook_sources

from grader.samples import BUGS

TABLE = pytest.StashKey[str]()


@pytest.fixture(scope="session")
def verdicts(request):
    """{category: [Verdict, ...]} for the bank, hard-coded answers, sample bugs, stubs and the
    reference, all judged in one run (two kernels)."""
    _, references, stubs, _ = notebook_sources()
    cases = {
        "bank": [(n, v, src) for n, variants in BANK.items() for v, src in variants.items()],
        "hardcoded": [(n, v, src) for n, variants in HARDCODED.items()
                      for v, src in variants.items()],
        "samples": [(n, "grader.samples.BUGS", src) for n, src in BUGS.items()],
        "stubs": [(n, "release stub", stubs[n]) for n in EXERCISES],
        "reference": [(n, "reference", references[n]) for n in EXERCISES],
    }
    flat = [case for group in cases.values() for case in group]
    judged = iter(judge_all(flat))
    result = {category: [next(judged) for _ in group] for category, group in cases.items()}
    request.config.stash[TABLE] = catch_table(result["bank"])
    return result


def pytest_terminal_summary(terminalreporter, config):
    table = config.stash.get(TABLE, None)
    if table:
        terminalreporter.write_sep("-", "bug bank: wrong answers caught by the autograder cells")
        terminalreporter.write_line(table)

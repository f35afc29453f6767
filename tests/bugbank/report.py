"""Print the bug bank's catch rate per exercise: ``python tests/bugbank/report.py``.

The same table ends the pytest report whenever tests/bugbank runs; exit status 1 below 100 %.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from buggy_answers import BANK  # noqa: E402
from judge import catch_table, judge_all  # noqa: E402


def main() -> int:
    cases = [(name, variant, source) for name, variants in BANK.items()
             for variant, source in variants.items()]
    started = time.perf_counter()
    verdicts = judge_all(cases)
    print(catch_table(verdicts))
    print(f"({len(cases)} variants judged in {time.perf_counter() - started:.1f} s)")
    return 0 if all(v.caught and v.contained for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

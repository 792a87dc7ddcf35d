"""Print the skips of a run (notebooks and pytest) from the skip log, grouped by reason; `make test` calls it last.

    python tools/skip_report.py test-artifacts/skips.jsonl [--strict]

With `--strict` (CI) it exits 1 when a skip is not in tests/expected_skips.txt. See `aima.workbench.skips`.
"""

import argparse
import sys

from aima.workbench.skips import in_ci, skip_report

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("--strict", action="store_true", help="exit 1 on an unexpected skip (the default when CI=true)")
    args = ap.parse_args()
    sys.exit(skip_report(args.log, strict=args.strict or in_ci()))

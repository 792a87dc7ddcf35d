"""BTYD models: AIMA vs lifetimes (and pymc-marketing MAP) on CDNOW and simulated customers (BG/NBD fit + score;
Pareto/NBD fit up to 100k). Prints JSON lines.

Usage: python bench/clv.py [SIZE ...]    (default 100k and 1M simulated customers; CDNOW and the BG/BB donations data
from the lifetimes wheel)
"""

import json
import sys
from pathlib import Path

from aima.workbench.bench import bgbb_on_file, clv_on_file, run

if __name__ == "__main__":
    try:
        import lifetimes

        ds = Path(lifetimes.__file__).parent / "datasets"
        print(json.dumps({"benchmark": "clv_cdnow", **clv_on_file(ds / "CDNOW_sample.txt")}))
        print(json.dumps({"benchmark": "bgbb_donations", **bgbb_on_file(ds / "donations.csv")}))
    except ImportError:
        print(
            json.dumps({"benchmark": "clv_cdnow", "skipped": "pip install lifetimes for the CDNOW and donations files"})
        )
    sizes = [int(s) for s in sys.argv[1:]] or None
    run("clv", sizes=sizes)
    # Pareto/NBD: lifetimes needs ~40 s at 100k customers and scales linearly, so at most 100k here
    run("clv_pareto", sizes=[s for s in sizes if s <= 100_000] or None if sizes else None)

"""BTYD models: AIMA vs lifetimes (and pymc-marketing MAP) on CDNOW and simulated customers. Prints JSON lines.

Usage: python bench/clv.py [SIZE ...]    (default 100k and 1M simulated customers; CDNOW from the lifetimes wheel)
"""
import json
import sys
from pathlib import Path

from aima.bench import clv_on_file, run

if __name__ == "__main__":
    try:
        import lifetimes
        print(json.dumps({"benchmark": "clv_cdnow", **clv_on_file(Path(lifetimes.__file__).parent / "datasets" / "CDNOW_sample.txt")}))
    except ImportError:
        print(json.dumps({"benchmark": "clv_cdnow", "skipped": "pip install lifetimes for the CDNOW file"}))
    run("clv", sizes=[int(s) for s in sys.argv[1:]] or None)

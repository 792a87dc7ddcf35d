"""Per-customer aggregates over an order table: AIMA workspace (DuckDB via Ibis) vs pandas groupby.

Usage: python bench/workspace_rfm.py [SIZE ...]   (default sizes: 100k and 1M orders). Prints JSON lines.
"""
import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run("workspace_rfm", sizes=[int(s) for s in sys.argv[1:]] or None)

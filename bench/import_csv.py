"""Import throughput: aima import vs pandas read_csv + a plain DuckDB insert on the same CSV export.

Usage: python bench/import_csv.py [SIZE ...]   (default 100k and 1M rows). Prints JSON lines.
"""
import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run("import_csv", sizes=[int(s) for s in sys.argv[1:]] or None)

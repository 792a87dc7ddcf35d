"""Import throughput: `aima import` against a bare pandas read_csv + DuckDB load of the same CSV, side by side.

The bare load is what a user would otherwise write: `pd.read_csv` (type inference, no checks) and a DuckDB
`CREATE TABLE AS`. `aima import` also detects the columns, parses day-first dates and amounts with currency signs,
validates every row against the canonical schema, builds customers/orders/order_items and keeps an import log.
Both run on the same synthetic line-item export (bench.synthetic_export_csv), alternating, `--repeat` times, in one
process; the ratio is bare seconds / aima seconds per repeat (1.0 = as fast as the bare load; the target is >= 0.4),
and `cpu_ratio` the same with CPU seconds of all the process's threads (steadier on a shared machine).

Usage: python bench/import_csv.py [--rows 1000000 ...] [--repeat 3]      Prints one JSON line per size.
"""

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from aima.core import Workspace
from aima.data.imports import import_source
from aima.workbench.bench import environment, synthetic_export_csv


def bare_load(path: Path, db: Path) -> int:
    frame = pd.read_csv(path)
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE export AS SELECT * FROM frame")
    n = con.execute("SELECT count(*) FROM export").fetchone()[0]
    con.close()
    return n


def aima_load(path: Path, db: Path) -> dict:
    with Workspace(db) as ws:
        return import_source(ws, path)


def timed(fn, *args):
    "Wall seconds, CPU seconds (every thread of this process: pandas, Arrow and DuckDB workers) and the result."
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0, out


def bench(rows: int, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        path = synthetic_export_csv(d / "export.csv", rows)
        aima_load(path, d / "warm.duckdb")  # imports and first-use costs out of the timings
        bare, ours, bare_cpu, ours_cpu, results = [], [], [], [], []
        for i in range(repeat):  # alternate, so load on the machine hits both alike
            tb, cb, n_bare = timed(bare_load, path, d / f"bare{i}.duckdb")
            ta, ca, out = timed(aima_load, path, d / f"aima{i}.duckdb")
            bare.append(tb)
            ours.append(ta)
            bare_cpu.append(cb)
            ours_cpu.append(ca)
            results.append((n_bare, out["rows"], out["imported"], out["quarantined"], out["tables"]))
        ratios = [b / a for b, a in zip(bare, ours)]
        cpu_ratios = [b / a for b, a in zip(bare_cpu, ours_cpu)]
        n_bare, n_rows, imported, quarantined, tables = results[-1]
        return {
            "benchmark": "import_csv",
            "rows": rows,
            "repeat": repeat,
            "csv_mb": round(path.stat().st_size / 2**20, 1),
            "ratio": round(statistics.median(ratios), 3),
            "ratio_min": round(min(ratios), 3),
            "ratio_max": round(max(ratios), 3),
            "aima_seconds": [round(t, 2) for t in ours],
            "bare_seconds": [round(t, 2) for t in bare],
            # on a shared machine wall time includes waiting for a core; CPU seconds (all threads) do not
            "cpu_ratio": round(statistics.median(cpu_ratios), 3),
            "cpu_ratio_min": round(min(cpu_ratios), 3),
            "cpu_ratio_max": round(max(cpu_ratios), 3),
            "aima_cpu_seconds": [round(t, 2) for t in ours_cpu],
            "bare_cpu_seconds": [round(t, 2) for t in bare_cpu],
            "aima_rows_per_s": round(rows / statistics.median(ours)),
            "bare_rows_per_s": round(rows / statistics.median(bare)),
            "same_rows": n_bare == n_rows == imported + quarantined and len(set(map(str, results))) == 1,
            "imported": imported,
            "quarantined": quarantined,
            "tables": tables,
            "env": environment(),
        }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    for n in a.rows:
        print(json.dumps(bench(n, a.repeat)), flush=True)
        sys.stdout.flush()

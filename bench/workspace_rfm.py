"""RFM summary per customer: AIMA's engine-side `rfm_summary` vs lifetimes' `summary_data_from_transaction_data`.

Both run on the same transactions in the same process, alternating, `--repeat` times each; results are compared
(same customers, frequency, recency, T, monetary_value). Afterwards the registered `workspace_rfm` benchmark
(per-customer aggregates in the workspace engine vs pandas groupby) runs at the same sizes.

Usage: python bench/workspace_rfm.py [SIZE ...] [--repeat N] [--no-groupby]
       (default sizes: 100k and 1M orders, 5 repeats). Prints JSON lines.
"""

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from aima.core import Workspace
from aima.customers.features import rfm_summary
from aima.data.schema import ensure_tables
from aima.workbench.bench import environment, run

AS_OF = pd.Timestamp("2025-01-01")


def fill_orders(ws: Workspace, n: int, seed: float = 0.42) -> int:
    "`n` orders over n/10 customers (skewed activity), two years, 3% returns, generated inside DuckDB."
    ensure_tables(ws, ["orders"])
    ws.con.raw_sql(f"SELECT setseed({seed})")
    ws.con.raw_sql(f"""INSERT INTO orders (order_id, customer_id, ordered_at, amount, currency, is_return, items)
        SELECT 'o' || i, 'c' || CAST(floor({max(n // 10, 1)} * pow(random(), 2)) AS BIGINT),
               TIMESTAMPTZ '2023-01-01 00:00:00+00' + to_seconds(CAST(random() * 730 * 86400 AS BIGINT)),
               round(5 - ln(random()) * 40, 2), 'GBP', random() < 0.03, 1
        FROM range({n}) t(i)""")
    return n


def _timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _stats(times: list[float]) -> dict:
    return {
        "seconds": [round(t, 4) for t in times],
        "best": round(min(times), 4),
        "median": round(statistics.median(times), 4),
        "spread": round(max(times) - min(times), 4),
    }


def bench_rfm_vs_lifetimes(size: int, repeat: int = 5) -> dict:
    "Time `rfm_summary` (to a pandas frame indexed by customer) and lifetimes on the same `size` orders."
    from lifetimes.utils import summary_data_from_transaction_data

    with tempfile.TemporaryDirectory() as d, Workspace(Path(d) / "rfm.duckdb") as ws:
        fill_orders(ws, size)
        orders = ws.table("orders")
        orders = orders.filter(~orders.is_return)
        tx = orders.select("customer_id", "ordered_at", "amount").to_pandas()
        tx["ordered_at"] = tx.ordered_at.dt.tz_convert(None)

        def ours():
            return rfm_summary(orders, AS_OF).order_by("customer_id").to_pandas().set_index("customer_id")

        def theirs():
            return summary_data_from_transaction_data(
                tx, "customer_id", "ordered_at", monetary_value_col="amount", observation_period_end=AS_OF
            )

        a_times, l_times = [], []
        for _ in range(repeat):  # alternate, so both see the same machine load
            a, ta = _timed(ours)
            b, tl = _timed(theirs)
            a_times.append(ta)
            l_times.append(tl)
        cols = ["frequency", "recency", "T", "monetary_value"]
        b = b.sort_index()
        same = bool(
            len(a) == len(b)
            and (a.index.astype(str) == b.index.astype(str)).all()
            and np.allclose(a[cols].to_numpy(), b[cols].to_numpy())
        )
    ours_s, theirs_s = _stats(a_times), _stats(l_times)
    ratios = [t / o for o, t in zip(a_times, l_times)]
    return {
        "benchmark": "rfm_summary_vs_lifetimes",
        "size": size,
        "transactions": len(tx),
        "customers": len(a),
        "repeat": repeat,
        "aima": ours_s,
        "lifetimes": theirs_s,
        "ratio": round(theirs_s["best"] / ours_s["best"], 2),
        "ratio_median": round(theirs_s["median"] / ours_s["median"], 2),
        "ratio_per_run": {"min": round(min(ratios), 2), "max": round(max(ratios), 2)},
        "same_as_lifetimes": same,
        "env": environment(),
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-groupby", action="store_true", help="Skip the workspace-vs-pandas groupby benchmark.")
    args = p.parse_args()
    for s in args.sizes:
        print(json.dumps(bench_rfm_vs_lifetimes(s, args.repeat), default=str), flush=True)
    if not args.no_groupby:
        run("workspace_rfm", sizes=args.sizes, out=sys.stdout)

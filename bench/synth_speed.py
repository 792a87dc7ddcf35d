"""Generation speed of the synthetic shop (`aima.data.synth.generate_shop`): rows per second over all canonical tables.

Usage: python bench/synth_speed.py [SIZE[:noevents] ...] [--repeat N]
Default: 100k customers with every table, then 1M customers without `events`. The events table holds about 95 rows
per customer (about 1.1 GB of frames per 100k customers), so 1M customers with events needs ~25 GB of memory;
`:noevents` builds every other table (the event arrays are still simulated, only the frame is skipped).
Prints one JSON line per size. There is no reference library to compare with: the figure is rows/s.
"""

import gc
import json
import sys

from aima.workbench.bench import environment, measure
from aima.data.schema import SCHEMA
from aima.data.synth import generate_shop


def bench(spec: str, repeat: int = 1) -> dict:
    size, _, option = spec.partition(":")
    n = int(float(size))
    tables = [t for t in SCHEMA if t != "events"] if option == "noevents" else None
    box = {}

    def go():
        box.pop("shop", None)
        gc.collect()
        box["shop"] = generate_shop(n, seed=0, tables=tables)

    timing = measure(go, repeat=repeat)
    rows = {k: len(v) for k, v in box.pop("shop").tables.items()}
    total = sum(rows.values())
    return {
        "benchmark": "synth_speed",
        "customers": n,
        "tables": "all" if tables is None else "all but events",
        "rows": total,
        "rows_per_s": round(total / timing["seconds"]),
        "customers_per_s": round(n / timing["seconds"]),
        "table_rows": rows,
        "aima": timing,
        "env": environment(),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    repeat = 1
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i : i + 2]
    for spec in args or ["100000", "1000000:noevents"]:
        print(json.dumps(bench(spec, repeat)), flush=True)

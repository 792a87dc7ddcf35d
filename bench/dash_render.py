"""Dashboards: first-render time of each Voilà page in headless chromium (Debian's, via playwright). Prints JSON lines.

Usage: python bench/dash_render.py [SIZE ...] [--repeat N]   (synthetic shop of SIZE customers with every result;
default 1000 and 100000). Needs chromium (`make browser-deps`) and playwright (dev extra). Target: every page under 5 s.
On a shared machine the seconds move with the load, so each record also gives its page's time as a ratio to the Home
page measured in the same run (`vs_home`, `median_vs_home`, `cold_vs_home`): a page that got faster shows it there.
"""

import argparse
import json

from aima.workbench.bench_dash import bench_dash_render


def with_home_ratio(records: list[dict]) -> list[dict]:
    "Each page's best, median and cold seconds divided by the Home page's of the same run."
    home = next((r for r in records if r.get("page") == "home"), None)
    if not home:
        return records
    pairs = (("seconds", "vs_home"), ("median_seconds", "median_vs_home"), ("cold_seconds", "cold_vs_home"))
    for r in records:
        for key, out in pairs:
            if r.get(key) and home.get(key):
                r[out] = round(r[key] / home[key], 2)
    return records


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", type=int, nargs="*", default=[1_000, 100_000])
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    for size in a.sizes:
        for rec in with_home_ratio(bench_dash_render(size, repeat=a.repeat)):
            print(json.dumps(rec, default=str), flush=True)

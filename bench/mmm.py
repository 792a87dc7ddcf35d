"""Bayesian MMM: AIMA vs pymc-marketing's MMM on the 179-week example (NUTS 2 x (N + N) draws, time and recovery), and
AIMA's fast path on 156 weeks x 10 channels. Prints JSON lines. The evidence benchmarks run by name: `mmm_coverage`
(fast path, 20 varied synthetic seeds), `mmm_coverage_full` (NUTS, 5 seeds), `mmm_public` (Robyn's and Meridian's
simulated sets; size 1 adds NUTS), `mmm_speed` (NUTS from the MAP with 200 and 100 tuning steps).

Usage: python bench/mmm.py [DRAWS]            (default 500 tuning + 500 kept draws per chain)
       python bench/mmm.py NAME [SIZE ...]    (one of the evidence benchmarks above)
"""

import sys

from aima.workbench.bench_mmm import mmm_many_channels, mmm_side_by_side  # noqa: F401  (registers the benchmarks)
from aima.workbench.bench_kit import run

if __name__ == "__main__":
    args = sys.argv[1:]
    if args and not args[0].isdigit():
        run(args[0], sizes=[int(s) for s in args[1:]] or None)
    else:
        run("mmm", sizes=[int(s) for s in args] or None)
        run("mmm_channels")

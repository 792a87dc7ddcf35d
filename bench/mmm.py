"""Bayesian MMM: AIMA vs pymc-marketing's MMM on the 179-week example (NUTS 2 x (N + N) draws, time and recovery), and
AIMA's fast path on 156 weeks x 10 channels. Prints JSON lines.

Usage: python bench/mmm.py [DRAWS]    (default 500 tuning + 500 kept draws per chain)
"""

import sys

from aima.workbench.bench_mmm import mmm_many_channels, mmm_side_by_side  # noqa: F401  (registers the benchmarks)
from aima.workbench.bench_kit import run

if __name__ == "__main__":
    run("mmm", sizes=[int(s) for s in sys.argv[1:]] or None)
    run("mmm_channels")

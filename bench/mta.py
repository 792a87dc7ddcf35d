"""Multi-touch attribution: AIMA's exact Markov chain (orders 1-3) and Shapley values on simulated paths and on
ChannelAttribution's 10,000 example paths (shared dataset), against ChannelAttribution's simulated `markov_model`
when it is importable (GPL, not an AIMA dependency: install it beside AIMA to compare), else against a
straightforward pandas order-1 implementation. Prints JSON lines.

Usage: python bench/mta.py [SIZE ...]    (default 10k and 100k simulated paths)
"""

import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run("mta", sizes=[int(s) for s in sys.argv[1:]] or None)

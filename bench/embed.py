"""Sequence embeddings: CoLES pretraining seconds per epoch and embeddings per second on CPU (one and all threads) and
GPU when present.

Usage: python bench/embed.py [SIZE ...]    Prints JSON lines.
"""

import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run(["embed"], sizes=[int(s) for s in sys.argv[1:]] or None)

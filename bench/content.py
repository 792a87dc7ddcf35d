"""Content studio: template generation per content type, a local causal LM against plain transformers generation, MiniLM
voice scoring against sentence-transformers + scikit-learn, and ranking N variants against the predictor's predict.

Usage: python bench/content.py [SIZE ...]    Prints JSON lines (AIMA_BENCH_LM=<model dir> adds a real local model).
"""

import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run(["content"], sizes=[int(s) for s in sys.argv[1:]] or None)

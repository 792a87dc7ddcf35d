"""Brand monitor: mentions scored per second by the aspect model vs VADER and the keyword baselines, and the held-out
SemEval-2014 / MAMS aspect-polarity accuracy of the default model vs majority, keywords and VADER
(`aima.workbench.bench_brand`). Training the default model: `python bench/brand_absa.py --train DIR [--epochs N]`.

Usage: AIMA_DATA_DIR=../shared/datasets python bench/brand_absa.py [SIZE ...]    Prints JSON lines.
"""

import argparse
import json

from aima.workbench.bench import run

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int)
    ap.add_argument("--train", default=None, help="Train the default model into this folder first.")
    ap.add_argument("--epochs", type=int, default=2)
    a = ap.parse_args()
    if a.train:
        from aima.brand.pretrained import train_pretrained

        print(json.dumps(train_pretrained(a.train, epochs=a.epochs)), flush=True)
    run(["brand_throughput"], sizes=a.sizes or None)
    run(["brand_absa"])

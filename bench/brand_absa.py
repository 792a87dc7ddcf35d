"""Aspect sentiment on a held-out SemEval-2014 split: the fine-tuned MiniLM (`aima.brand.aspects`) vs keywords.

The shared SemEval-2014 data is the training release only, so a seeded 20% of each domain's sentences is held out
(never trained on) and the model trains on the rest plus MAMS and the airline reasons. Prints JSON lines:
3-class aspect-term accuracy and macro-F1 (conflict excluded) per domain and scorer, training size and seconds.

    AIMA_DATA_DIR=../shared/datasets python bench/brand_absa.py --max-examples 3000 --epochs 1 --train-layers 2
"""

import argparse
import json
import time

import numpy as np

from aima.brand.absa_data import SOURCES, training_examples
from aima.brand.aspects import AspectSentiment, term_metrics
from aima.brand.baselines import KeywordAspects


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-examples", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--train-layers", type=int, default=None)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sources", nargs="+", default=list(SOURCES))
    ap.add_argument("--save", default=None, help="Pickle the fitted model here.")
    a = ap.parse_args()
    ex = training_examples(a.sources)
    rng = np.random.default_rng(a.seed)
    sem = ex.source.str.startswith("semeval14")
    test = sem & (rng.random(len(ex)) < a.holdout)
    train = ex[~test]
    t0 = time.perf_counter()
    model = AspectSentiment(
        epochs=a.epochs, max_examples=a.max_examples, train_layers=a.train_layers, random_state=a.seed
    ).fit(train)
    fit_s = time.perf_counter() - t0
    if a.save:
        import pickle

        with open(a.save, "wb") as f:
            pickle.dump(model, f)
    for dom in ("semeval14_restaurants", "semeval14_laptops"):
        held = ex[test & (ex.source == dom)]
        m = term_metrics(KeywordAspects(), held)
        print(json.dumps({"bench": "brand_absa", "domain": dom, "scorer": "keywords", **m}), flush=True)
        t0 = time.perf_counter()
        m = term_metrics(model, held)
        print(
            json.dumps(
                {
                    "bench": "brand_absa",
                    "domain": dom,
                    "scorer": "aspect_sentiment",
                    **m,
                    "n_train": model.n_samples_,
                    "epochs": a.epochs,
                    "train_layers": a.train_layers,
                    "fit_seconds": round(fit_s, 1),
                    "predict_seconds": round(time.perf_counter() - t0, 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()

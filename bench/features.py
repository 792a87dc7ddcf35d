"""Customer features: engine-side RFM summary vs lifetimes and pandas; the full feature table at 100k/1M/10M events.

Usage: python bench/features.py    Prints JSON lines.
"""

from aima.workbench.bench import run

if __name__ == "__main__":
    run(["features_rfm", "features_full"])

"""Campaigns: training and prediction time of AIMA's campaign predictors (gradient boosting with conformal folds, the
multi-task network) vs one plain LightGBM / scikit-learn regressor per metric on the same synthetic campaigns, and
AIMA's doubly robust lift vs causalml's DR learner and DoWhy's own estimator on Hillstrom (shared dataset; else a
synthetic confounded e-mail). Median, min and max seconds over 3 repeats and ratios of medians. Prints JSON lines.

Usage: python bench/campaigns.py [SIZE ...]    (default 2,000 synthetic campaigns)
"""

import sys

from aima.workbench.bench import run

if __name__ == "__main__":
    run("campaigns", sizes=[int(s) for s in sys.argv[1:]] or None)

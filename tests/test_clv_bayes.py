"""Bayesian BTYD fits (aima.retention.bayes): posteriors agree with the published MLEs, intervals use posterior
draws."""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aima.retention.bayes import fit_bayes, posterior_summary
from aima.retention.clv import BetaGeoBetaBinomModel, GammaGammaModel, ParetoNBDModel, calibration_summary, read_cdnow


def _lifetimes_file(name):
    spec = importlib.util.find_spec("lifetimes")
    p = Path(spec.submodule_search_locations[0]) / "datasets" / name if spec else None
    if p is None or not p.exists():
        pytest.skip(f"{name} ships with the lifetimes wheel (pip install lifetimes==0.11.3); not installed")
    return p


@pytest.fixture(scope="module")
def cdnow():
    return calibration_summary(read_cdnow(_lifetimes_file("CDNOW_sample.txt")), "1997-09-30", at="date")


@pytest.mark.parametrize(
    "cls,published",
    [
        pytest.param(ParetoNBDModel, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, marks=pytest.mark.slow),
        (GammaGammaModel, {"p": 6.25, "q": 3.74, "gamma": 15.44}),
    ],
)
def test_posterior_covers_published_mle(cdnow, cls, published):
    m = cls().fit(cdnow, method="bayes", draws=300, tune=300, chains=2)
    s = posterior_summary(m, level=0.95)
    print("\n", cls.__name__, f"{m.fit_seconds_:.1f} s\n", s.round(4).to_string())
    for k, v in published.items():
        assert s.loc[k, "lo"] < v < s.loc[k, "hi"], (k, v, s)
    assert m.divergences_ == 0 and max(m.rhat_.values()) < 1.05


@pytest.mark.slow
def test_bgbb_donations():
    don = pd.read_csv(_lifetimes_file("donations.csv")).rename(columns={"periods": "n_periods"})
    m = BetaGeoBetaBinomModel().fit(don, method="bayes", draws=300, tune=300, chains=2)
    s = posterior_summary(m, level=0.95)
    for k, v in {"alpha": 1.204, "beta": 0.750, "gamma": 0.657, "delta": 2.783}.items():
        assert s.loc[k, "lo"] < v < s.loc[k, "hi"], (k, v, s)


def test_intervals_use_posterior_and_refit_resets(cdnow):
    m = GammaGammaModel().fit(cdnow, method="bayes", draws=100, tune=100, chains=1)
    assert type(m.idata_).__name__ == "InferenceData" and set(m.rhat_) == {"p", "q", "gamma"}
    draws = m.sample_params(50)
    assert all((m.posterior_ == d).all(1).any() for d in draws)  # intervals now draw from the posterior
    m.fit(cdnow)  # a maximum-likelihood refit drops the posterior and its diagnostics
    assert m.method_ == "mle"
    assert [k for k in ("idata_", "posterior_", "rhat_", "ess_", "divergences_") if hasattr(m, k)] == []
    with pytest.raises(ValueError, match="method='bayes'"):
        posterior_summary(m)
    with pytest.raises(ValueError, match="prior_sd"):
        GammaGammaModel().fit(cdnow, method="bayes", prior_sd=0)


def test_fit_bayes_is_a_deprecated_wrapper(cdnow):
    with pytest.warns(DeprecationWarning, match="fit_bayes"):
        m = fit_bayes(GammaGammaModel(), cdnow, draws=50, tune=50, chains=1)
    assert m.method_ == "bayes" and m.posterior_.shape == (50, 3)

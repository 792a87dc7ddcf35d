"""Interventions: uplift on the Hillstrom randomised e-mail test (shared data), recommend/record/simulate through the
CLI."""

import json
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import BIN
from aima.core import Workspace
from aima.retention.uplift import LEARNERS, UpliftModel, evaluate_uplift

HILLSTROM = "hillstrom_email_sample/hillstrom_sample_6400.csv"


@pytest.mark.parametrize("learner", LEARNERS)
def test_hillstrom_rct_agreement(external_dataset, learner):
    """Fit on a random 60% of the experiment, evaluate on the other 40%: the model's average effect of each e-mail on
    visits must agree with the experiment's difference in means, and the DR/X rankings must beat random targeting."""
    d = pd.read_csv(external_dataset(HILLSTROM))
    X = d[["recency", "history", "mens", "womens", "newbie", "zip_code", "channel"]]
    t = d.segment.map({"No E-Mail": "no_action", "Mens E-Mail": "mens_email", "Womens E-Mail": "womens_email"})
    tr = np.random.default_rng(0).random(len(d)) < 0.6
    m = UpliftModel(learner, n_bootstrap=10).fit(X[tr], t[tr], d.visit[tr])
    ev = evaluate_uplift(m, X[~tr], t[~tr], d.visit[~tr])
    print(f"\nHillstrom visit uplift, {learner}\n", ev.round(4).to_string())
    assert ev.agrees.all(), ev
    assert (ev.model_ate > 0).all()  # both e-mails raised visits in the experiment (full data: +7.7 and +4.5 points)
    if learner in ("dr", "x"):
        assert (ev.qini > 0).all(), ev


def _aima(*args, ws, check=True):
    r = subprocess.run([str(BIN / "aima"), *args, "--workspace", str(ws)], capture_output=True, text=True)
    if check and r.returncode:
        raise AssertionError(r.stderr)
    return r


def test_cli_recommend_record_simulate(tmp_path):
    from aima.data.synth import generate_shop
    from aima.retention.churn import score_churn

    ws_path = tmp_path / "w.duckdb"
    r = _aima("interventions", "recommend", "--json", ws=ws_path, check=False)
    assert r.returncode == 1 and "churn fit-score" in r.stderr and "Traceback" not in r.stderr
    ws = Workspace(ws_path)
    generate_shop(800, seed=1).to_workspace(ws, truth=False)
    score_churn(ws, "cox")
    ids = ws.table("customers").customer_id.execute().iloc[:3].tolist()
    ws.close()
    out = json.loads(_aima("interventions", "recommend", "--json", ws=ws_path).stdout)
    assert out["policy"] == "risk_band" and out["customers"] > 0 and "no interventions" in out["reason"]
    csv = tmp_path / "actions.csv"
    pd.DataFrame(
        {
            "intervention_id": ["a1", "a2", "a3"],
            "customer_id": ids,
            "action": ["discount", "no_action", "discount"],
            "at": ["2024-01-05", "2024-01-05", "yesterday-ish"],
            "cost": [10, 0, 10],
            "outcome": ["retained", "churned", "retained"],
        }
    ).to_csv(csv, index=False)
    rec = json.loads(_aima("interventions", "record", str(csv), "--json", ws=ws_path).stdout)
    assert (rec["rows"], rec["recorded"], rec["quarantined"], rec["with_outcome"]) == (3, 2, 1, 2)
    out = json.loads(_aima("interventions", "recommend", "--json", "--min-per-action", "2", ws=ws_path).stdout)
    assert out["policy"] == "risk_band" and "discount" in out["reason"]  # 1 usable discount row < 2
    ws = Workspace(ws_path, read_only=True)
    ra = ws.table("retention_actions").to_pandas()
    assert (
        ra.model_run_id.nunique() == 1
        and ra.action.isin(["win_back_offer", "re_engagement", "loyalty_reward", "nurture"]).all()
    )
    ws.close()
    r = subprocess.run(
        [str(BIN / "aima"), "interventions", "simulate", "--rounds", "2", "--customers", "1500", "--json"],
        capture_output=True,
        text=True,
    )  # runs in memory: never writes simulated data into a workspace
    sim = json.loads(r.stdout)
    assert [r["round"] for r in sim] == [0, 1] and sim[0]["explored"] == 1500 and sim[1]["model"] == "dr"
    bad = subprocess.run(
        [str(BIN / "aima"), "interventions", "simulate", "--epsilon", "0"], capture_output=True, text=True
    )
    assert bad.returncode == 1 and "epsilon" in bad.stderr


@pytest.mark.parametrize("learner", ["dr", "x"])
def test_refit_is_deterministic(learner):
    "The same data and seed give the same effects (causalml's DR cross-fitting folds are shuffled: AIMA seeds them)."
    from aima.retention.loop import FEATURES
    from aima.retention.uplift import simulate_retention

    w = simulate_retention(3000, seed=3)
    fits = [
        UpliftModel(learner, n_bootstrap=2, random_state=7).fit(w[FEATURES], w.action, w.retained) for _ in range(2)
    ]
    a, b = (f.predict_interval(w[FEATURES].head(200)) for f in fits)
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(x, y)

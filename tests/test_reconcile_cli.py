"`aima attribution reconcile`: MTA credits reconciled with the MMM's channel totals, end to end on a workspace."

import json
import subprocess

import pandas as pd

from conftest import BIN
from aima.core import Workspace


def _aima(*args):
    return subprocess.run([str(BIN / "aima"), "attribution", *map(str, args)], capture_output=True, text=True)


def test_reconcile_workspace(tmp_path):
    from aima.attribution.mta import score_mta
    from aima.attribution.reconcile import simulate_unified
    from aima.data.schema import write_result

    w = simulate_unified(3, weeks=52)
    db = tmp_path / "w.duckdb"
    r = _aima("reconcile", "--workspace", db, "--json")
    assert r.returncode != 0 and "aima mta --workspace" in r.stderr, r.stderr
    truth = w["truth"].set_index("channel").contribution
    with Workspace(str(db)) as ws:
        score_mta(ws, w["paths"], ["last", "markov_1"])
        # an MMM that is right to within its +-10% interval, written as `aima mmm fit` writes it
        off = truth.to_numpy() * [1.04, 0.97, 1.02, 1.0]
        mmm = pd.DataFrame({"channel": truth.index, "spend": 1.0, "contribution": off,
                            "roas": 1.0, "roas_lo": 0.9, "roas_hi": 1.1, "model": "bayesian_mmm_fast",
                            "as_of": pd.Timestamp("2024-01-01"), "model_run_id": "mmm-test"})  # fmt: skip
        mmm["contribution_lo"], mmm["contribution_hi"] = mmm.contribution * 0.9, mmm.contribution * 1.1
        write_result(ws, "mmm_channels", mmm, mode="upsert")
    r = _aima("reconcile", "--workspace", db, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert sorted(out["methods"]) == ["last", "markov_1"]
    for m, s in out["methods"].items():
        assert s["before"] > 0.5 and s["after"] <= 0.05, (m, s)
    tv = [c for c in out["channels"] if c["channel"] == "tv"]
    assert [c["weight_mmm"] for c in tv] == [1.0, 1.0]
    with Workspace(str(db)) as ws:
        t = ws.table("attribution_reconciled").to_pandas()
    assert len(t) == out["rows"] and set(t.method) == {"last", "markov_1"}
    r = _aima("reconcile", "--workspace", db, "--methods", "shapley")
    assert r.returncode != 0 and "shapley" in r.stderr

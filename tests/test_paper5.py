"""Paper 5 (unified attribution) end to end in smoke mode, as CI runs it: both notebooks, every section in
metrics.json, the smoke overrides recorded, the tables built from the metrics (tests/test_papers.py does the same for
paper 6)."""

import json
import os
import subprocess

import yaml

from conftest import BIN, ROOT

PAPER5 = ROOT / "papers" / "05_unified_attribution"


def test_paper5_smoke_run_and_tables(tmp_path):
    readme = (PAPER5 / "README.md").read_bytes()
    env = {**os.environ, "CI": "true", "AIMA_PAPERS_RESULTS": str(tmp_path)}
    aima = lambda *a: subprocess.run([str(BIN / "aima"), *a], capture_output=True, text=True, env=env, cwd=ROOT,
                                     timeout=600)  # fmt: skip
    r = aima("papers", "run", "5", "--smoke", "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    out = tmp_path / "05_unified_attribution" / run["run_id"]
    assert run["status"] == "ok" and run["smoke"] and set(run["notebooks"]) == {"01_mmm", "02_mta_reconcile"}
    m = json.loads((out / "metrics.json").read_text())
    assert {"mmm_recovery", "confounding", "mta_error", "reconciliation"} <= set(m["sections"])
    rec = m["sections"]["reconciliation"]["rows"]
    assert {r["method"] for r in rec} == {"last", "markov_1"}
    assert all(r["after_mean"] < r["before"] for r in rec)  # reconciliation moves MTA's totals towards the MMM
    mta = {r["method"] for r in m["sections"]["mta_error"]["rows"]}
    assert mta == {"first", "last", "linear", "markov_1", "shapley"}
    conf = m["sections"]["confounding"]["rows"]
    assert {r["control"] for r in conf} == {"none", "demand"}
    cfg = yaml.safe_load((out / "config.yaml").read_text())
    assert cfg["reconcile"]["weeks"] == 40 and cfg["mmm"]["modes"] == ["fast"]  # smoke overrides applied
    r = aima("papers", "tables", "5", "--results", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "05_unified_attribution" / "tables.md").read_text()
    assert "SMOKE run" in md and "reconciliation" in md.lower()
    assert (PAPER5 / "README.md").read_bytes() == readme  # redirected results never touch the paper

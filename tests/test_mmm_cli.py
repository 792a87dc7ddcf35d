"""`aima mmm fit`, `aima mmm report` and `aima budget` on small synthetic data with known truth (fast path)."""

import json
import os
import subprocess

import numpy as np
import pandas as pd
import pytest

from conftest import BIN, ROOT

from aima.attribution.mmm_transforms import geometric_adstock, logistic_saturation


@pytest.fixture(scope="module")
def media_csv(tmp_path_factory):
    "80 weeks, two channels with known adstock and saturation, one control; returns (path, true ROAS)."
    rng = np.random.default_rng(7)
    n = 80
    dates = pd.date_range("2022-01-03", periods=n, freq="7D")
    spend = {"search": rng.gamma(4, 250, n), "tv": rng.gamma(2, 1000, n) * (rng.random(n) < 0.6)}
    promo = (rng.random(n) < 0.2).astype(float)
    truth = {"search": (0.2, 2.0, 6000.0), "tv": (0.6, 1.5, 9000.0)}  # decay, lam (on spend / max), beta
    contrib = {
        c: b * logistic_saturation(geometric_adstock(spend[c], a, 8) / spend[c].max(), lam)
        for c, (a, lam, b) in truth.items()
    }
    y = 20000 + 30 * np.arange(n) + 3000 * promo + sum(contrib.values()) + rng.normal(0, 400, n)
    df = pd.DataFrame({"week": dates, **spend, "promo": promo, "sales": y})
    path = tmp_path_factory.mktemp("mmm") / "media.csv"
    df.to_csv(path, index=False)
    return path, {c: contrib[c].sum() / spend[c].sum() for c in truth}


def test_mmm_fit_csv_json(media_csv):
    "The command a user runs: a real subprocess, stdout holding only the JSON document."
    path, true_roas = media_csv
    r = subprocess.run(
        [str(BIN / "aima"), "mmm", "fit", str(path), "--date", "week", "--target", "sales", "--channels",
         "search,tv", "--controls", "promo", "--mode", "fast", "--json"],
        capture_output=True, text=True, env={**os.environ, "CI": "true"}, cwd=ROOT, timeout=600,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) >= {"channels", "diagnostics", "seconds"}
    assert sorted(out["channels"]) == ["search", "tv"]
    for c, v in out["channels"].items():
        assert set(v) >= {"roas", "roas_lo", "roas_hi", "contribution", "share"}
        assert v["roas_lo"] <= v["roas"] <= v["roas_hi"]
        assert v["roas"] == pytest.approx(true_roas[c], rel=0.35), (c, v, true_roas[c])
    assert sum(v["share"] for v in out["channels"].values()) == pytest.approx(1.0)
    d = out["diagnostics"]
    assert d["method"].startswith("fast") and d["converged"] and d["mape_in_sample"] < 5
    assert out["seconds"] > 0


def test_mmm_workspace_report_and_budget(media_csv, tmp_path):
    "--workspace: spend and kpis in, the model as an artifact and mmm_channels out; then report and budget."
    import typer
    from typer.testing import CliRunner

    from aima.attribution.mmm_cli import register
    from aima.core import Workspace

    df = pd.read_csv(media_csv[0], parse_dates=["week"])
    spend = df.melt(id_vars="week", value_vars=["search", "tv"], var_name="channel", value_name="spend")
    spend = spend.rename(columns={"week": "date"}).assign(date=lambda d: d.date.dt.date, geo="")
    kpis = pd.DataFrame({"date": df.week.dt.date, "geo": "", "revenue": df.sales,
                         "controls": [json.dumps({"promo": p}) for p in df.promo]})
    wsf = str(tmp_path / "w.duckdb")
    with Workspace(wsf) as ws:
        ws.write("spend", spend)
        ws.write("kpis", kpis)
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    run = CliRunner().invoke
    env = {"AIMA_ATTRIBUTION__DRAWS": "100"}
    out = run(app, ["mmm", "fit", "--workspace", wsf, "--json"], env=env)
    assert out.exit_code == 0, out.output
    fit = json.loads(out.stdout)
    assert sorted(fit["channels"]) == ["search", "tv"] and fit["weeks"] == 80
    rep = run(app, ["mmm", "report", "--workspace", wsf, "--json"])
    assert rep.exit_code == 0, rep.output
    assert json.loads(rep.stdout)["channels"]["tv"]["roas"] == pytest.approx(fit["channels"]["tv"]["roas"], rel=1e-6)
    assert json.loads(rep.stdout)["warnings"] == fit["warnings"]  # the confounding check, kept in mmm_channels
    total = float(df[["search", "tv"]].sum(axis=1).mean())
    b = run(app, ["budget", "--total", str(total), "--bounds", "tv=500:", "--workspace", wsf, "--json"])
    assert b.exit_code == 0, b.output
    plan = json.loads(b.stdout)
    alloc = {a["channel"]: a["optimal"] for a in plan["allocation"]}
    assert sum(alloc.values()) == pytest.approx(total) and alloc["tv"] >= 500 - 1e-6
    assert plan["expected"]["response_lo"] <= plan["expected"]["response"] <= plan["expected"]["response_hi"]
    with Workspace(wsf, read_only=True) as ws:
        assert ws.table("budget_plans").count().execute() == 2
        assert ws.artifact_info("mmm").metadata["model_run_id"] == fit["model_run_id"]
    bad = run(app, ["budget", "--total", "100", "--bounds", "tv=200:,search=200:", "--workspace", wsf])
    assert bad.exit_code == 1 and "No split of 100.00 fits the bounds" in bad.output


def test_mmm_cli_errors(tmp_path):
    import typer
    from typer.testing import CliRunner

    from aima.attribution.mmm_cli import register

    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    run = CliRunner().invoke
    out = run(app, ["mmm", "fit", "x.csv", "--mode", "slow"])
    assert out.exit_code == 1 and "Unknown --mode 'slow'" in out.output
    out = run(app, ["mmm", "fit", "x.csv", "--model", "robyn"])
    assert out.exit_code == 1 and "Unknown --model 'robyn': use bayesian or neural" in out.output
    csv = tmp_path / "d.csv"
    pd.DataFrame({"date": pd.date_range("2023-01-02", periods=10, freq="7D"), "a": 1.0, "y": 2.0}).to_csv(csv)
    out = run(app, ["mmm", "fit", str(csv), "--target", "y", "--channels", "a,b"])
    assert out.exit_code == 1 and "['b'] not in the data" in out.output
    out = run(app, ["budget", "--total", "10", "--workspace", str(tmp_path / "empty.duckdb")])
    assert out.exit_code == 1 and "aima mmm fit" in out.output
    out = run(app, ["mmm", "report", "--workspace", str(tmp_path / "empty2.duckdb")])
    assert out.exit_code == 1


def test_mmm_fit_neural_workspace(media_csv, tmp_path):
    "--model neural: the neural MMM on the workspace, the same JSON as the Bayesian one, its own artifact."
    import typer
    from typer.testing import CliRunner

    from aima.attribution.mmm_cli import register
    from aima.core import Workspace

    path, true_roas = media_csv
    df = pd.read_csv(path, parse_dates=["week"])
    spend = df.melt(id_vars="week", value_vars=["search", "tv"], var_name="channel", value_name="spend")
    spend = spend.rename(columns={"week": "date"}).assign(date=lambda d: d.date.dt.date, geo="")
    kpis = pd.DataFrame({"date": df.week.dt.date, "geo": "", "revenue": df.sales,
                         "controls": [json.dumps({"promo": p}) for p in df.promo]})  # fmt: skip
    wsf = str(tmp_path / "w.duckdb")
    with Workspace(wsf) as ws:
        ws.write("spend", spend)
        ws.write("kpis", kpis)
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    out = CliRunner().invoke(app, ["mmm", "fit", "--workspace", wsf, "--model", "neural", "--json"])
    assert out.exit_code == 0, out.output
    fit = json.loads(out.stdout)
    assert fit["diagnostics"]["method"].startswith("neural") and fit["weeks"] == 80
    for c, v in fit["channels"].items():
        assert list(v) == ["roas", "roas_lo", "roas_hi", "mroas", "contribution", "share"]
        assert v["roas_lo"] <= v["roas"] <= v["roas_hi"]
        assert v["roas"] == pytest.approx(true_roas[c], rel=0.35), (c, v, true_roas[c])
    with Workspace(wsf, read_only=True) as ws:
        rows = ws.read("mmm_channels")
        assert set(rows.model) == {"neural_mmm"} and len(rows) == 2
        assert ws.artifact_info("mmm_neural").metadata["model_run_id"] == fit["model_run_id"]

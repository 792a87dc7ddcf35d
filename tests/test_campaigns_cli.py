"""`aima campaigns fit|predict` on a small synthetic shop workspace."""

import json

import pytest
import typer
from typer.testing import CliRunner

from aima.core import Workspace
from aima.data.synth import generate_shop


@pytest.fixture
def shop_ws(tmp_path):
    "A workspace with the synthetic shop's campaigns (randomised offers plus newsletters)."
    path = tmp_path / "camp.duckdb"
    with Workspace(path) as ws:
        generate_shop(300, seed=0, tables=["campaigns"], n_campaigns=24).to_workspace(ws, truth=False)
    return str(path)


def _run(*args):
    "Invoke the block's commands (every module of the manifest's `cli` adds to the `campaigns` group)."
    import importlib

    from aima.campaigns.manifest import MODULE

    app = typer.Typer()
    app.callback()(lambda: None)
    for mod in MODULE.cli:
        importlib.import_module(mod).register(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_predict_before_fit_says_what_to_run(shop_ws):
    code, _, err = _run("campaigns", "predict", "--workspace", shop_ws, "--subject", "Hello", "--json")
    assert code == 1
    assert "aima campaigns fit" in err


def test_fit_then_predict(shop_ws):
    code, out, _ = _run("campaigns", "fit", "--workspace", shop_ws, "--json")
    assert code == 0, out
    fit = json.loads(out)
    assert (fit["artifact"], fit["model"], fit["version"]) == ("campaign_predictor", "gbm", 1)
    assert fit["holdout"]["interval"] == 0.9
    assert set(fit["holdout"]) >= {"open_rate", "click_rate", "conversion_rate", "revenue_per_send", "roi"}
    code, out, _ = _run(
        "campaigns",
        "predict",
        "--workspace",
        shop_ws,
        "--subject",
        "20% off everything, this week only",
        "--channel",
        "sms",
        "--offer",
        "percent_off",
        "--offer-value",
        "20",
        "--budget",
        "50",
        "--json",
    )
    assert code == 0, out
    pred = json.loads(out)
    click = pred["click_rate"]
    assert 0 <= click["lo"] <= click["estimate"] <= click["hi"] <= 1
    assert pred["open_rate"]["estimate"] is None  # the shop counts opens for e-mail only
    assert -1 <= pred["roi"]["lo"] <= pred["roi"]["estimate"] <= pred["roi"]["hi"]
    with Workspace(shop_ws) as ws:
        rows = ws.read("campaign_predictions")
    assert rows.campaign_id.tolist() == [pred["campaign_id"]]
    assert rows.channel.tolist() == ["sms"]
    code, out, err = _run(
        "campaigns",
        "optimise",
        "--workspace",
        shop_ws,
        "--subject",
        "New in store",
        "--target",
        "click_rate",
        "--max-offer",
        "10",
        "--json",
    )
    assert code == 0, err
    opt = json.loads(out)
    assert opt["target"] == "click_rate"
    for s in opt["suggestions"]:
        assert s["delta_lo"] <= s["delta"] <= s["delta_hi"] and s["delta"] > 0
        assert "20% off" not in s["change"]  # over --max-offer
    code, out, err = _run(
        "campaigns",
        "compare",
        "--workspace",
        shop_ws,
        "--subject",
        "New in store",
        "--subject",
        "Last chance: 20% off",
        "--json",
    )
    assert code == 0, err
    cmp = json.loads(out)
    assert [p["variant"] for p in cmp["predictions"]] == ["A", "B"]
    assert {r["leader"] for r in cmp["leaders"]} <= {"A", "B"}
    code, out, err = _run("campaigns", "history", "--workspace", shop_ws, "--json")
    assert code == 0, err
    hist = json.loads(out)["campaigns"]
    assert len(hist) == 49 and all(c["click_rate_predicted"] is None for c in hist)  # none was predicted


def test_fit_without_campaigns_names_the_table(tmp_path):
    code, _, err = _run("campaigns", "fit", "--workspace", str(tmp_path / "empty.duckdb"), "--json")
    assert code == 1
    assert "No table 'campaigns'" in err


def test_fit_unknown_model_names_the_choices(shop_ws):
    code, _, err = _run("campaigns", "fit", "--workspace", shop_ws, "--model", "transformer", "--json")
    assert code == 1
    assert "choose one of ['gbm', 'multitask']" in err


def test_lift_on_a_csv_with_known_lift(tmp_path):
    from aima.campaigns.lift import synthetic_lift

    data = tmp_path / "emails.csv"
    synthetic_lift(1500, lift=0.08, seed=3).to_csv(data, index=False)
    ws = str(tmp_path / "lift.duckdb")
    args = ["--treatment", "arm", "--treated", "email", "--control", "control", "--outcome", "bought"]
    code, out, err = _run(
        "campaigns",
        "lift",
        str(data),
        *args,
        "--features",
        "engagement,recency,region",
        "--simulations",
        "2",
        "--workspace",
        ws,
        "--json",
    )
    assert code == 0, err
    res = json.loads(out)
    assert res["lo"] <= 0.08 <= res["hi"]
    assert set(res["refutations"]) == {"placebo_treatment", "random_common_cause", "data_subset"}
    assert res["method"].startswith("aipw")
    with Workspace(ws) as w:
        assert w.read("campaign_lift").analysis_id.tolist() == [res["analysis_id"]]
    code, _, err = _run("campaigns", "lift", str(data), *args[:-1], "spend", "--workspace", ws, "--json")
    assert code == 1
    assert "lacks column(s) ['spend']" in err

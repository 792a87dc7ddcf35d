"""`aima content generate|rank|voice` on a small synthetic shop workspace, and the OpenAI-compatible backend against
an in-process fake server."""

import json

import pytest
import typer
from typer.testing import CliRunner

from aima.campaigns.predict import fit_campaigns
from aima.content.generate import local_chat_server
from aima.content.studio import register
from aima.core import Workspace
from aima.customers.features import build_features
from aima.data.synth import generate_shop


@pytest.fixture(scope="module")
def shop_ws(tmp_path_factory):
    "A workspace with a synthetic shop's customers, orders, features and a fitted campaign predictor."
    path = tmp_path_factory.mktemp("content") / "shop.duckdb"
    with Workspace(path) as ws:
        tables = ["customers", "orders", "order_items", "campaigns"]
        generate_shop(150, seed=1, tables=tables, n_campaigns=24).to_workspace(ws, truth=False)
        build_features(ws)
        fit_campaigns(ws, n_estimators=30, cv=3)
        keen = ws.read("customer_features").sort_values("price_sensitivity").customer_id.iloc[-1]
    return str(path), keen


def _run(*args):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_generate_email_for_a_customer_ranks_by_the_predictor(shop_ws):
    path, keen = shop_ws
    code, out, err = _run(
        "content", "generate", "--type", "email", "--kind", "abandoned_cart", "--goal", "spring sale",
        "--customer", keen, "--n", "2", "--workspace", path, "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["brief"]["offer_type"] == "percent_off" and res["personalisation"]
    ranks = [v["rank"] for v in res["variants"]]
    assert ranks == list(range(1, len(ranks) + 1)) and len(ranks) >= 6  # 2 e-mails x 3+ subject lines
    est = [v["predicted"]["open_rate"]["estimate"] for v in res["variants"]]
    assert est == sorted(est, reverse=True)
    assert {v["ranking"] for v in res["variants"]} == {"predictor"}
    with Workspace(path) as ws:
        stored = ws.read("content_variants")
    assert len(stored[stored.run_id == res["run_id"]]) == len(ranks)


def test_every_type_validates_and_bad_input_is_one_error(shop_ws):
    path, _ = shop_ws
    for t in ("sms", "google_search", "seo"):  # every type is checked in nbs/30_content/02_templates
        code, out, err = _run("content", "generate", "--type", t, "--workspace", path, "--json")
        assert code == 0, (t, err)
        assert len(json.loads(out)["variants"]) >= 1
    code, _, err = _run("content", "generate", "--type", "fax", "--workspace", path)
    assert code == 1 and "Unknown content type 'fax'" in err


def test_rank_without_a_predictor_states_the_fallback(tmp_path):
    code, out, err = _run(
        "content", "rank", "--subject", "Hello", "--subject", "{first_name}, 20% off ends tonight",
        "--offer", "percent_off", "--offer-value", "20", "--workspace", str(tmp_path / "w.duckdb"), "--json",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["notes"]["fallback"].startswith("no campaign_predictor fitted")
    assert [r["subject"] for r in res["ranked"]] == ["{first_name}, 20% off ends tonight", "Hello"]


def test_openai_backend_through_the_cli(tmp_path):
    reply = json.dumps({"title": "New mugs are in", "body": "Hand-thrown, dishwasher-safe. " * 8})
    with local_chat_server(lambda req: reply) as url:
        code, out, err = _run(
            "content", "generate", "--type", "push", "--backend", "openai", "--endpoint", url, "--n", "2",
            "--workspace", str(tmp_path / "w.duckdb"), "--json",
        )  # fmt: skip
        assert len(url.requests) == 2
    assert code == 0, err
    res = json.loads(out)
    assert res["backend"] == "openai"
    assert all(len(v["fields"]["body"]) <= 120 for v in res["variants"])  # shortened to the push limit


def test_voice_names_a_missing_file(tmp_path):
    code, _, err = _run("content", "voice", str(tmp_path / "missing.txt"))
    assert code == 1 and "No such text file" in err


@pytest.mark.slow  # loads the packaged MiniLM (seconds)
def test_voice_profile_from_files(tmp_path):
    formal = tmp_path / "formal.txt"
    formal.write_text(
        "We are pleased to confirm that the application has been approved.\n"
        "Please note that the quarterly statement is available.\n"
        "Kindly review the enclosed documentation.\n"
    )
    ws = str(tmp_path / "w.duckdb")
    code, out, err = _run("content", "voice", str(formal), "--json", "--save", "--workspace", ws)
    assert code == 0, err
    assert (json.loads(out)["profile"]["formality"]["band"], json.loads(out)["saved"]) == ("high", 1)
    code, out, err = _run("content", "generate", "--type", "sms", "--workspace", ws, "--json")  # scored against it
    assert code == 0, err
    assert all(0 <= v["voice_score"] <= 1 for v in json.loads(out)["variants"])


def _run_all(*args):
    "The content group as `aima` builds it: the studio's commands, then `tune` added by aima.content.tune_cli."
    from aima.content.tune_cli import register as register_tune

    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    register_tune(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_tune_dpo_on_campaign_results_gives_a_model_the_local_backend_loads(shop_ws):
    from pathlib import Path

    from aima.content.generate import TransformersBackend, prompt
    from aima.content.templates import Brief

    path, _ = shop_ws
    code, out, err = _run_all("content", "tune", "--workspace", path, "--z", "0.5", "--steps", "4", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert (res["method"], res["data"], res["steps"], len(res["losses"])) == ("dpo", "workspace", 4, 4)
    assert res["train_pairs"] >= 2 and res["held_pairs"] >= 1 and res["model_kind"].startswith("tiny GPT-2")
    assert {"margin_before", "margin_after", "accuracy_before", "accuracy_after"} <= set(res["held"])
    assert (Path(res["adapter_dir"]) / "adapter_config.json").exists()
    reply = TransformersBackend(res["model_dir"], max_new_tokens=3).complete(prompt("sms", Brief()))
    assert isinstance(reply, str)
    with Workspace(path) as ws:
        assert ws.load_artifact("content_tuner")["adapter_dir"] == res["adapter_dir"]


def test_tune_reward_model_compares_with_bradley_terry(shop_ws):
    path, _ = shop_ws
    code, out, err = _run_all(
        "content", "tune", "--method", "reward", "--workspace", path, "--z", "0.5", "--steps", "3", "--json"
    )
    assert code == 0, err
    res = json.loads(out)
    for k in ("trl_reward", "bradley_terry_stats"):
        assert 0 <= res[k]["lo"] <= res[k]["accuracy"] <= res[k]["hi"] <= 1 and res[k]["pairs"] == res["held_pairs"]


def test_tune_errors_are_one_line(shop_ws, tmp_path):
    path, _ = shop_ws
    code, _, err = _run_all("content", "tune", "--workspace", path)
    assert code == 1 and "No preference pairs in the workspace data" in err  # no click-rate difference reaches |z| 1.96
    code, _, err = _run_all("content", "tune", "--workspace", path, "--model", str(tmp_path / "nothing"))
    assert code == 1 and "is not a local model directory" in err
    code, _, err = _run_all("content", "tune", "--workspace", str(tmp_path / "empty.duckdb"))
    assert code == 1 and "No campaigns table in the workspace" in err
    code, _, err = _run_all("content", "tune", "--method", "ppo", "--workspace", path)
    assert code == 1 and "Unknown method 'ppo'" in err

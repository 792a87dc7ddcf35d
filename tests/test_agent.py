"The agent through its CLI: plan, show, edit, approve, monitor, report, tools; clear errors on bad goals."

import json

import pytest
import typer
from typer.testing import CliRunner

from aima.agent.history import register
from aima.campaigns.predict import fit_campaigns
from aima.core import Workspace
from aima.customers.rfm import build_rfm
from aima.data.synth import generate_shop


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    "A small shop with campaigns, RFM segments and a campaign predictor (no text embeddings, to stay quick)."
    path = tmp_path_factory.mktemp("agent") / "shop.duckdb"
    with Workspace(path, create=True) as ws:
        generate_shop(300, seed=1, n_campaigns=24, tables=["customers", "orders", "campaigns"]).to_workspace(ws)
        build_rfm(ws)
        fit_campaigns(ws, embed=False)
    return str(path)


def _run(*args):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_plan_approve_monitor_report(shop):
    code, out, err = _run(
        "agent", "plan", "grow email revenue 30% in 60 days", "--budget", "500", "--workspace", shop, "--json"
    )
    assert code == 0, err
    plan = json.loads(out)
    assert plan["status"] == "draft" and plan["goal"]["budget"] == 500 and plan["goal"]["days"] == 60
    assert 0 < plan["budget_used"] <= 500
    assert {p["channel"] for p in plan["plays"]} == {"email"}
    assert plan["predicted"]["gain_lo"] <= plan["predicted"]["gain"] <= plan["predicted"]["gain_hi"]
    pid = plan["plan_id"]
    code, out, _ = _run("agent", "show", "--workspace", shop, "--json")
    assert code == 0 and json.loads(out)["plan_id"] == pid  # the latest plan
    code, out, err = _run("agent", "monitor", pid, "--workspace", shop)
    assert code == 1 and "approve it first" in err
    code, out, err = _run("agent", "approve", pid, "--start", plan["baseline"]["start"], "--workspace", shop, "--json")
    assert code == 0 and json.loads(out)["status"] == "approved", err
    code, out, err = _run("agent", "monitor", pid, "--workspace", shop, "--json")
    m = json.loads(out)
    assert code == 0 and m["days_elapsed"] == 60, err
    assert round(m["actual"], 6) == round(plan["baseline"]["value"], 6)  # the same window as the baseline
    code, out, _ = _run("agent", "report", pid, "--workspace", shop)
    assert code == 0 and "# grow email revenue 30% in 60 days" in out and "Monitoring (60 of 60 days)" in out
    code, out, err = _run("agent", "edit", pid, "--drop", "1", "--workspace", shop)
    assert code == 1 and "only drafts can be edited" in err


@pytest.mark.parametrize(
    "goal, message",
    [
        ("grow email revenue 20%", "by when (e.g. 'in 90 days', or --days); the budget"),
        ("be famous in 30 days with £1k", "Could not tell what to move"),
        ("reduce churn 10% in 90 days with £1k", "run `aima churn fit-score` first"),
    ],
)
def test_bad_goals_say_what_is_missing(shop, goal, message):
    code, _, err = _run("agent", "plan", goal, "--workspace", shop)
    assert code == 1 and message in err, err


def test_tools_have_schemas():
    code, out, err = _run("agent", "tools", "--json")
    assert code == 0, err
    tools = {t["name"]: t for t in json.loads(out)}
    rec = tools["retention.recommend_actions"]["parameters"]
    assert rec["properties"]["learner"] == {"default": "dr", "title": "Learner", "type": "string"}
    assert "ws" not in rec["properties"] and rec["additionalProperties"] is False


def test_bench_scenarios_are_versioned_and_checked():
    "The scenario file is the generator's output; the CLI runs Pass@1 (goal parsing here: no MMM fit in the fast tier)."
    from aima.agent.bench import build_scenarios, load_scenarios

    got = load_scenarios()
    assert got == json.loads(json.dumps(build_scenarios()))
    assert len(got) >= 100 and {s["level"] for s in got} == {1, 2, 3}
    code, out, err = _run("agent", "bench", "--levels", "1", "--limit", "25", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["n"] == {"L1": 25} and res["pass_at_1"]["L1"] == 1.0, [r for r in res["results"] if not r["passed"]]
    code, _, err = _run("agent", "bench", "--planner", "gpt", "--json")
    assert code == 1 and "Unknown planner 'gpt'" in err


def test_ask_routes_to_module_tools(shop):
    code, out, err = _run("agent", "ask", "Which segment is largest?", "--workspace", shop, "--json")
    assert code == 0, err
    a = json.loads(out)
    with Workspace(shop) as ws:
        biggest = ws.read("rfm").segment.value_counts().idxmax()
    assert (a["intent"], a["answer"], a["tool"]) == ("top_segment", biggest, "customers.rfm")
    code, _, err = _run("agent", "ask", "What is the weather?", "--workspace", shop)
    assert code == 1 and "I can answer" in err


def test_llm_planner_through_an_openai_compatible_endpoint(shop):
    "The same plays, chosen by a model behind a local fake endpoint; the plan is priced and criticised like the rules'."
    from aima.content.generate import local_chat_server

    reply = '{"plays": [{"index": 0, "share": 1}], "reasoning": ["The cheapest e-mail play covers most of it."]}'
    with local_chat_server(lambda req: reply) as url:
        code, out, err = _run("agent", "plan", "grow email revenue 30% in 60 days", "--budget", "500", "--planner",
                              "llm", "--endpoint", url, "--workspace", shop, "--json")  # fmt: skip
        asked = url.requests[0]["messages"][1]["content"]
    assert code == 0, err
    plan = json.loads(out)
    assert plan["planner"] == "llm" and len(plan["plays"]) == 1 and "Budget: 500.00" in asked
    assert plan["plays"][0]["title"] in asked and any("cheapest e-mail play" in r for r in plan["reasoning"])
    code, _, err = _run("agent", "plan", "grow email revenue 30% in 60 days with £500", "--planner", "llm",
                        "--workspace", shop)  # fmt: skip
    assert code == 1 and "needs a model" in err

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
    import hashlib

    from aima.agent.bench import VERSIONS, build_scenarios, load_scenarios
    from aima.workbench.skips import checkout_root

    v1, v2 = load_scenarios(version=1), load_scenarios()
    assert v1 == json.loads(json.dumps(build_scenarios()))  # v1 stays loadable, unchanged
    assert v2 == json.loads(json.dumps(build_scenarios(**VERSIONS[2])))
    assert len(v1) == 115 and len(v2) == 175 and v2[: len(v1)] == v1
    assert {s["kind"] for s in v2} - {s["kind"] for s in v1} == {"winback_segment", "winback_budget", "best_campaign"}
    sums = (checkout_root() / "datasets" / "SHA256SUMS").read_text()
    for v in (1, 2):
        f = checkout_root() / "datasets" / "aima_bench" / f"scenarios_v{v}.jsonl"
        assert f"{hashlib.sha256(f.read_bytes()).hexdigest()}  aima_bench/{f.name}" in sums
    code, out, err = _run("agent", "bench", "--version", "1", "--levels", "1", "--limit", "25", "--json")
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


def test_llm_tools_planner_calls_tools_and_keeps_the_transcript(shop):
    "A scripted model behind a fake endpoint plans by calling tools; the transcript is kept with the plan."
    from aima.agent.loop import scripted_planner, tool_chat_server

    with tool_chat_server(scripted_planner) as url:
        code, out, err = _run("agent", "plan", "grow email revenue 30% in 60 days", "--budget", "500", "--planner",
                              "llm-tools", "--endpoint", url, "--workspace", shop, "--json")  # fmt: skip
        sent = url.requests
    assert code == 0, err
    plan = json.loads(out)
    assert plan["planner"] == "llm-tools" and 0 < plan["budget_used"] <= 500 and plan["plays"]
    usage = plan["transcript"][-1]
    assert usage["role"] == "usage" and usage["content"]["turns"] == len(sent)
    assert [m["role"] for m in plan["transcript"]].count("tool") == usage["content"]["tool_calls"]
    names = {t["function"]["name"] for t in sent[0]["tools"]}
    assert {"agent__candidate_plays", "agent__submit_plan", "campaigns__predict_campaign"} <= names
    with Workspace(shop) as ws:
        msgs = ws.read("agent_messages")
    kept = msgs[(msgs.plan_id == plan["plan_id"]) & (msgs.role == "model")]
    assert len(kept) == 1 and json.loads(kept.content.iloc[0]) == plan["transcript"]


def test_llm_tools_recovers_from_bad_calls_and_stops_a_loop(shop):
    "A module tool runs on the workspace, a malformed call is answered with its error, an endless loop is stopped."
    from aima.agent.loop import call, tool_chat_server

    spec = {"channel": "email", "subject": "Last chance: 20% off", "offer_type": "percent_off", "offer_value": 20,
            "audience_size": 1000, "sends": 1000}  # fmt: skip
    script = [call("campaigns__predict_campaign", {"spec": spec}), call("agent__submit_plan", "{plays: [0"),
              call("agent__candidate_plays", {}), call("agent__submit_plan", {"plays": [{"index": 0}]})]  # fmt: skip
    goal = ["agent", "plan", "grow email revenue 30% in 60 days", "--budget", "500", "--planner", "llm-tools"]
    with tool_chat_server(lambda req: script[sum(m["role"] == "assistant" for m in req["messages"])]) as url:
        code, out, err = _run(*goal, "--endpoint", url, "--workspace", shop, "--json")
    assert code == 0, err
    results = [json.loads(m["content"]) for m in json.loads(out)["transcript"] if m["role"] == "tool"]
    assert results[0]["revenue_per_send"]["lo"] <= results[0]["revenue_per_send"]["estimate"]  # the real module
    assert results[1]["error"].startswith("The model did not answer with JSON") and "plays" in results[2]
    with tool_chat_server(lambda req: call("agent__candidate_plays", {})) as url:
        code, _, err = _run(*goal, "--endpoint", url, "--workspace", shop)
    assert code == 1 and "no accepted plan in 8 turns (8 tool calls" in err, err

"""`aima segments fit` through the real CLI (commands loaded from the customers manifest): fast on a tiny synthetic
shop with `--on features` (no torch), and, marked slow, `aima embed` then `--on both` on the bundled Online Retail
sample with a tiny sequence model."""

import json

import pytest

from conftest import ROOT

RETAIL = ROOT / "datasets" / "online_retail_sample" / "online_retail_sample_1000_customers.csv.gz"
TINY = ["--epochs", "2", "--dim", "16", "--d-model", "16", "--layers", "1", "--max-len", "32"]


@pytest.fixture(scope="module")
def cli():
    import typer
    from typer.testing import CliRunner
    from aima.app.cli import load_plugins

    app = typer.Typer()
    app.callback()(lambda: None)
    assert "aima.customers.personas" in load_plugins(app)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(app, [str(a) for a in args])

    return run


@pytest.fixture(scope="module")
def retail(tmp_path_factory):
    from aima.core import Workspace
    from aima.data.imports import import_source

    wsf = tmp_path_factory.mktemp("seg") / "retail.duckdb"
    with Workspace(wsf) as ws:
        import_source(ws, RETAIL)
    return wsf


def test_segments_on_features(cli, tmp_path):
    from aima.core import Workspace
    from aima.data.synth import generate_shop

    wsf = tmp_path / "shop.duckdb"
    with Workspace(wsf) as ws:
        generate_shop(150, seed=3).to_workspace(ws, truth=False)
    r = cli("segments", "fit", "--workspace", wsf, "--on", "features", "--k", "3", "--seeds", "2", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert (out["k"], out["method"], out["on"]) == (3, "kmeans", "features")
    segs = out["segments"]
    assert [sorted(s) for s in segs] == [["description", "name", "risk", "segment_id", "size", "strategy"]] * 3
    assert len({s["name"] for s in segs}) == 3  # unique names
    with Workspace(wsf, read_only=True) as ws:
        mem = ws.table("segment_memberships").to_pandas()
    assert set(mem.run_id) == {out["run_id"]}
    assert sum(s["size"] for s in segs) == len(mem) == out["customers"]

    r = cli("segments", "drift", "--workspace", wsf, "--json")  # one run: no history to chart yet
    assert r.exit_code == 0, r.output
    drift = json.loads(r.stdout)
    assert (drift["runs"], drift["alerts"], drift["transitions"]) == (1, [], None)


@pytest.mark.slow
def test_embed_then_segments(cli, retail):
    from aima.core import Workspace

    r = cli("embed", "--workspace", retail, "--json", *TINY)
    assert r.exit_code == 0, r.output
    emb = json.loads(r.stdout)
    assert emb["dim"] == 16 and emb["customers"] > 900 and emb["reused"] is False and emb["epochs"] == 2
    again = json.loads(cli("embed", "--workspace", retail, "--json", *TINY).stdout)
    assert again["reused"] is True and again["model"] == emb["model"] and again["customers"] == emb["customers"]

    r = cli("segments", "fit", "--workspace", retail, "--on", "both", "--seeds", "2", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert {"k", "method", "stability_ari", "segments"} <= set(out) and out["on"] == "both"
    segs = out["segments"]
    assert len(segs) == out["k"] >= 2 and -1 <= out["stability_ari"] <= 1
    assert [sorted(s) for s in segs] == [["description", "name", "risk", "segment_id", "size", "strategy"]] * len(segs)
    assert len({s["name"] for s in segs}) == len(segs)  # unique names
    assert sum(s["size"] for s in segs) == emb["customers"]
    assert {s["risk"] for s in segs} <= {"low", "medium", "high"}

    r = cli("segments", "fit", "--workspace", retail, "--on", "features", "--method", "gmm", "--k", "3", "--json")
    assert r.exit_code == 0, r.output
    gmm = json.loads(r.stdout)
    assert (gmm["k"], gmm["method"], gmm["on"]) == (3, "gmm", "features")
    with Workspace(retail, read_only=True) as ws:
        runs = ws.table("segments").to_pandas()
        mem = ws.table("segment_memberships").to_pandas()
    assert sorted(runs.groupby("run_id").size().tolist()) == sorted([out["k"], 3])
    assert set(mem.run_id) == {out["run_id"], gmm["run_id"]}
    assert mem.groupby("run_id").size().loc[out["run_id"]] == emb["customers"]


def test_segments_errors(cli, tmp_path):
    wsf = tmp_path / "w.duckdb"  # no embeddings yet
    r = cli("segments", "fit", "--workspace", wsf, "--on", "embeddings", "--json")
    assert r.exit_code == 1 and "aima embed" in r.output
    r = cli("segments", "fit", "--workspace", wsf, "--method", "spectral")
    assert r.exit_code == 1 and "Unknown --method" in r.output


def test_segments_backtest_replays_the_history(cli, retail, tmp_path):
    r = cli("segments", "backtest", "--workspace", retail, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["runs"] >= 5 and out["lapse_days"] == 45 and out["churn_days"] == 90
    for rule in ("drift", "baseline"):
        assert 0 < out[rule]["alerted"] and 0 <= out[rule]["precision"] <= 1 and 0 <= out[rule]["recall"] <= 1
    assert out["drift"]["alerted"] <= out["baseline"]["alerted"]  # the charts gate the 45-day rule
    assert set(out["alerts"][0]) == {"cut", "segment", "customers", "lapsed_share"}
    r = cli("segments", "backtest", "--workspace", tmp_path / "empty.duckdb")
    assert r.exit_code == 1 and "needs orders" in r.output

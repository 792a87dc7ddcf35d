"""`aima papers`: papers 6 and 1 end to end in smoke mode, tables from metrics.json, grids, the parameters-cell
contract, CLI errors."""

import json
import os
import shutil
import subprocess

import nbformat
import pytest
import yaml

from conftest import BIN, ROOT
from aima.workbench.papers import (
    PaperError,
    build_tables,
    check_parameters,
    expand_grid,
    load_run_config,
    paper_notebooks,
    plan_runs,
    portable_notebook,
    run_paper,
)

AIMA = str(BIN / "aima")
PAPER6 = ROOT / "papers" / "06_clv_churn"


def aima(*args, env=None):
    "The real `aima` command in a subprocess (what CI and users run)."
    e = {**os.environ, "CI": "true", **(env or {})}
    return subprocess.run([AIMA, *args], capture_output=True, text=True, env=e, cwd=ROOT, timeout=600)


def cli(*args):
    "`aima papers ...` in process (no interpreter start-up): exit code, stdout, stderr."
    import typer
    from typer.testing import CliRunner
    from aima.workbench.papers import register

    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_paper6_smoke_run_and_tables(tmp_path):
    "What CI runs: every notebook of paper 6 on tiny data into a temporary results folder, then the tables."
    readme = (PAPER6 / "README.md").read_bytes()
    # AIMA_PAPERS_RESULTS (like --results) redirects the runs; it must not be read as a config key by the notebooks
    r = aima("papers", "run", "6", "--smoke", "--json", env={"AIMA_PAPERS_RESULTS": str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    out = tmp_path / "06_clv_churn" / run["run_id"]
    assert run["status"] == "ok" and run["smoke"] and run["run_id"].endswith("-smoke") and run["seed"] == 0
    assert {p.name for p in out.iterdir()} >= {
        "config.yaml",
        "metrics.json",
        "tables",
        "figures",
        "01_btyd.ipynb",
        "02_churn.ipynb",
        "03_uplift_loop.ipynb",
    }
    m = json.loads((out / "metrics.json").read_text())
    assert {
        "btyd_params",
        "btyd_fit",
        "btyd_holdout",
        "churn",
        "uplift_rct",
        "uplift_pehe",
        "uplift_policy",
        "loop",
    } <= set(m["sections"])
    bgbb = next(r for r in m["sections"]["btyd_fit"]["rows"] if r["model"] == "BG/BB")
    assert bgbb["loglik"] == pytest.approx(-33225.6, abs=0.1)  # donations are small: the full data even in smoke
    assert {r["model"] for r in m["sections"]["churn"]["rows"]} == {"km", "cox", "weibull", "deephit"}
    cfg = yaml.safe_load((out / "config.yaml").read_text())
    assert cfg["loop"]["rounds"] == 2 and cfg["btyd"]["max_customers"] == 400  # smoke overrides applied and recorded
    assert len(list((out / "figures").glob("*.png"))) == 3
    for nb in out.glob("*.ipynb"):  # executed notebooks name no machine's folders
        assert str(ROOT.resolve()) + os.sep not in nb.read_text(), nb
    r = aima("papers", "tables", "6", "--results", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["readme"] is None and res["tables"] >= 10
    md = (tmp_path / "06_clv_churn" / "tables.md").read_text()
    assert "SMOKE run" in md and "| BG/BB | alpha | 1.2040 | 1.2035 |" in md and "Run times" in md
    assert "\\begin{tabular}" in (tmp_path / "06_clv_churn" / "tables.tex").read_text()
    assert (PAPER6 / "README.md").read_bytes() == readme  # redirected results never touch the paper


def test_paper1_smoke_run_and_tables(tmp_path):
    "Paper 1 in smoke mode (a tiny synthetic shop): every representation is scored, and the tables build."
    r = aima("papers", "run", "1", "--smoke", "--json", env={"AIMA_PAPERS_RESULTS": str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    assert run["status"] == "ok" and run["smoke"]
    m = json.loads((tmp_path / "01_personas" / run["run_id"] / "metrics.json").read_text())
    assert {"data", "embedder", "quality", "downstream", "intervals", "truth", "winners"} <= set(m["sections"])
    q = {(r["representation"], r["method"]): r for r in m["sections"]["quality"]["rows"]}
    reps = {"rfm", "features", "autoencoder", "embeddings", "both"}
    assert {rep for rep, _ in q} == reps | {"true latents"}  # latents: the ceiling
    ci = m["sections"]["intervals"]["rows"]
    assert {r["representation"] for r in ci} == reps
    assert all(r["purchase_lo"] <= r["purchase_auroc_full"] <= r["purchase_hi"] for r in ci)
    assert q[("rfm", "rules")]["stability_ari"] == 1.0 and all(-1 <= r["stability_ari"] <= 1 for r in q.values())
    assert all(0 <= r["purchase_auroc_full"] <= 1 for r in m["sections"]["downstream"]["rows"])
    [emb] = m["sections"]["embedder"]["rows"]
    assert emb["epochs"] == 1 and emb["dataset"] == "synthetic" and 1 <= emb["ae_epochs"] <= 5
    r = aima("papers", "tables", "1", "--results", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    assert "Downstream AUROC" in (tmp_path / "01_personas" / "tables.md").read_text()


def _metrics(
    root, run_id, *, smoke=False, status="ok", started="2026-01-01T00:00:00+00:00", config="full", point=None, value=1.0
):
    d = root / "06_clv_churn" / run_id
    d.mkdir(parents=True)
    run = {
        "paper": "06_clv_churn",
        "run_id": run_id,
        "config_file": f"configs/papers/06_clv_churn/{config}.yaml",
        "config_hash": "x",
        "grid_point": point or {},
        "seed": 0,
        "smoke": smoke,
        "status": status,
        "started": started,
        "seconds": 12.5,
        "notebooks": {"02_churn": {"status": status, "seconds": 12.0}},
        "aima_version": "0",
        "git_commit": "abc",
        "python": "3.11",
        "platform": "Linux-x",
        "cpus": 2,
    }
    sec = {
        "churn": {
            "notebook": "02_churn",
            "caption": "Churn_scores & more",
            "notes": None,
            "rows": [{"model": "cox", "c_index": value, "converged": True}],
        }
    }
    (d / "metrics.json").write_text(json.dumps({"run": run, "sections": sec}))


def test_tables_pick_latest_full_run_per_config(tmp_path):
    _metrics(tmp_path, "a", value=0.71, started="2026-01-01T00:00:00+00:00")
    _metrics(tmp_path, "b", value=0.72, started="2026-01-02T00:00:00+00:00")  # latest full run: used
    _metrics(tmp_path, "c", value=0.99, started="2026-01-03T00:00:00+00:00", smoke=True)  # smoke: a full run exists
    _metrics(tmp_path, "d", value=0.98, started="2026-01-04T00:00:00+00:00", status="failed")
    for i, pen in enumerate([1.0, 0.01]):
        _metrics(tmp_path, f"s{i}", config="sweep", point={"churn.cox_penalizer": pen}, value=0.8 + i / 100)
    _metrics(tmp_path, "t", config="tiny", smoke=True, value=0.5)  # only smoke: used, labelled
    out = build_tables(6, results=tmp_path)
    assert out["runs_found"] == 7 and out["runs_used"] == ["b", "s1", "s0", "t"] and out["readme"] is None
    md = (tmp_path / "06_clv_churn" / "tables.md").read_text()
    assert "| cox | 0.7200 | yes |" in md and "0.9900" not in md and "0.9800" not in md
    assert "| cox_penalizer | model | c_index | converged |" in md
    assert md.index("| 0.0100 | cox | 0.8100 |") < md.index("| 1.0000 | cox | 0.8000 |")  # grid points sorted by value
    assert "`configs/papers/06_clv_churn/tiny.yaml` (SMOKE run" in md
    tex = (tmp_path / "06_clv_churn" / "tables.tex").read_text()
    assert r"\caption{Churn\_scores \& more (full)}" in tex and tex.count(r"\begin{table}") == 6
    with pytest.raises(PaperError, match="No successful runs"):
        build_tables(6, results=tmp_path / "empty")


def test_grid_expansion_and_smoke_overrides(tmp_path):
    specs = plan_runs(6, "sweep_penalizer", results=tmp_path)
    assert [s.grid_point["churn.cox_penalizer"] for s in specs] == [0.001, 0.01, 0.1, 1.0]
    assert [s.config["churn"]["cox_penalizer"] for s in specs] == [0.001, 0.01, 0.1, 1.0]
    assert len({s.run_id for s in specs}) == 4 and all(len(s.run_id.split("-")[2]) == 8 for s in specs)
    assert [p.name for p in specs[0].notebooks] == ["02_churn.ipynb"] and "notebooks" not in specs[0].config
    smoke = plan_runs(6, "sweep_penalizer", smoke=True, results=tmp_path)
    assert smoke[0].config["churn"]["telco"]["max_customers"] == 400 and smoke[0].run_id.endswith("-smoke")
    assert not any(tmp_path.iterdir())  # planning writes nothing
    for f in sorted((ROOT / "configs" / "papers").glob("*/*.yaml")):  # every committed config expands
        for smoke in (False, True):
            assert expand_grid(load_run_config(f), smoke=smoke, source=str(f))
    bad = tmp_path / "bad.yaml"
    bad.write_text("churn: {cox_penalizer: 0.1}\ngrid: {churn.cox_penaliser: [1, 2]}\n")
    with pytest.raises(PaperError, match="grid key 'churn.cox_penaliser' is not in the config"):
        plan_runs(6, bad, results=tmp_path)


def _toy_project(tmp_path, params_src, body="record('fit', {'ok': True})", tags=("parameters",)):
    proj = tmp_path / "proj"
    (proj / "papers" / "01_toy").mkdir(parents=True)
    (proj / "configs" / "papers" / "01_toy").mkdir(parents=True)
    (proj / "configs" / "papers" / "01_toy" / "full.yaml").write_text("seed: 1\n")
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell(params_src, metadata={"tags": list(tags)}),
        nbformat.v4.new_code_cell(
            "from aima.workbench.papers import start_run, record\n"
            "run = start_run(config, seed, output_dir, smoke, notebook='01_fit')\n" + body
        ),
    ]
    nbformat.write(nb, proj / "papers" / "01_toy" / "01_fit.ipynb")
    return proj


GOOD = "config = None\nseed = 0\noutput_dir = 'x'\nsmoke = False"


@pytest.mark.parametrize(
    "src,tags,message",
    [
        (GOOD, (), "no cell is tagged 'parameters'"),
        (GOOD + "\nn_customers = 100", ("parameters",), "extra: n_customers (put them in the run config)"),
        ("config = None\nseed = 0", ("parameters",), "missing: output_dir, smoke"),
    ],
    ids=["no-tag", "extra-parameter", "missing-parameters"],
)
def test_parameters_cell_contract(tmp_path, src, tags, message):
    proj = _toy_project(tmp_path, src, tags=tags)
    with pytest.raises(PaperError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_paper(1, root=proj, results=tmp_path / "out")
    assert not (tmp_path / "out").exists()  # checked before anything runs


def test_failing_notebook_is_reported(tmp_path, monkeypatch):
    proj = _toy_project(tmp_path, GOOD, body="raise ValueError('bad data in row 7')")
    monkeypatch.setenv("AIMA_PROJECT_ROOT", str(proj))
    code, out, err = cli("papers", "run", "toy", "--results", str(tmp_path / "out"))
    assert code == 1 and "Traceback" not in err
    assert "01_fit: ValueError: bad data in row 7" in err
    [run_dir] = (tmp_path / "out" / "01_toy").iterdir()
    assert json.loads((run_dir / "metrics.json").read_text())["run"]["status"] == "failed"
    assert (run_dir / "01_fit.ipynb").exists()  # the executed notebook shows the failing cell


def test_cli_list_and_errors():
    code, out, err = cli("papers", "list", "--json")
    assert code == 0, err
    p6 = next(p for p in json.loads(out) if p["number"] == 6)
    assert p6["name"] == "06_clv_churn" and p6["notebooks"] == ["01_btyd", "02_churn", "03_uplift_loop"]
    assert {"full.yaml", "sweep_penalizer.yaml"} <= set(p6["configs"])
    code, out, err = cli("papers", "run", "9")
    assert code == 1 and err.startswith(
        "error: Unknown paper '9': available papers are 01_personas, 02_campaigns, 03_content, 04_brand, 05_unified"
    )
    code, out, err = cli("papers", "run", "6", "--config", "nope")
    assert code == 1 and "full.yaml, sweep_penalizer.yaml" in err and "Traceback" not in err
    code, out, err = cli("papers", "tables", "06_clv_churn", "--results", "/nonexistent/aima-results")
    assert code == 1 and err.startswith("error: No successful runs of paper 06_clv_churn")


def test_committed_paper_notebooks_follow_the_contract():
    for nb_path in sorted((ROOT / "papers").glob("*/[0-9]*.ipynb")):
        assert set(check_parameters(nb_path)) == {"config", "seed", "output_dir", "smoke"}, nb_path
        nb = nbformat.read(nb_path, as_version=4)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
            f"{nb_path} has outputs: run nbdev_clean"
        )
    assert [p.name for p in paper_notebooks(PAPER6)] == ["01_btyd.ipynb", "02_churn.ipynb", "03_uplift_loop.ipynb"]


def test_portable_notebook(tmp_path):
    root = tmp_path / "proj"
    nb = tmp_path / "run.ipynb"
    nb.write_text(
        json.dumps(
            {
                "metadata": {"papermill": {"input_path": f"{root}/papers/x/01.ipynb"}},
                "out": f"{root}2/other {root}/papers/x/results/r1",
            }
        )
    )
    assert portable_notebook(nb, root) == 2
    d = json.loads(nb.read_text())
    assert d["metadata"]["papermill"]["input_path"] == "papers/x/01.ipynb"
    assert d["out"] == f"{root}2/other papers/x/results/r1"  # a sibling folder sharing the prefix is left alone
    assert portable_notebook(tmp_path / "missing.ipynb", root) == 0


def test_paper7_smoke_run(tmp_path):
    "Paper 7's smoke: AIMA-Bench on one media world and five goals, the ablation, the critic and latency tables."
    r = aima("papers", "run", "7", "--smoke", "--json", env={"AIMA_PAPERS_RESULTS": str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    assert run["status"] == "ok", run
    m = json.loads((tmp_path / "07_agents" / run["run_id"] / "metrics.json").read_text())
    want = {"scenarios", "pass_at_1", "pass_at_1_levels", "planners", "ablation_tools", "critic", "latency"}
    assert want <= set(m["sections"])
    levels = {r["level"]: r["n"] for r in m["sections"]["pass_at_1_levels"]["rows"]}
    assert levels == {"L1": 6, "L2": 1, "L3": 1}


def _toy_sweep(tmp_path, monkeypatch):
    body = "import os\nrecord('fit', {'alpha': config['alpha'], 'worker': os.getppid()})"
    proj = _toy_project(tmp_path, GOOD, body=body)
    (proj / "configs" / "papers" / "01_toy" / "sweep.yaml").write_text("seed: 1\nalpha: 0\ngrid: {alpha: [1, 2, 3]}\n")
    monkeypatch.setenv("AIMA_PROJECT_ROOT", str(proj))
    return proj


def test_bad_shard_is_one_clear_error(tmp_path, monkeypatch):
    _toy_sweep(tmp_path, monkeypatch)
    code, out, err = cli("papers", "run", "toy", "-c", "sweep", "--shard", "3/3", "--results", str(tmp_path / "o"))
    assert code != 0 and "Bad shard '3/3'" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_sweep_in_parallel_and_by_shard(tmp_path, monkeypatch):
    "`--jobs 2` runs a grid in two worker processes; `--shard 0/2` picks that scheduler task's grid points (0 and 2)."
    _toy_sweep(tmp_path, monkeypatch)
    out_dir = str(tmp_path / "out")
    code, out, err = cli(
        "papers", "run", "toy", "-c", "sweep", "--jobs", "2", "--shard", "0/2", "--json", "--results", out_dir
    )
    assert code == 0, err
    runs = json.loads(out)
    assert [r["grid_point"] for r in runs] == [{"alpha": 1}, {"alpha": 3}]
    assert [r["status"] for r in runs] == ["ok", "ok"]
    metrics = [json.loads((tmp_path / "out" / "01_toy" / r["run_id"] / "metrics.json").read_text()) for r in runs]
    fits = [m["sections"]["fit"]["rows"][0] for m in metrics]
    assert [f["alpha"] for f in fits] == [1, 3]
    assert os.getpid() not in {f["worker"] for f in fits}  # the kernels ran under pool workers, not this process


def test_paper2_smoke_run(tmp_path):
    "Paper 2's smoke: Upworthy and synthetic campaign rates with intervals, response AUROCs, Hillstrom lift; tables."
    r = aima("papers", "run", "2", "--smoke", "--json", env={"AIMA_PAPERS_RESULTS": str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    assert run["status"] == "ok", run
    m = json.loads((tmp_path / "02_campaigns" / run["run_id"] / "metrics.json").read_text())
    sec = m["sections"]
    assert {"upworthy_data", "upworthy", "synthetic_targets", "synthetic_effects", "response", "hillstrom_lift",
            "synthetic_lift"} <= set(sec)
    targets = {(r["model"], r["target"]) for r in sec["synthetic_targets"]["rows"]}
    assert targets == {(mo, t) for mo in ("gbm", "multi-task net") for t in
                       ("open_rate", "click_rate", "conversion_rate", "revenue_per_send", "roi")}
    assert all(0 <= r["coverage_80_mean"] <= r["coverage_90_mean"] <= 1 for r in sec["synthetic_targets"]["rows"])
    [lift] = sec["synthetic_lift"]["rows"]
    assert lift["seeds"] == 2 and lift["naive_bias"] > 0  # the confounded difference in means overstates the lift
    if sec["upworthy_data"]["rows"][0]["status"] == "used":  # shared data sets present (they are optional in CI)
        models = [r["model"] for r in sec["upworthy"]["rows"]]
        assert models == ["historical mean CTR", "gbm (copy features)", "multi-task net"]
    r = aima("papers", "tables", "2", "--results", str(tmp_path), "--json")
    assert r.returncode == 0, r.stderr
    assert "Synthetic campaigns" in (tmp_path / "02_campaigns" / "tables.md").read_text()


@pytest.mark.slow  # about 3-4 CPU minutes (three kernels importing TRL/PEFT and MiniLM): over the 60 s CI budget
def test_paper3_smoke_run(tmp_path):
    "Paper 3's smoke: reward models on held-out pairs, voice AUC and copy quality, DPO/KTO on tiny models."
    r = aima("papers", "run", "3", "--smoke", "--json", env={"AIMA_PAPERS_RESULTS": str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    assert run["status"] == "ok", run
    m = json.loads((tmp_path / "03_content" / run["run_id"] / "metrics.json").read_text())
    want = {"data", "reward_accuracy", "voice_auc", "copy_quality", "predicted_performance", "tuning"}
    assert want <= set(m["sections"])
    acc = m["sections"]["reward_accuracy"]["rows"]
    assert {"TRL reward (MiniLM, LoRA)", "TRL reward (GPT-2 from scratch)"} <= {a["model"] for a in acc}
    assert all(0 <= a["ci_lo"] <= a["accuracy"] <= a["ci_hi"] <= 1 for a in acc)
    assert m["sections"]["copy_quality_total"]["rows"][0]["valid"] == 1.0  # every generated output keeps its limits
    tuning = m["sections"]["tuning"]["rows"]
    assert {(t["method"], t["steps"]) for t in tuning} == {("DPO", 10), ("KTO", 10)}


def test_paper4_smoke_run(tmp_path):
    "Paper 4's smoke: aspect polarity vs baselines, planted-event alerts, bots/fake reviews, throughput (tiny sizes)."
    r = aima("papers", "run", "4", "--smoke", "--json", env={"AIMA_PAPERS_RESULTS": str(tmp_path)})
    assert r.returncode == 0, r.stderr[-3000:]
    [run] = json.loads(r.stdout)
    assert run["status"] == "ok", run
    m = json.loads((tmp_path / "04_brand" / run["run_id"] / "metrics.json").read_text())
    assert {"absa", "alerts", "authenticity", "throughput"} <= set(m["sections"])
    scorers = {r["scorer"] for r in m["sections"]["absa"]["rows"]}
    assert scorers >= {"majority", "keywords", "aima"}
    assert {r["kind"] for r in m["sections"]["alerts"]["rows"]} == {"crisis", "emerging_positive"}

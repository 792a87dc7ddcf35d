"""The `aima` command as a user runs it: a real subprocess, stdout holding only JSON with --json."""

import json
import os
import subprocess
import sys

import pytest

from conftest import BIN, ROOT

AIMA = str(BIN / "aima")


def aima(*args, env=None, cwd=None):
    e = {**os.environ, "CI": "true", **(env or {})}
    return subprocess.run([AIMA, *args], capture_output=True, text=True, env=e, cwd=cwd or ROOT, timeout=300)


def test_help_lists_commands():
    r = aima("--help")
    assert r.returncode == 0, r.stderr
    for cmd in (
        "workspace",
        "config",
        "import",
        "features",
        "rfm",
        "customers",
        "datasets",
        "clv",
        "churn",
        "interventions",
        "demo",
        "bench",
        "docs",
        "dash",
        "papers",
    ):
        assert cmd in r.stdout, f"`aima --help` does not list {cmd}:\n{r.stdout}\n{r.stderr}"
    assert "warning" not in r.stderr.lower(), r.stderr


def test_version():
    from aima import __version__

    r = aima("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"aima {__version__}"


def test_workspace_init_info_tables_json(tmp_path):
    ws = tmp_path / "w.duckdb"
    r = aima("--log-level", "DEBUG", "workspace", "init", "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)  # stdout is one JSON document even with DEBUG logs on
    assert info["backend"] == "duckdb" and ws.exists()
    assert (tmp_path / "w.artifacts").is_dir()
    r = aima("workspace", "info", "--json", env={"AIMA_WORKSPACE": str(ws)})
    assert r.returncode == 0 and json.loads(r.stdout)["uri"] == str(ws)
    r = aima("workspace", "tables", "-w", str(ws), "--json")
    assert [t["name"] for t in json.loads(r.stdout)["tables"]] == ["quarantine"]


def test_errors_are_one_clear_line(tmp_path):
    r = aima("workspace", "info", "--workspace", str(tmp_path / "nope.duckdb"))
    assert r.returncode == 1
    assert r.stderr.startswith("error: No workspace at") and "aima workspace init" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_config_names_key_and_source(tmp_path):
    r = aima("config", "show", env={"AIMA_RETENTION__INACTIVITY_DAYS": "soon"})
    assert r.returncode == 1
    assert (
        "environment variable AIMA_RETENTION__INACTIVITY_DAYS" in r.stderr and "retention.inactivity_days" in r.stderr
    )
    bad = tmp_path / "exp.yaml"
    bad.write_text("retention:\n  churn_horizon: [30]\n")
    r = aima("config", "show", str(bad))
    assert r.returncode == 1 and f"{bad}: unknown key 'retention.churn_horizon'" in r.stderr


def test_config_show_uses_repo_base_yaml():
    r = aima("config", "show", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["config"]["workspace"]["uri"]
    assert any(v.endswith("configs/base.yaml") for v in out["sources"].values())


def test_demo_builds_workspace(tmp_path):
    ws = tmp_path / "demo.duckdb"
    r = aima("demo", "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["tables"]["order_items"] == 98407 and out["tables"]["customers"] == 1000
    again = json.loads(aima("demo", "--workspace", str(ws), "--json").stdout)
    assert "already imported" in again["steps"]["import"]["skipped"]
    assert again["tables"] == out["tables"]


def test_bench_prints_json_lines():
    r = aima("bench", "run", "workspace_rfm", "--size", "5000")
    assert r.returncode == 0, r.stderr
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(recs) == 1 and recs[0]["same_result"] is True and recs[0]["ratio"] > 0


TOY = '''
from aima.manifest import Module, Page, Step, Table


def register(app):
    @app.command("toy")
    def toy():
        "Say hello from the toy module."
        print("toy!")


def score(ws):
    import pandas as pd
    ws.write("toy_scores", pd.DataFrame({"customer_id": ["a"], "score": [1.0]}))
    return {"rows": 1}


def page(uri):
    import ipywidgets as W
    return W.HTML("<p>toy page</p>")


MODULE = Module("toy", "A third-party module.", cli=("toy_module",), steps=(Step("toy", "toy_module:score", 45),),
                tables=(Table("toy_scores", "toy scores", "aima toy"),), pages=(Page("toy", "Toy", "toy_module:page",
                order=45),))
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    "A module installed the way a third-party package is: a manifest behind an `aima.modules` entry point."
    from aima import manifest

    (tmp_path / "toy_module.py").write_text(TOY)
    dist = tmp_path / "toy_module-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-module\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[aima.modules]\ntoy = toy_module:MODULE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    manifest.refresh()
    yield tmp_path
    manifest.refresh()


def test_a_module_registers_in_one_place(toy, tmp_path):
    from aima.app.demo import DEMO_STEPS, run_pipeline
    from aima.core import Workspace
    from aima.dash import PAGES, nav_html, page
    from aima.dash.kit import RESULTS, needs_message

    env = {"PYTHONPATH": os.pathsep.join([str(toy), os.environ.get("PYTHONPATH", ""), str(ROOT)])}
    r = aima("--help", env=env)
    assert r.returncode == 0 and "Say hello from the toy module." in r.stdout, r.stderr
    assert aima("toy", env=env).stdout == "toy!\n"
    steps = ["features", "rfm", "clv", "churn", "toy", "interventions", "mmm", "mta", "alerts"]
    assert [name for name, _ in DEMO_STEPS] == steps
    with Workspace(tmp_path / "w.duckdb") as ws:
        assert run_pipeline(ws, only=["toy"])["toy"]["rows"] == 1
        assert ws.read("toy_scores").score.tolist() == [1.0]
        assert needs_message(ws, "toy_scores").startswith("No toy scores yet: run `aima toy --workspace")
    assert RESULTS["toy_scores"] == ("toy scores", "aima toy")
    orders = [p["order"] for p in PAGES.values()]  # the toy page takes its place by order among the modules' pages
    assert "toy" in PAGES and orders == sorted(orders) and "aima-nav-toy" in nav_html()
    assert "toy page" in page("toy", str(tmp_path / "w.duckdb")).children[2].children[0].value


def test_pipeline_command(tmp_path):
    r = aima("pipeline", "--step", "nope", "--workspace", str(tmp_path / "w.duckdb"))
    assert r.returncode == 1 and "Unknown pipeline step(s) ['nope']" in r.stderr
    r = aima("pipeline", "--step", "alerts", "--workspace", str(tmp_path / "w.duckdb"), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["alerts"]["alerts"] == 0


def test_help_lists_from_the_index_without_importing_models(tmp_path):
    "`aima --help` lists every command from the cached index: the text of importing every module, no sklearn/torch."
    env = {"AIMA_CACHE_DIR": str(tmp_path)}
    eager = aima("--help", env={**env, "AIMA_CLI_LAZY": "0"})
    first = aima("--help", env=env)  # builds and saves the index
    assert eager.returncode == first.returncode == 0, first.stderr
    assert first.stdout == eager.stdout
    assert [p.name.split("-")[0] for p in tmp_path.glob("*.json")] == ["cli"]
    code = (
        "import sys\nfrom aima.app.cli import main\nsys.argv = ['aima', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'sklearn', 'torch', 'pandas', 'ibis', 'pymc', 'transformers'}\n"
        "print('IMPORTED', sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "CI": "true", **env},
    )
    assert r.returncode == 0, r.stderr
    help_text, _, imported = r.stdout.rpartition("IMPORTED ")
    assert imported.strip() == "[]"
    assert help_text == eager.stdout  # the other tests run every command through the index

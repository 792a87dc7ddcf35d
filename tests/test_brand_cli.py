"""`aima brand ingest|analyse|evaluate` on small files (no model training: the keyword scorer)."""

import json

import typer
from typer.testing import CliRunner

from aima.brand.cli import register
from aima.core import Workspace


def _run(*args):
    app = typer.Typer()
    app.callback()(lambda: None)
    register(app)
    r = CliRunner().invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout, r.stderr


def test_ingest_then_analyse_with_keywords(tmp_path):
    rows = [
        {
            "id": "t1",
            "username": "ana",
            "content": "@Acme lost my parcel, support never answered",
            "date": "2024-05-01",
        },
        {
            "id": "t2",
            "username": "bob",
            "content": "RT @ana: @Acme lost my parcel, support never answered",
            "date": "2024-05-02",
        },
        {"id": "t3", "username": "cy", "content": "Rival Co prices are better than Acme", "date": "2024-05-02"},
    ]
    (tmp_path / "m.json").write_text(json.dumps(rows))
    ws = tmp_path / "b.duckdb"
    code, out, err = _run(
        "brand", "ingest", tmp_path / "m.json", "-w", ws, "--brand", "Acme", "--competitor", "Rival Co", "--json"
    )
    assert code == 0, err
    got = json.loads(out)
    assert (got["imported"], got["duplicates"], got["brands"]) == (2, 1, {"Acme": 1, "Rival Co": 1})
    code, out, err = _run("brand", "analyse", "-w", ws, "--model", "keywords", "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["mentions"] == 2 and res["dimensions"]["delivery_logistics"][0] == 1
    with Workspace(ws) as w:
        tab = w.read("brand_aspects")
    assert set(tab.dimension) >= {"delivery_logistics", "customer_service", "pricing_value", "competitive_position"}
    assert tab.score.between(-1, 1).all() and (tab.evidence.str.len() > 0).all()
    row = tab[tab.dimension == "competitive_position"].iloc[0]
    assert "better than" in row.evidence and row.brand == "Rival Co"


def test_evaluate_rejects_other_formats_and_bad_files(tmp_path):
    bad = tmp_path / "x.xml"
    bad.write_text("<oops")
    assert _run("brand", "evaluate", bad, "--format", "semeval16")[0] == 1
    code, _, err = _run("brand", "evaluate", bad, "--format", "semeval14", "--model", "keywords")
    assert code == 1 and "not a readable SemEval-2014 XML file" in err


def test_evaluate_keywords_on_a_tiny_file(tmp_path):
    f = tmp_path / "t.xml"
    f.write_text(
        '<sentences><sentence id="1"><text>The food was great but the waiter was rude.</text><aspectTerms>'
        '<aspectTerm term="food" polarity="positive" from="4" to="8"/>'
        '<aspectTerm term="waiter" polarity="negative" from="27" to="33"/>'
        '<aspectTerm term="meal" polarity="conflict" from="0" to="3"/></aspectTerms></sentence></sentences>'
    )
    code, out, err = _run("brand", "evaluate", f, "--format", "semeval14", "--model", "keywords", "--json")
    assert code == 0, err
    assert json.loads(out) == {"accuracy": 1.0, "macro_f1": 0.6667, "n": 2}

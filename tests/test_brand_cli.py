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


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Acme blog</title>
<item><guid>p1</guid><title>Acme boots</title><description>The quality of Acme boots is great</description>
<pubDate>Mon, 06 May 2024 10:00:00 GMT</pubDate></item>
<item><guid>p2</guid><title>Refunds</title><description>Acme support never answered about my refund</description>
<pubDate>Tue, 07 May 2024 10:00:00 GMT</pubDate></item></channel></rss>"""
ATOM = """<feed xmlns="http://www.w3.org/2005/Atom"><title>Reviews</title><entry><id>urn:1</id><title>Rival Co</title>
<updated>2024-05-08T08:00:00Z</updated><summary>Rival Co prices are better than Acme</summary></entry></feed>"""


def test_ingest_feeds_from_a_local_server(tmp_path):
    import threading
    from functools import partial
    from http.server import HTTPServer, SimpleHTTPRequestHandler

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    (tmp_path / "rss.xml").write_text(RSS)
    (tmp_path / "atom.xml").write_text(ATOM)
    (tmp_path / "bad.xml").write_text("<rss><channel><item>")
    (tmp_path / "page.html").write_text("<html><body>hello</body></html>")
    srv = HTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base, ws = f"http://127.0.0.1:{srv.server_port}", tmp_path / "f.duckdb"
    feeds = ["--feed", f"{base}/rss.xml", "--feed", f"{base}/atom.xml"]
    try:
        code, out, err = _run(
            "brand", "ingest", *feeds, "-w", ws, "--brand", "Acme", "--competitor", "Rival Co", "--json"
        )
        assert code == 0, err
        got = json.loads(out)
        assert (got["items"], got["new"], got["imported"]) == (3, 3, 3)
        assert got["brands"] == {"Acme": 2, "Rival Co": 1}
        (tmp_path / "rss.xml").write_text(
            RSS.replace("</channel>", "<item><guid>p3</guid><title>Late</title></item></channel>")
        )
        code, out, err = _run("brand", "ingest", *feeds, "-w", ws, "--json")
        assert code == 0, err
        assert (json.loads(out)["new"], json.loads(out)["imported"]) == (1, 1)  # only the new item
        for bad, msg in (("bad.xml", "malformed XML"), ("page.html", "not an RSS or Atom feed")):
            code, _, err = _run("brand", "ingest", "--feed", f"{base}/{bad}", "-w", ws)
            assert code == 1 and msg in err, err
    finally:
        srv.shutdown()
    with Workspace(ws) as w:
        assert len(w.read("mentions")) == 4 and len(w.read("brand_feed_items")) == 4
    code, _, err = _run("brand", "ingest", "-w", tmp_path / "none.duckdb")
    assert code == 1 and "No feeds" in err


def test_graph_on_synthetic_mentions(tmp_path):
    from aima.data.synth import generate_shop

    ws = tmp_path / "g.duckdb"
    with Workspace(ws) as w:
        generate_shop(40, seed=3, tables=["mentions"], weeks=30, mentions_per_day=6, n_campaigns=4).to_workspace(
            w, truth=False
        )
    assert _run("brand", "analyse", "-w", ws, "--model", "keywords")[0] == 0
    code, out, err = _run("brand", "graph", "-w", ws, "--json", "--permutations", "49", "--export", tmp_path / "g.json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["own"] == "Northwind" and rep["intent_source"] == "mentions"
    assert {r["competitor"] for r in rep["competitors"]} <= {"Contoso", "Fabrikam"} and rep["competitors"]
    assert all(-1 <= r["r"] <= 1 and 0 < r["p"] <= 1 for r in rep["competitors"])
    assert {e["source"] for e in rep["top_edges"]["scored_on"]} <= {"Northwind", "Contoso", "Fabrikam"}
    links = json.loads((tmp_path / "g.json").read_text())
    assert len(links["nodes"]) == rep["graph"]["nodes"] and len(links["links"]) == rep["graph"]["edges"]
    code, _, err = _run("brand", "flags", "-w", tmp_path / "empty.duckdb")
    assert code == 1 and "no mentions" in err

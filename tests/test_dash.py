"""Dashboards without a browser: the pages' data states, search, filters, exports and the import flow on a small
synthetic shop, and a real Voilà server rendering every page on 127.0.0.1 (the browser tests are in test_browser.py)."""

import base64
import re
import subprocess
import sys
import urllib.request

import pandas as pd
import pytest

from aima.core import Workspace
from aima.dash import PAGES, home_html, page, voila_server, workspace_overview
from conftest import ROOT, local_http_server

HOLD = (
    "import sys, time\nfrom aima.core import Workspace\nw = Workspace(sys.argv[1])\n"
    "print('ready', flush=True)\ntime.sleep(120)\n"
)


@pytest.fixture
def shop(tmp_path):
    path = tmp_path / "shop.duckdb"
    with Workspace(path) as ws:
        ws.write(
            "orders",
            pd.DataFrame(
                {"order_id": ["a", "b"], "customer_id": ["x", "y"], "amount": [12.5, 7.5], "is_return": [False, False]}
            ),
        )
        ws.write("customers", pd.DataFrame({"customer_id": ["x", "y"]}))
        iid = ws.record_import("march.csv", tables=["orders"], rows=3, imported=2, quarantined=1)
        ws.quarantine(
            pd.DataFrame(
                [
                    {
                        "import_id": iid,
                        "source": "march.csv",
                        "row_number": 4,
                        "column": "Order Date",
                        "reason": "Order Date 'soon' is not a date",
                        "raw": {"Order Date": "soon"},
                    }
                ]
            )
        )
    return path


def test_overview_states(tmp_path, shop):
    assert workspace_overview(tmp_path / "none.duckdb")["state"] == "missing"
    ov = workspace_overview(shop)
    assert ov["state"] == "ok" and ov["headline"] == {"customers": 2, "orders": 2, "revenue": 20.0, "quarantined": 1}
    assert ov["quarantine"][0]["reason"] == "Order Date 'soon' is not a date"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(shop)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = workspace_overview(shop)
        assert busy["state"] == "busy" and "Refresh" in busy["message"]
        assert "Traceback" not in home_html(busy)
    finally:
        holder.kill()
        holder.wait()


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    "A 300-customer synthetic shop with features, RFM, CLV, churn and recommended actions."
    from aima.customers.features import build_features
    from aima.customers.rfm import build_rfm
    from aima.data.synth import generate_shop
    from aima.retention.churn import score_churn
    from aima.retention.clv import score_clv
    from aima.retention.uplift import recommend_actions

    path = tmp_path_factory.mktemp("dash") / "shop.duckdb"
    with Workspace(path) as ws:
        generate_shop(300, seed=1, tables=["customers", "orders", "order_items", "events"]).to_workspace(
            ws, truth=False
        )
        for step in (build_features, build_rfm, score_clv, score_churn, recommend_actions):
            step(ws)
    return str(path)


def _body(p):
    "The page body widget (or the message that replaced it)."
    return p.children[2].children[0]


def _all_html(w) -> str:
    "Every HTML string in a widget tree (what the page shows as text)."
    out = [getattr(w, "value", "")] if isinstance(getattr(w, "value", None), str) else []
    for c in getattr(w, "children", ()):
        out.append(_all_html(c))
    return "\n".join(out)


def test_pages_say_what_to_run(tmp_path, shop):
    missing = tmp_path / "none.duckdb"
    for slug in PAGES:
        if slug != "import":
            assert "make demo" in _all_html(page(slug, missing)), slug
    texts = {slug: _all_html(page(slug, shop)) for slug in PAGES}
    assert "aima rfm" in texts["segments"] and "aima churn fit-score" in texts["retention"]
    assert "aima features" in texts["customers"] and "x" in texts["customers"]  # the table still lists the customers
    for slug, text in texts.items():
        assert "Traceback" not in text and "aima-message'><b>That did not work" not in text, slug


def test_pages_never_show_credentials():
    secret = "postgres://ana:s3cr3t@127.0.0.1:1/shop?sslpassword=hunter2"
    for slug in PAGES:
        p = page(slug, secret)
        text = _all_html(p)
        assert "s3cr3t" not in text and "hunter2" not in text and "Traceback" not in text, slug
        assert "ana:***@127.0.0.1" in text, slug


def test_customers_page_search_sort_profile(results):
    from aima.dash.customers import customer_query
    from aima.dash.kit import read_workspace

    with read_workspace(results) as ws:
        n_lost = customer_query(ws, segment="Lost").count().execute()
    body = _body(page("customers", results))
    search, segment = body.children[1].children
    table_html = body.children[2].children[1]
    assert "of 300" in body.children[2].children[2].children[1].value
    segment.value = "Lost"
    assert f"of {n_lost} " in body.children[2].children[2].children[1].value and "Lost" in table_html.value
    segment.value = ""
    search.value = "C007"
    assert "1-1 of 1 " in body.children[2].children[2].children[1].value and "C007" in table_html.value
    pick = body.children[5].children[0]
    pick.value = "C007"
    assert "Every feature" in body.children[6].value and "C007" in body.children[6].value
    assert "<svg" in body.children[6].value  # the survival curve
    typed, open_btn = body.children[5].children[1:]
    typed.value = "nobody"
    open_btn.click()
    assert "No customer &#x27;nobody&#x27;" in body.children[6].value and "Traceback" not in body.children[6].value


def test_paged_table_pages_in_the_engine(results):
    from aima.dash.kit import PagedTable, ibis_fetch
    from aima.dash.customers import customer_query

    t = PagedTable(
        ibis_fetch(lambda ws: customer_query(ws), results),
        {"customer_id": "Customer", "clv": "CLV"},
        sort="clv",
        page_size=20,
    )
    t.refresh()
    first = t.df
    t.move(1)
    assert (t.total, len(first), len(t.df)) == (300, 20, 20)
    assert first.clv.min() >= t.df.clv.max() and not set(first.customer_id) & set(t.df.customer_id)
    t.move(100)
    assert t.offset == 280 and t.next.disabled


def test_segments_page_and_export(results):
    from aima.dash.kit import read_workspace
    from aima.dash.segments import segment_summary

    with read_workspace(results) as ws:
        seg = segment_summary(ws).set_index("segment")
    assert seg.customers.sum() == 300 and abs(seg.share.sum() - 1) < 1e-9
    body = _body(page("segments", results))
    pick, export = body.children[4].children
    pick.value = "Lost"
    assert "Who they are." in body.children[5].value and "Lost" in body.children[5].value
    export.click()
    link = body.children[6].value
    assert "segment_lost.csv" in link
    rows = pd.read_csv(pd.io.common.StringIO(base64.b64decode(re.search(r"base64,([^']+)", link).group(1)).decode()))
    assert len(rows) == seg.customers["Lost"] and set(rows.segment) == {"Lost"}


@pytest.fixture(scope="module")
def learned(results, tmp_path_factory):
    "The results shop copied, with three monthly segmentation runs on features and a drift check."
    import shutil

    from aima.customers.drift import write_drift_alerts
    from aima.customers.personas import fit_segments

    path = tmp_path_factory.mktemp("learned") / "shop.duckdb"
    shutil.copy(results, path)
    with Workspace(path) as ws:
        cut = ws.read("orders").ordered_at.max()
        for d in (60, 30, 0):
            fit_segments(ws, "features", "kmeans", k=4, n_seeds=2, as_of=str((cut - pd.Timedelta(days=d)).date()))
        write_drift_alerts(ws)
        last = ws.read("segments").sort_values("written_at").run_id.iloc[-1]
        names = ws.read("segments").query("run_id == @last").set_index("name")
    return {"path": str(path), "run_id": last, "segments": names}


def test_segments_page_reads_learned_segments(learned, results):
    from aima.dash.kit import escape, read_workspace
    from aima.dash.segments import learned_segments, segment_customers, segment_summary

    with read_workspace(learned["path"]) as ws:
        seg = segment_summary(ws, "learned").set_index("segment")
        L = learned_segments(ws)
        first = seg.index[0]
        rows = segment_customers(ws, first, "learned")
    names = learned["segments"]
    assert L["run"]["run_id"] == learned["run_id"] and sorted(seg.index) == sorted(names.index)
    assert seg.customers.to_dict() == names["size"].to_dict()  # sizes as the run recorded them
    assert seg.persona.to_dict() == names.description.to_dict() and seg.risk.to_dict() == names.risk.to_dict()
    assert len(rows) == seg.customers[first] and len(L["map"]) == 300 and L["transitions"] is not None
    text = _all_html(page("segments", learned["path"]))
    for s in (
        "segments learned by kmeans on features",
        "Customer map (features)",
        "Health score per segment across runs",
        "Moves since the previous run",
        escape(names.strategy[first]),
    ):
        assert s in text, s
    assert "No learned segments yet" not in text
    plain = _all_html(page("segments", results))  # no learned run: the RFM segments, and a note saying what to run
    assert "No learned segments yet" in plain and "aima segments fit" in plain and "Champions" in plain


def test_retention_page_filters_and_totals(results):
    from aima.dash.kit import read_workspace
    from aima.dash.retention import risk_table

    with read_workspace(results) as ws:
        rt = risk_table(ws).to_pandas()
        high = risk_table(ws, 0.9).to_pandas()
    assert set(rt.columns) >= {
        "p_churn_30",
        "p_churn_60",
        "p_churn_90",
        "clv",
        "value_at_risk",
        "action",
        "expected_profit",
    }
    assert (rt.p_churn_90 >= 0.5).all() and (rt.status == "active").all() and len(high) < len(rt)
    body = _body(page("retention", results))
    text = _all_html(body)
    for s in ("Customers scored", "CLV at risk", "Already lapsed"):
        assert s in text, s
    filters, totals = body.children[-5], body.children[-4]
    assert f"<b>{len(rt):,}</b> customers" in totals.value
    filters.children[0].value = 0.9
    assert f"<b>{len(high):,}</b> customers" in totals.value
    action = filters.children[2].options[1][1]
    filters.children[2].value = action
    assert f"<b>{int((high.action == action).sum()):,}</b> customers" in totals.value


def test_pages_show_the_workspace_as_written_not_as_cached(tmp_path, shop, monkeypatch):
    """Pages keep their numbers per workspace version: a write shows at once, and a preheated kernel's prefetch is what
    the page shows."""
    from aima.dash import _prefetch, home_page
    from aima.dash.kit import _CACHE, clear_cache

    clear_cache()
    assert "<div class='v'>2</div><div class='k'>Customers</div>" in _all_html(page("home", shop))
    assert "of 2 " in _all_html(page("customers", shop))
    with Workspace(shop) as ws:
        ws.write("customers", pd.DataFrame({"customer_id": ["x", "y", "z"]}))
    assert "<div class='v'>3</div><div class='k'>Customers</div>" in _all_html(page("home", shop))
    assert "of 3 " in _all_html(page("customers", shop))
    clear_cache()
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    _prefetch(home_page, shop)
    assert [k[1][0] for k in _CACHE] == ["workspace_overview"]
    assert _CACHE[next(iter(_CACHE))][1]["headline"]["customers"] == 3


@pytest.mark.parametrize("slug", ["home", "customers", "segments", "retention", "segments-learned"])
def test_prefetch_computes_what_the_page_reads(results, request, monkeypatch, slug):
    "A preheated kernel's prefetch fills the cache with everything the page then reads (no key added at the request)."
    from aima.dash import _prefetch
    from aima.manifest import resolve as _resolve
    from aima.dash.kit import _CACHE, clear_cache

    if slug == "segments-learned":  # the Segments page on a workspace with learned segments
        slug, results = "segments", request.getfixturevalue("learned")["path"]
    clear_cache()
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    _prefetch(_resolve(PAGES[slug]["build"]), results)
    monkeypatch.delenv("VOILA_PREHEAT")
    before = set(_CACHE)
    assert before
    text = _all_html(page(slug, results))
    assert set(_CACHE) == before and "That did not work" not in text


def test_import_page_flow(tmp_path):
    from aima.dash.imports import dry_run, fetch_link, run_import

    csv = tmp_path / "march.csv"
    csv.write_text(
        "Order No,Customer Email,Order Date,Grand Total\nA1,ann@example.com,2024-01-05,12.50\n"
        "A2,bob@example.com,2024-01-06,7.00\nA3,cat@example.com,soon,3.00\n"
    )
    d = dry_run(csv)
    assert (d["imported"], d["quarantined"], list(d["quarantine_rows"].column)) == (2, 1, ["Order Date"])
    with pytest.raises(ValueError, match="Fix a column"):
        dry_run(csv, {"Grand Total": None})
    ws = tmp_path / "w.duckdb"
    out = run_import(ws, csv)
    assert out["imported"] == 2 and "soon" in out["quarantine_rows"].reason.iloc[0]
    assert "already imported" in run_import(ws, csv)["skipped"]
    with local_http_server(tmp_path) as base:  # a pasted link (Google Sheet links become CSV export links)
        got = fetch_link(f"{base}/march.csv", tmp_path / "uploads")
        assert got.read_bytes() == csv.read_bytes() and dry_run(got)["imported"] == 2
        (tmp_path / "page.html").write_text("<!DOCTYPE html><html>sign in</html>")
        with pytest.raises(ValueError, match="web page, not data"):
            fetch_link(f"{base}/page.html", tmp_path / "uploads")
        with pytest.raises(ValueError, match="Could not download"):
            fetch_link(f"{base}/nothing.csv", tmp_path / "uploads")


def _cells(html: str) -> str:
    "The rendered cells of a Voilà page as text (what a failing assertion should show, not the page template)."
    body = html[html.find('id="rendered_cells"') :]
    return re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<[^>]+>", " ", body, flags=re.S))[:2000]


def test_voila_serves_every_page_without_errors(shop, tmp_path):
    log = tmp_path / "voila.log"
    with voila_server(shop, ROOT / "dashboards", log_file=log) as base:
        for slug, spec in PAGES.items():
            html = urllib.request.urlopen(f"{base}/voila/render/{spec['notebook']}", timeout=120).read().decode()
            if "application/vnd.jupyter.widget-view+json" not in html:  # the page widget was not rendered: say why
                pytest.fail(f"{slug}: no widget. Cells: {_cells(html)}\nVoilà log:\n{log.read_text()[-4000:]}")
            assert "Traceback" not in html and "from aima.dash" not in html, slug  # no errors, no source cells
        for path in ("/voila/files/home.ipynb", "/voila/render/../tests/conftest.py"):
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(base + path, timeout=30)


def test_pages_and_recommendations_read_the_same_churn_model(tmp_path):
    "One latest-run rule: the latest as_of, then the model written last (not the alphabetically first one)."
    from aima.dash.kit import latest, read_workspace
    from aima.data.schema import write_result
    from aima.retention.uplift import recommend_actions

    day, ids = pd.Timestamp("2024-06-01"), ["a", "b", "c"]
    with Workspace(tmp_path / "w.duckdb") as ws:
        for model, p in (("cox", [0.1, 0.2, 0.3]), ("weibull", [0.9, 0.8, 0.7])):  # weibull is scored last
            write_result(
                ws,
                "churn_predictions",
                pd.DataFrame(
                    {
                        "customer_id": ids,
                        "as_of": day,
                        "model": model,
                        "status": "active",
                        "p_churn_90": p,
                        "model_run_id": model,
                    }
                ),
                mode="upsert",
            )
        recommend_actions(ws, as_of=day)
        actions = ws.read("retention_actions").set_index("customer_id").p_churn_90d.sort_index()
    with read_workspace(tmp_path / "w.duckdb") as ws:
        shown = latest(ws, "churn_predictions").to_pandas().set_index("customer_id").sort_index()
    assert shown.model.unique().tolist() == ["weibull"]
    assert actions.tolist() == shown.p_churn_90.tolist() == [0.9, 0.8, 0.7]

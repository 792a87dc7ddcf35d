"""The Attribution dashboard page in a real browser (Voilà + chromium, as tests/test_browser.py): every section on a
workspace with an MMM fit, MTA credits and a reconciliation; a what-if slider moves the expected response and the
method picker redraws the reconciliation; no Python error, no failed request."""

from pathlib import Path

import pytest

from aima.dash import CHROMIUM, CHROMIUM_ARGS, voila_server
from conftest import ROOT
from test_browser import ARTIFACTS, Page, sync_playwright

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -e '.[dev]')"),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no chromium at {CHROMIUM}: run `make browser-deps` (apt-get install chromium) or set AIMA_CHROMIUM",
    ),
]


@pytest.fixture(scope="module")
def attribution_ws(tmp_path_factory):
    "52 synthetic weeks of spend and KPIs with journeys: MMM (fast, 100 draws), MTA and reconciliation."
    from aima.attribution.mmm_cli import fit_mmm
    from aima.attribution.mta import score_mta
    from aima.attribution.reconcile import reconcile_workspace, simulate_unified
    from aima.core import Workspace

    w = simulate_unified(2, weeks=52)
    path = tmp_path_factory.mktemp("attr") / "attr.duckdb"
    with Workspace(path) as ws:
        ws.write("spend", w["spend"].drop(columns="extra"))
        ws.write("kpis", w["kpis"].drop(columns="extra"))
        ws.config.attribution.draws = 100
        fit_mmm(ws)
        score_mta(ws, w["paths"], ["last", "linear", "markov_1"])
        reconcile_workspace(ws)
    return path


def test_attribution_page(attribution_ws):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with (
        voila_server(attribution_ws, ROOT / "dashboards", log_file=ARTIFACTS / "voila_attribution.log") as base,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        p = Page(browser, base, "attribution")
        try:
            text = p.text()
            for s in (
                "Media contribution",
                "ROAS with 90% intervals",
                "Media contributions over time",
                "Response curves",
                "Budget what-if",
                "Multi-touch credits by method",
                "Reconciliation of markov_1 with the MMM",
                "MTA vs MMM, before",
            ):
                assert s in text, f"{s!r} not on the attribution page"
            assert p.pg.locator(".aima-chart svg").count() == 5
            before = p.pg.inner_text(".aima-whatif")
            handle = p.pg.locator(".aima-whatif-tv .noUi-handle")
            handle.focus()
            handle.press("End")  # the slider to its maximum: twice the current TV spend
            p.pg.wait_for_function(
                "(b) => document.querySelector('.aima-whatif').innerText != b", arg=before, timeout=60_000
            )
            p.pg.locator(".aima-reconcile-method select").select_option("last")
            p.pg.wait_for_function(
                "() => document.querySelector('.aima-chart-reconcile').innerText.includes('Reconciliation of last')",
                timeout=60_000,
            )
            p.check()
            p.shot("attribution")
        finally:
            p.close()
            browser.close()


def test_attribution_page_empty(tmp_path):
    "Without results the page names the commands to run (in-process: no browser needed for a message)."
    from aima.core import Workspace
    from aima.dash import page

    with Workspace(tmp_path / "w.duckdb"):
        pass
    html = page("attribution", str(tmp_path / "w.duckdb")).children[2].children[0].value
    assert "aima mmm fit --workspace" in html and "aima mta --workspace" in html

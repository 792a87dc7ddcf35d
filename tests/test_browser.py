"""Dashboards in a real browser: Voilà serves `dashboards/` on a demo workspace, Debian's chromium (driven by
playwright)
opens every page, finds no Python error, traceback or failed request (CDN fonts aside), searches a customer, opens a
profile, filters the at-risk table, exports a segment and imports a small CSV; a screenshot of every page goes to
test-artifacts/. Runs in `make test` (the Makefile's `browser-deps` installs chromium); skips with the reason when
chromium or playwright is missing."""

import csv
import os
import re
from pathlib import Path

import pytest

from aima.dash import CHROMIUM, CHROMIUM_ARGS, PAGE_READY_JS, PAGES, voila_server
from conftest import ROOT

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -e '.[dev]')"),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason=f"no chromium at {CHROMIUM}: run `make browser-deps` (apt-get install chromium) or set AIMA_CHROMIUM",
    ),
]
ARTIFACTS = Path(os.environ.get("AIMA_TEST_ARTIFACTS", ROOT / "test-artifacts"))
FONTS_CDN = re.compile(r"fontawesome|fonts\.googleapis\.com|fonts\.gstatic\.com")
PYTHON_ERROR = re.compile(r"Traceback|\b[A-Z]\w*(Error|Exception)\b:")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    "The demo workspace (`make demo`'s build) with recommended actions."
    from aima.core import Workspace
    from aima.app.demo import build_demo

    path = tmp_path_factory.mktemp("dash") / "demo.duckdb"
    out = build_demo(path)
    with Workspace(path) as ws:
        if "retention_actions" not in out["tables"]:
            from aima.retention.uplift import recommend_actions

            recommend_actions(ws)
        champion = ws.table("rfm").filter(lambda t: t.segment == "Champions").order_by("customer_id").to_pandas()
    return {"path": path, "champions": champion.customer_id.tolist()}


@pytest.fixture(scope="module")
def server(demo):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with voila_server(demo["path"], ROOT / "dashboards", log_file=ARTIFACTS / "voila.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    "One dashboard page in the browser, with the failed requests and errors it produced."

    def __init__(self, browser, base, slug):
        self.slug, self.failed, self.errors = slug, [], []
        self.ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        self.pg = self.ctx.new_page()
        self.pg.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.pg.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.pg.on("pageerror", lambda e: self.errors.append(str(e)))
        self.pg.on(
            "console",
            lambda m: (
                m.type == "error" and "Failed to load resource" not in m.text and self.errors.append(m.text[:300])
            ),
        )
        # the first request waits for Voilà's preheated kernels, which start together: on busy cores that can take 30 s
        self.pg.goto(f"{base}/voila/render/{PAGES[slug]['notebook']}", timeout=120_000)
        self.pg.wait_for_function(PAGE_READY_JS, timeout=120_000)

    def text(self) -> str:
        return self.pg.inner_text(".aima-page")

    def check(self):
        "No Python error, no traceback, no error box, no stderr output, no failed request except CDN fonts."
        text = self.pg.inner_text("body")
        assert not PYTHON_ERROR.search(text), PYTHON_ERROR.search(text).group(0) + " in " + text[:3000]
        assert self.pg.locator(".aima-message.error").count() == 0, self.pg.inner_text(".aima-message.error")
        assert self.pg.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0, (
            "stderr output on the page"
        )
        bad = [f for f in self.failed if not FONTS_CDN.search(f)]
        assert not bad, bad
        assert "javascript error" not in text and not self.errors, self.errors  # every widget rendered

    def shot(self, name: str):
        h = self.pg.evaluate("Math.ceil(document.querySelector('.aima-page').getBoundingClientRect().bottom)")
        self.pg.evaluate("document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
        h = self.pg.evaluate("Math.ceil(document.querySelector('.aima-page').getBoundingClientRect().bottom)")
        self.pg.set_viewport_size({"width": 1280, "height": int(min(max(h + 40, 900), 8000))})
        self.pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        self.pg.set_viewport_size({"width": 1280, "height": 900})

    def close(self):
        self.ctx.close()


@pytest.fixture
def open_page(server, browser):
    pages = []

    def open_(slug):
        pages.append(Page(browser, server, slug))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


EXPECT = {
    "home": ["Headline", "Customers per segment", "Workspace health", "Last imports", "online_retail"],
    "import": ["Choose your data", "Upload a file", "Check what AIMA understood"],
    "customers": ["Health score distribution", "Customer profile", "of 1,000"],
    "segments": ["Champions", "Who they are.", "What to do.", "Segment map", "No learned segments yet"],
    "agent": ["Write a goal with a budget and a horizon", "No plans yet."],
    "brand": [  # the demo: mentions, no scores
        "Mentions",
        "Brand dimensions",
        "Most negative mentions",
        "aima brand analyse",
        "Competitor comparison",
        "Sources and influencers",
        "Flagged bots and fake reviews",
    ],
    "retention": [
        "Customers scored",
        "Churn risk distribution",
        "Survival curves by segment",
        "Lifetime value by segment",
        "At-risk customers and what to do",
        "Recommended action",
    ],
    "content": ["The brief", "Variants, best first", "Not a prediction", "No brand voice yet", "aima content voice"],
    "campaigns": [
        "Pre-launch prediction",
        "Campaign history: actual against predicted",
        "Measured lift",
        "aima campaigns",
    ],
}


@pytest.mark.parametrize("slug", list(EXPECT))
def test_page_renders(open_page, slug):
    p = open_page(slug)
    text = p.text()
    for s in EXPECT[slug]:
        assert s in text, f"{s!r} not on the {slug} page"
    nav = p.pg.locator("nav.aima-nav a")
    assert nav.count() == len(PAGES) and p.pg.locator(f"nav.aima-nav a.aima-nav-{slug}.active").count() == 1
    assert "from aima" not in p.pg.content()  # no source cells served
    p.check()
    p.shot(slug)


def test_customers_search_and_profile(open_page, demo):
    p = open_page("customers")
    cid = demo["champions"][0]
    p.pg.fill(".aima-search input", cid)
    p.pg.locator(".aima-search input").press("Enter")
    p.pg.wait_for_function(
        """(cid) => { const t = document.querySelector('.aima-table-customers .aima-pageinfo');
                    const rows = document.querySelector('.aima-table-customers table');
                    return t && t.innerText.includes('of 1 ') && rows.innerText.includes(cid); }""",
        arg=cid,
        timeout=60_000,
    )
    p.pg.locator(".aima-profile-pick select").select_option(cid)
    p.pg.wait_for_selector(".aima-profile", timeout=60_000)
    prof = p.pg.inner_text(".aima-profile")
    for s in (
        cid,
        "Champions",
        "Every feature",
        "health_score",
        "Timeline",
        "CLV, 12 months",
        "P(churn 90d)",
        "Recommended action",
    ):
        assert s in prof, s
    p.pg.wait_for_selector(".aima-profile-chart svg", timeout=60_000)
    p.check()
    p.shot("customers_profile")


def test_retention_filter_and_export(open_page, tmp_path):
    p = open_page("retention")
    totals = p.pg.inner_text(".aima-risk-totals")
    shown_label = p.pg.locator(".aima-risk-action select option").nth(1).inner_text()
    p.pg.locator(".aima-risk-action select").select_option(label=shown_label)
    label = shown_label.replace("\xa0", " ")  # e.g. 'win back offer' (ipywidgets shows non-breaking spaces)
    p.pg.wait_for_function(
        "(before) => document.querySelector('.aima-risk-totals').innerText != before", arg=totals, timeout=60_000
    )
    rows = p.pg.locator(".aima-table-risk tbody tr")
    assert rows.count() > 0
    shown = p.pg.inner_text(".aima-table-risk tbody")
    assert label in shown
    p.pg.click(".aima-export-risk")
    link = p.pg.wait_for_selector("a.aima-download", timeout=60_000)
    with p.pg.expect_download() as dl:
        link.click()
    path = tmp_path / "at_risk.csv"
    dl.value.save_as(path)
    got = list(csv.DictReader(path.open()))
    assert got and {r["action"] for r in got} == {label.replace(" ", "_")}
    n = int(re.search(r"([\d,]+) customers", p.pg.inner_text(".aima-risk-totals")).group(1).replace(",", ""))
    assert len(got) == n
    p.check()
    p.shot("retention_filtered")


def test_segment_export(open_page, demo, tmp_path):
    p = open_page("segments")
    p.pg.locator(".aima-segment-pick select").select_option("Champions")
    p.pg.wait_for_function("() => document.querySelector('.aima-segment h3').innerText == 'Champions'", timeout=60_000)
    p.pg.click(".aima-export")
    link = p.pg.wait_for_selector("a.aima-download", timeout=60_000)
    with p.pg.expect_download() as dl:
        link.click()
    assert dl.value.suggested_filename == "segment_champions.csv"
    path = tmp_path / "champions.csv"
    dl.value.save_as(path)
    got = list(csv.DictReader(path.open()))
    assert sorted(r["customer_id"] for r in got) == sorted(demo["champions"])
    assert {r["segment"] for r in got} == {"Champions"}
    p.check()


def test_agent_plan_and_approve(open_page):  # writes agent_plans only (no page but Agent reads it)
    p = open_page("agent")
    p.pg.fill(".aima-agent-goal input", "grow revenue 5% in 84 days with £5k")
    p.pg.click(".aima-agent-plan")
    p.pg.wait_for_selector(".aima-plan h3, .aima-message.error", timeout=240_000)  # the plan, or why not
    text = p.text()
    assert "Predicted gain" in text and "Reasoning" in text and "grow revenue 5% in 84 days" in text, text
    p.check()
    p.shot("agent_plan")


def test_import_small_csv(open_page, tmp_path):  # last: it writes to the workspace
    src = tmp_path / "march_orders.csv"
    src.write_text(
        "Order No,Customer Email,Order Date,Grand Total,Notes\nM1,ann@example.com,2011-12-05,12.50,web\n"
        "M2,bob@example.com,2011-12-06,7.00,store\nM3,cat@example.com,soon,3.00,web\nM4,dan@example.com,2011-12-07,abc,web\n"
    )
    p = open_page("import")
    with p.pg.expect_file_chooser() as chooser:  # the upload button opens the browser's file dialog
        p.pg.click(".aima-upload")
    chooser.value.set_files(str(src))
    p.pg.wait_for_function(
        """() => document.body.innerText.includes('Would import 2 rows')
                              && document.body.innerText.includes('Detected mapping')
                              && (document.querySelector('.aima-quarantine') || {innerText:
                              ''}).innerText.includes('soon')""",
        timeout=60_000,
    )
    assert "Order No" in p.pg.inner_text("body")
    p.pg.locator(".aima-fix-column select").select_option("Notes")
    channel = p.pg.locator(".aima-fix-field select option", has_text=re.compile(r"^channel")).first.inner_text()
    p.pg.locator(".aima-fix-field select").select_option(label=channel)
    p.pg.click(".aima-apply-mapping")
    p.pg.wait_for_function("() => document.body.innerText.includes('set by you')", timeout=60_000)
    p.shot("import_preview")
    p.pg.click(".aima-import")
    p.pg.wait_for_function("() => document.body.innerText.includes('Imported 2 rows')", timeout=60_000)
    q = p.pg.inner_text(".aima-quarantine")
    assert "soon" in q and "abc" in q and "Order Date" in q and "Grand Total" in q
    p.check()
    p.shot("import_done")
    home = open_page("home")
    assert "march_orders.csv" in home.text() and "in quarantine" in home.text()
    home.check()


def test_content_generate_edit_export(open_page, tmp_path):  # after the import test: saving writes content_variants
    p = open_page("content")
    p.pg.locator(".aima-content-type select").select_option(label="SMS")
    champions = p.pg.locator(".aima-content-segment select option", has_text="Champions").first.inner_text()
    p.pg.locator(".aima-content-segment select").select_option(label=champions)
    p.pg.click(".aima-content-generate")
    p.pg.wait_for_function(
        "() => document.querySelector('.aima-ranked').innerText.includes('Reply STOP')", timeout=60_000
    )
    mine = "Champions: your favourites are back this week. Reply STOP to opt out"
    p.pg.fill(".aima-content-field-text textarea", mine)
    p.pg.click(".aima-content-rescore")
    p.pg.wait_for_function(
        "(t) => document.querySelector('.aima-ranked').innerText.includes(t) && document.body.innerText.includes("
        "'Re-scored')",
        arg=mine,
        timeout=60_000,
    )
    assert "heuristic" in p.pg.inner_text(".aima-ranked")
    p.pg.click(".aima-content-csv")
    link = p.pg.wait_for_selector("a.aima-download", timeout=60_000)
    with p.pg.expect_download() as dl:
        link.click()
    path = tmp_path / "content.csv"
    dl.value.save_as(path)
    got = list(csv.DictReader(path.open()))
    assert len(got) == 3 and mine in {r["text"] for r in got} and {r["content_type"] for r in got} == {"sms"}
    p.pg.click(".aima-content-save")
    p.pg.wait_for_function("() => document.body.innerText.includes('Saved 3 rows')", timeout=60_000)
    p.check()
    p.shot("content_edited")

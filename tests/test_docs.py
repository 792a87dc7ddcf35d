"""The docs site (`make docs` / `aima docs build`): built from every notebook, then checked page by page.

The notebooks run once per `make test`: its nbtest step builds the site and fills the notebook cache
(`_proc/_nbcache`), and the `site` fixture here builds again from that cache (with the same flags,
`NBDEV_FLAGS`), so only mkdocs runs. Run alone on a fresh checkout, the fixture executes them."""

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
# The sidebar groups, by a notebook's folder (nbs/<NN>_<block>/, DESIGN.md's module blocks).
BLOCKS = {
    "core": "Core",
    "data": "Data",
    "connectors": "Connectors",
    "customers": "Customers",
    "campaigns": "Campaigns",
    "content": "Content",
    "brand": "Brand",
    "attribution": "Attribution",
    "retention": "CLV & churn",
    "agent": "Agent",
    "app": "CLI & app",
    "dash": "Dashboards",
    "workbench": "Workbench",
    "tutorials": "Tutorials",
}
NUMBER = re.compile(r"^\d+[a-zA-Z0-9]*_")


def library_notebooks() -> list[Path]:
    "Every *.ipynb under nbs/ whose name and folders do not start with `_` or `.` (nbdev's rule), relative to nbs/."
    return sorted(
        p.relative_to(NBS)
        for p in NBS.rglob("*.ipynb")
        if not any(part.startswith(("_", ".")) for part in p.relative_to(NBS).parts)
    )


def expected_html(rel: Path) -> Path:
    "nbdev's page name: numeric prefixes of the folders and the file dropped, lower case."
    return Path(*[NUMBER.sub("", part.lower()) for part in rel.parts]).with_suffix(".html")


def first_title(rel: Path) -> str:
    for cell in json.loads((NBS / rel).read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^#\s+(\S.*?)\s*$", "".join(cell["source"]), re.MULTILINE)
            if m:
                return m.group(1)
    return rel.stem


class Page(HTMLParser):
    "Links, scripts, stylesheets, ids and the text of output areas of one HTML page."

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.urls, self.scripts, self.styles, self.ids = [], [], [], set()
        self.text, self.outputs, self.nav_sections, self.codes = [], [], [], []
        self._out_depth = self._in_output = 0
        self._in_section_label = False
        self._in_code = 0
        self._stack = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key) is not None:
                self.urls.append((tag, a[key]))
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.styles.append(a.get("href", ""))
        if a.get("id"):
            self.ids.add(a["id"])
        if tag in ("br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area", "base", "embed"):
            return
        classes = (a.get("class") or "").split()
        is_output = "jp-OutputArea-output" in classes and a.get("data-mime-type") != "text/markdown"
        if "clipboard-copy-txt" in classes:  # mkdocs-jupyter keeps each shown code cell's source here
            self.codes.append([])
            self._in_code = len(self._stack) + 1
        self._stack.append(is_output)
        if is_output:
            self._in_output += 1
            self.outputs.append([])
        if tag == "label" and re.match(r"^__nav_\d+_label$", a.get("id") or ""):  # a sidebar section (group)
            self._in_section_label = True

    def handle_endtag(self, tag):
        if tag in ("br", "img", "input", "link", "meta", "hr", "source", "wbr", "col", "area", "base", "embed"):
            return
        if self._in_code == len(self._stack):
            self._in_code = 0
        if self._stack and self._stack.pop():
            self._in_output -= 1
        if tag == "label":
            self._in_section_label = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_code:
            self.codes[-1].append(data)
        if self._in_output and self.outputs:
            self.outputs[-1].append(data)
        if self._in_section_label and data.strip():
            self.nav_sections.append(data.strip())

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())

    @property
    def code_cells(self) -> list[str]:
        return ["".join(c) for c in self.codes]

    @property
    def output_texts(self) -> list[str]:
        return [" ".join("".join(o).split()) for o in self.outputs]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from aima.workbench.docs import build_site

    base = tmp_path_factory.mktemp("docs")
    cwd = os.getcwd()
    os.chdir(ROOT)  # nbdev finds settings.ini from the working directory
    try:
        return build_site(base / "site", work_dir=base / "work", flags=os.environ.get("NBDEV_FLAGS", ""), echo=print)
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Page]:
    return {f.relative_to(site).as_posix(): Page(f.read_text(encoding="utf-8")) for f in site.rglob("*.html")}


def test_every_notebook_has_a_page(site, pages):
    nbs = library_notebooks()
    assert nbs, "no notebooks found"
    for rel in nbs:
        html = expected_html(rel).as_posix()
        assert html in pages, f"{rel} has no page {html}"
        assert first_title(rel) in pages[html].all_text, f"{html} does not show the title of {rel}"


def broken_links(site: Path, pages: dict) -> list[str]:
    "Relative href/src in every page that do not resolve to a file of the site (?query and #fragment stripped)."
    broken = []
    for name, page in pages.items():
        here = (site / name).parent
        for tag, url in page.urls:
            if not url or url.startswith(("#", "mailto:", "data:", "javascript:")) or re.match(r"^https?://", url):
                continue
            path = unquote(urlsplit(url).path)
            if path and (
                path.startswith("/") or not (here / path).resolve().is_file() and not (here / path).resolve().is_dir()
            ):
                broken.append(f"{name}: <{tag}> {url}")
    return broken


def test_internal_links_resolve(site, pages):
    broken = broken_links(site, pages)
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:50])


def test_api_docs_and_executed_outputs(pages):
    config = pages["core/config.html"]
    assert "load_config" in config.ids, "no show_doc heading for load_config"
    assert re.search(r"def\s+load_config\s*\(\s*\*\s*files", config.all_text), "load_config's signature is not rendered"
    outs = config.output_texts
    assert any("keyword argument" in o for o in outs), "the executed lesson output of 01_config is missing"
    docs = pages["workbench/docs.html"]
    assert "build_site" in docs.ids and re.search(r"def\s+build_site\s*\(", docs.all_text)
    assert any("Tiny" in o for o in pages["workbench/docs_pages.html"].output_texts), (
        "docs_pages lesson outputs are missing"
    )


def _norm(code: str) -> str:
    return " ".join(code.split())


def test_hidden_and_exported_cells_stay_out(pages):
    "`#| hide` cells vanish and `#| export` cells show as API docs, never as code; no cell shows its directives."
    for rel in library_notebooks():
        page = pages[expected_html(rel).as_posix()]
        shown = {_norm(c) for c in page.code_cells}
        assert not [c for c in page.code_cells if c.lstrip().startswith("#|")], f"{rel}: a cell shows its directives"
        for cell in json.loads((NBS / rel).read_text(encoding="utf-8"))["cells"]:
            lines = "".join(cell["source"]).splitlines()
            if cell["cell_type"] != "code" or not lines:
                continue
            direc = [l for l in lines if re.match(r"^\s*#\|", l)]
            body = _norm("\n".join(l for l in lines if l not in direc))
            if body and any(re.match(r"^\s*#\|\s*(hide|export|exporti|default_exp)\b", l) for l in direc):
                assert body not in shown, f"{rel}: a hidden or exported cell is shown: {body[:80]}"
    for name, page in pages.items():
        assert "{target=" not in page.all_text, f"{name} shows Pandoc link attributes"


def test_sidebar_groups(pages):
    home = pages["index.html"]
    nav = home.all_text
    present = {BLOCKS[NUMBER.sub("", p.parts[0])] for p in library_notebooks() if len(p.parts) > 1}
    assert {"Core", "Data", "Workbench"} <= present
    for group in present:
        assert group in home.nav_sections, f"sidebar group {group!r} missing: {home.nav_sections}"
    for group in set(BLOCKS.values()) - present:
        assert group not in home.nav_sections, f"empty group {group!r} in the sidebar"
    assert "Configuration" in nav


def test_nothing_loads_from_the_web(pages):
    for name, page in pages.items():
        ext = [s for s in page.scripts + page.styles if re.match(r"^(https?:)?//", s)]
        assert not ext, f"{name} loads {ext}"
        assert "fonts.googleapis" not in " ".join(u for _, u in page.urls)


def test_flagged_and_failing_cells(tmp_path):
    from execnb.nbio import mk_cell, new_nb, read_nb, write_nb

    from aima.workbench.docs import DocsBuildError, process_nb

    cells = [
        mk_cell("# Flags\n\n> Which cells run.", "markdown"),
        mk_cell("#| export\ndef half(x: float) -> float:\n    \"Half of `x`.\"\n    return x / 2"),
        mk_cell("print('lesson', half(3))"),
        mk_cell("#| slow\nraise SystemExit('slow cells must not run')"),
        mk_cell("#| eval: false\nraise SystemExit('eval: false cells must not run')"),
    ]
    write_nb(new_nb(cells), tmp_path / "05_flags.ipynb")
    process_nb(tmp_path / "05_flags.ipynb", tmp_path / "out" / "flags.ipynb")
    out = read_nb(tmp_path / "out" / "flags.ipynb")
    text = json.dumps(out)
    assert "lesson 1.5" in text and "### half" in text
    slow = next(c for c in out.cells if "slow cells" in c.source)
    assert slow.outputs == [] and slow.metadata["tags"] == ["slow: not run in the docs"]

    quick = process_nb(tmp_path / "05_flags.ipynb", tmp_path / "out" / "quick.ipynb", execute=False)
    qtext = (tmp_path / "out" / "quick.ipynb").read_text()
    assert quick["title"] == "Flags" and "### half" in qtext and "lesson 1.5" not in qtext

    write_nb(new_nb(cells[:3] + [mk_cell("1 / 0")]), tmp_path / "06_broken.ipynb")
    with pytest.raises(DocsBuildError, match=r"06_broken.ipynb: cell 4 raised ZeroDivisionError") as e:
        process_nb(tmp_path / "06_broken.ipynb", tmp_path / "out" / "broken.ipynb")
    assert "1 / 0" in str(e.value)


def test_refuses_to_wipe_a_project_folder(tmp_path):
    from aima.workbench.docs import DocsBuildError, build_site

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with pytest.raises(DocsBuildError, match="refusing"):
            build_site(ROOT, execute=False)
        (tmp_path / "notes.txt").write_text("keep me")
        with pytest.raises(DocsBuildError, match="not empty"):
            build_site(tmp_path, execute=False)
        assert (tmp_path / "notes.txt").exists()
    finally:
        os.chdir(cwd)


def test_cli_has_docs_build():
    from typer.testing import CliRunner

    from aima.app.cli import app, load_plugins

    load_plugins()
    res = CliRunner().invoke(app, ["docs", "build", "--help"])
    assert res.exit_code == 0, res.output
    assert "--out" in res.output and "--no-execute" in res.output


def test_any_notebook_set(tmp_path):
    """Block folders and tutorials, links between notebooks, images, Quarto cell options, flags, rich outputs, math,
    offline; cached."""
    from execnb.nbio import mk_cell, new_nb, write_nb

    from aima.workbench.docs import build_site

    nbs = tmp_path / "nbs"
    (nbs / "tutorials").mkdir(parents=True)
    (nbs / "90_workbench").mkdir()
    (nbs / "images").mkdir()
    (nbs / "images" / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    (nbs / "_draft.ipynb").write_text("not a notebook: skipped")
    write_nb(
        new_nb(
            [
                mk_cell("# Mini\n\n> Home.", "markdown"),
                mk_cell(
                    "[Tour](tutorials/01_tour.ipynb), [tools](90_workbench/05_tools.ipynb#twice), "
                    "![dot](images/dot.svg)",
                    "markdown",
                ),
            ]
        ),
        nbs / "index.ipynb",
    )
    write_nb(
        new_nb(
            [
                mk_cell("# Tools\n\n> Small tools.", "markdown"),
                mk_cell("#| export\ndef twice(x: int) -> int:\n    \"Two times `x`.\"\n    return 2 * x"),
                mk_cell("#| echo: false\nprint('only the output', twice(2))"),
                mk_cell("#| output: false\nprint('only the code')"),
                mk_cell("#| include: false\nprint('neither')"),
                mk_cell("#| gpu\nraise RuntimeError('gpu cells do not run')"),
                mk_cell("import plotly.express as px\npx.bar(x=['a', 'b'], y=[1, 2])"),
            ]
        ),
        nbs / "90_workbench" / "05_tools.ipynb",
    )
    write_nb(
        new_nb(
            [
                mk_cell("# Tour\n\n> A walk-through.", "markdown"),
                mk_cell(
                    "Back [home](../index.ipynb); ![dot](../images/dot.svg). Euler: $e^{i\\pi} + 1 = 0$.", "markdown"
                ),
                mk_cell("import plotly.express as px\npx.scatter(x=[1, 2], y=[3, 4])"),
            ]
        ),
        nbs / "tutorials" / "01_tour.ipynb",
    )
    cwd, said = os.getcwd(), []
    os.chdir(ROOT)
    try:
        build = lambda out: build_site(
            tmp_path / out,
            nbs_path=nbs,
            work_dir=tmp_path / "work",
            n_workers=1,
            cache=tmp_path / "cache",
            echo=said.append,
        )
        site = build("site")
        assert said[0].startswith(f"docs: 3 notebooks, 0 from the cache ({tmp_path / 'cache'}), 3 to run")
        again = build("again")  # nothing changed: every page from the cache, the same site
        assert said[-1].startswith("docs: 3 pages") and "0 notebooks run" in said[-1] and "3 from the cache" in said[-1]
        assert (again / "tutorials" / "tour.html").read_text() == (site / "tutorials" / "tour.html").read_text()
    finally:
        os.chdir(cwd)
    pages = {f.relative_to(site).as_posix(): Page(f.read_text(encoding="utf-8")) for f in site.rglob("*.html")}
    assert {"index.html", "workbench/tools.html", "tutorials/tour.html"} <= set(pages) and "_draft.html" not in pages
    assert not broken_links(site, pages)
    home, tools, tour = pages["index.html"], pages["workbench/tools.html"], pages["tutorials/tour.html"]
    assert ("a", "tutorials/tour.html") in home.urls and ("a", "workbench/tools.html#twice") in home.urls
    assert ("a", "../index.html") in tour.urls and ("img", "../images/dot.svg") in tour.urls
    assert home.nav_sections == ["Workbench", "Tutorials"]
    assert "twice" in tools.ids and any("only the output 4" in o for o in tools.output_texts)
    codes = " ".join(tools.code_cells)
    assert "only the code" in codes and "only the output" not in codes and "neither" not in tools.all_text
    assert "gpu: not run in the docs" in tools.all_text and "gpu cells do not run" in codes
    assert (site / "assets" / "plotly.min.js").stat().st_size > 1_000_000
    assert "../assets/plotly.min.js" in tour.scripts and "../assets/plotly.min.js" in tools.scripts
    # math: the TeX stays in the page for the bundled MathJax, which the page loads from the site with its fonts
    assert r"$e^{i\pi} + 1 = 0$" in tour.all_text
    assert [s for s in tour.scripts if "MathJax" in s] == [
        "../assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe"
    ]
    assert (site / "assets/mathjax/config/TeX-AMS-MML_HTMLorMML-full.js").is_file()
    assert list((site / "assets/mathjax/fonts/HTML-CSS/STIX-Web/woff").rglob("*.woff"))
    for page in pages.values():
        assert not [s for s in page.scripts + page.styles if re.match(r"^(https?:)?//", s)]


MATH = re.compile(r"\$\$?[^$\s`][^$`]*?(?<=[^\s\\])\$")  # $x$ or $$x$$ in prose (code spans and $VARIABLES aside)


def notebooks_with_math() -> list[Path]:
    "Library notebooks with a formula in a markdown cell (code spans and fenced code removed first)."
    out = []
    for rel in library_notebooks():
        for cell in json.loads((NBS / rel).read_text(encoding="utf-8"))["cells"]:
            prose = (
                re.sub(r"```[\s\S]*?```|`[^`]*`", "", "".join(cell["source"]))
                if cell["cell_type"] == "markdown"
                else ""
            )
            if MATH.search(prose):
                out.append(rel)
                break
    return out


def test_formulas_of_the_notebooks_load_mathjax(site, pages):
    "Every page whose notebook has a formula in its prose loads the site's own MathJax (nothing from the web)."
    with_math = notebooks_with_math()
    assert with_math, "no notebook has a formula"
    for rel in with_math:
        page = pages[expected_html(rel).as_posix()]
        up = "../" * (len(rel.parts) - 1)
        assert f"{up}assets/mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full,Safe" in page.scripts, rel
    assert (site / "assets/mathjax/MathJax.js").is_file()


@pytest.mark.browser
def test_formulas_render_in_a_browser(site):
    """Debian's chromium opens a page with formulas from a local server: MathJax typesets them, every request stays
    local."""
    from conftest import local_http_server

    sync_playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    ).sync_playwright
    from aima.dash import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"no chromium at {CHROMIUM}: run `make browser-deps` (apt-get install chromium) or set AIMA_CHROMIUM"
        )
    rel = notebooks_with_math()[0]
    artifacts = Path(os.environ.get("AIMA_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    with local_http_server(site) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page, requests, failed = browser.new_page(), [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(f"{base}/{expected_html(rel).as_posix()}", wait_until="load")
            page.wait_for_function(
                "() => window.MathJax && MathJax.isReady && MathJax.Hub.queue.pending === 0"
                " && document.querySelectorAll('.MathJax, .MathJax_Display').length > 0",
                timeout=60_000,
            )
            typeset = page.evaluate("() => document.querySelectorAll('.MathJax, .MathJax_Display').length")
            errors = page.evaluate("() => document.querySelectorAll('.MathJax_Error, [data-mjx-error]').length")
            page.screenshot(path=str(artifacts / "docs-math.png"), full_page=False)
        finally:
            browser.close()
    assert typeset > 0 and errors == 0, (typeset, errors)
    assert [u for u in requests if not u.startswith((base, "about:", "data:"))] == [], requests
    # MathJax probes its TeX fonts (not shipped: it falls back to the bundled STIX-Web ones); anything else must load
    assert [u for u in failed if not u.startswith((f"{base}/assets/mathjax/fonts/", "about:"))] == [], failed


def test_readme_links_point_at_the_site(site):
    "README's links to the docs site (settings.ini's doc_host + doc_baseurl) name pages the build writes."
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "settings.ini", encoding="utf-8")
    d = cfg["DEFAULT"]
    base = d["doc_host"].rstrip("/") + d["doc_baseurl"].rstrip("/") + "/"
    user, repo = d["user"], d["repo"]
    assert base == f"https://{user}.github.io/{repo}/", (
        f"doc_host/doc_baseurl {base} is not the GitHub Pages site of {user}/{repo}"
    )
    assert d["git_url"] == f"https://github.com/{user}/{repo}"
    links = re.findall(re.escape(base) + r"([^)\s#\"']*)", (ROOT / "README.md").read_text(encoding="utf-8"))
    assert links, f"README.md has no link to the docs site {base}"
    missing = sorted({l for l in links if not (site / (l or "index.html")).is_file()})
    assert not missing, f"README.md links to pages the site does not have: {missing}"

"""The report in Debian's chromium: Chinese text drawn with a CJK font, every figure loaded,
and printed to A4 PDF with a sensible page count.

Needs /usr/bin/chromium and the Playwright Python package; skipped with the reason otherwise.
Saves results/report.png (first screen) and results/report.pdf.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CJK = re.compile(r"[\u4e00-\u9fff]")

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the Playwright Python package is not installed")

from sim.cli import app  # noqa: E402

SMALL = """extends = "{base}"
[town]
area_km2 = 12.0
residents = 20000
villages = 6
enterprises = 300
[run]
warmup_days = 0
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """The Chinese report of a tiny before/after compare (2 days, 2 replications)."""
    tmp = tmp_path_factory.mktemp("report_browser")
    paths = []
    for name, base in (("before", "xuxiake_pre_reform.toml"), ("after", "xuxiake_1plus4.toml")):
        p = tmp / f"{name}.toml"
        p.write_text(SMALL.format(base=ROOT / "scenarios" / base), encoding="utf-8")
        paths.append(str(p))
    runner = CliRunner()
    r = runner.invoke(app, ["compare", *paths, "--days", "2", "--replications", "2", "--workers", "1",
                            "--out", str(tmp / "cmp")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(tmp / "cmp"), "--lang", "zh"])
    assert r.exit_code == 0, r.output
    return tmp / "cmp" / "report.html"


@pytest.fixture(scope="module")
def browser():
    """One chromium for the module (Playwright's sync API allows one running instance at a time)."""
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, html: Path):
    pg = browser.new_page(viewport={"width": 900, "height": 1270})
    pg.goto(html.as_uri())
    pg.wait_for_load_state("load")
    return pg


@pytest.fixture(scope="module")
def page(browser, report):
    pg = _open(browser, report)
    yield pg
    pg.close()


def _fonts_of(page, selector: str) -> list[dict]:
    """The platform fonts chromium used to draw a node's text (family, glyph count)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cdp.detach()
    return fonts


def test_chinese_text_is_drawn_with_a_font_that_has_its_glyphs(page):
    title = page.inner_text("h1")
    assert CJK.search(title), title
    for selector in ("h1", "section#headline h2", "section#limits li"):
        text = page.inner_text(selector)
        n_cjk = len(CJK.findall(text))
        assert n_cjk, selector
        fonts = _fonts_of(page, selector)
        cjk_glyphs = sum(f["glyphCount"] for f in fonts if any(k in f["familyName"] for k in
                                                                ("WenQuanYi", "Noto Sans CJK", "Noto Sans SC",
                                                                 "Source Han")))
        # every Chinese character came from a CJK font: none fell back to a missing-glyph box
        assert cjk_glyphs >= n_cjk, (selector, fonts)


def test_every_figure_loads_and_a_screenshot_is_saved(page):
    images = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.src.slice(0, 22)])")
    assert len(images) >= 4
    for complete, width, src in images:
        assert complete and width > 0 and src == "data:image/png;base64,"
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "report.png"))
    assert (RESULTS / "report.png").stat().st_size > 10_000


def test_the_report_prints_to_a_sensible_number_of_a4_pages(page):
    pdf = page.pdf(format="A4", print_background=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    # The appendix (every measure, every other assumption) is left out by default: the Xu Xiake
    # before/after report is 17 pages (31 with --appendix); the tiny town's is shorter.
    assert 4 <= pages <= 20, pages
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+595\.\d+\s+84[12]\.\d+", pdf)  # A4 in points


@pytest.fixture(scope="module")
def plan_report(tmp_path_factory) -> Path:
    """The Chinese report of a tiny `plan bases --verify` (one squad, 2 replications of 1 day)."""
    tmp = tmp_path_factory.mktemp("plan_browser")
    src = tmp / "after.toml"
    src.write_text(SMALL.format(base=ROOT / "scenarios" / "xuxiake_1plus4.toml"), encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["plan", "bases", str(src), "--squads", "1", "--verify", "2", "--days", "1",
                            "--workers", "1", "--out", str(tmp / "plan")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(tmp / "plan")])
    assert r.exit_code == 0, r.output
    return tmp / "plan" / "report.html"


def test_the_plan_report_draws_its_chinese_text_and_loads_every_figure_and_map(browser, plan_report):
    pg = _open(browser, plan_report)
    try:
        for selector in ("h1", "section#verify td.verdict", "section#maps figcaption"):
            n_cjk = len(CJK.findall(pg.inner_text(selector)))
            assert n_cjk, selector
            cjk = sum(f["glyphCount"] for f in _fonts_of(pg, selector)
                      if any(k in f["familyName"] for k in ("WenQuanYi", "Noto Sans CJK", "Noto Sans SC", "Source Han")))
            assert cjk >= n_cjk, selector
        images = pg.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
        n_maps = pg.eval_on_selector_all("section#maps img", "els => els.length")
        assert n_maps == 4 and len(images) >= n_maps + 2  # today + 3 proposals; the Pareto and the forest
        assert all(complete and width > 0 for complete, width in images)
        RESULTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(RESULTS / "report_plan.png"), full_page=True)
    finally:
        pg.close()

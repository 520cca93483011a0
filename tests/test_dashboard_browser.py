"""End to end: the dashboard served by ``solara run``, driven by Debian's chromium.

Needs /usr/bin/chromium (``apt-get install chromium``) and the Playwright Python package;
skipped with the reason otherwise. Saves screenshots at three window sizes to
results/screenshots/ (or $GRIDSIM_SCREENSHOTS: ``make docs-images`` points it at docs/).
"""

from __future__ import annotations

import itertools
import math
import os
import re
import socket
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "xuxiake_1plus4.toml"
GIS_SCENARIO = ROOT / "scenarios" / "xuxiake_gis.toml"
SHOTS = Path(os.environ.get("GRIDSIM_SCREENSHOTS") or ROOT / "results" / "screenshots")  # never docs/ by default
SIZES = {"1920x1080": (1920, 1080), "1440x900": (1440, 900), "960x1080": (960, 1080)}
CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the Playwright Python package is not installed")
pytest.importorskip("solara", reason="solara is not installed (pip install 'gridsim[dashboard]')")

from sim.dashboard.cli import server_command, server_env  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(scenario: Path, log: Path):
    """``solara run`` of the dashboard on ``scenario`` on a free loopback port, until closed."""
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(server_command(port), env=server_env(scenario), cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"dashboard server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the default scenario; stopped after the module."""
    yield from _serve(SCENARIO, tmp_path_factory.mktemp("dashboard") / "server.log")


@pytest.fixture(scope="module")
def gis_server(tmp_path_factory):
    """The dashboard on the real-geometry example (villages from a GeoPackage, roads from OSM)."""
    yield from _serve(GIS_SCENARIO, tmp_path_factory.mktemp("dashboard-gis") / "server.log")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url, width=1440, height=900):
    ctx = browser.new_context(viewport={"width": width, "height": height})
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.locator(".gs-clock").wait_for()
    page.locator(".gs-map-static svg").wait_for()
    return ctx, page


def _clock(page, attr="data-minutes") -> float:
    v = page.locator(".gs-clock").get_attribute(attr)
    return float(v) if v else math.nan


def _wait_clock(page, predicate, timeout=90.0) -> float:
    end = time.monotonic() + timeout
    while True:
        m = _clock(page)
        if predicate(m):
            return m
        if time.monotonic() > end:
            raise AssertionError(f"clock stuck at {m} minutes")
        time.sleep(0.05)


def _toggle(page, group: str, name: str) -> None:
    """Choose ``name`` in a toggle group and wait until the page shows it chosen."""
    page.locator(f".{group}").get_by_role("button", name=name, exact=True).click()
    page.locator(f".{group} .v-btn--active", has_text=name).wait_for()


def _run_to_day(page, day: int) -> None:
    field = page.locator(".gs-day input")
    field.fill(str(day))
    field.press("Enter")
    page.locator(".gs-run-to").click()
    page.locator(f'.gs-clock[data-running="true"], .gs-clock[data-minutes="{day * 1440}"]').wait_for()
    _wait_clock(page, lambda m: m >= day * 1440)
    page.locator('.gs-clock[data-running="false"]').wait_for()
    # the clock and the measures reach the browser as two messages: wait for the measures too
    page.locator(f'.gs-measures[data-minutes="{day * 1440}"]').wait_for()


def test_watch_pause_click_a_dot_reload_and_refuse_a_bad_seed(server, browser):
    ctx, page = _open(browser, server)
    try:
        assert _clock(page) == 0
        sync_api.expect(page.locator(".gs-step")).to_contain_text("单步")  # Chinese by default (meta.language = zh)
        # Chinese glyphs render: the same element with CJK text and with unassigned code
        # points (drawn as boxes when a font lacks them) must not look alike
        page.evaluate("""() => { for (const [id, t] of [['gs-zh', '网格长执法中队'], ['gs-tofu', '\\u0378\\u0379\\u0380\\u0381\\u0382\\u0383\\u038b']]) {
            const e = document.createElement('span'); e.id = id; e.textContent = t;
            e.style.cssText = 'position:fixed;left:0;top:0;font-size:40px;background:#fff;z-index:99999';
            document.body.appendChild(e); } }""")
        zh_png = page.locator("#gs-zh").screenshot()
        page.evaluate("() => document.getElementById('gs-zh').remove()")
        tofu_png = page.locator("#gs-tofu").screenshot()
        page.evaluate("() => document.getElementById('gs-tofu').remove()")
        assert zh_png != tofu_png
        # play at six hours a second; frames arrive and the page measures their round trip
        _toggle(page, "gs-speed", "6小时/秒")
        page.locator(".gs-play").click()
        page.wait_for_function("() => document.querySelector('.gs-timer').dataset.rtts.split(',').length >= 8",
                               timeout=90_000)
        rtts = [float(x) for x in page.locator(".gs-timer").get_attribute("data-rtts").split(",") if x]
        print(f"\nframe round trip (server + socket + browser), ms: median {statistics.median(rtts):.0f}, "
              f"max {max(rtts):.0f} over {len(rtts)} frames")
        # Pause: the run stops within the tick it is in, and stays stopped
        page.locator(".gs-pause").click()
        page.locator('.gs-clock[data-running="false"]').wait_for()
        stopped, paused_at = _clock(page), _clock(page, "data-paused-at")
        assert 0 <= stopped - paused_at <= 10
        time.sleep(0.5)
        assert _clock(page) == stopped
        # a click on a map dot opens that case's story
        dot = page.locator(".gs-map-a .gs-dot").first
        iid = dot.get_attribute("data-id")
        dot.click(force=True)
        sync_api.expect(page.locator(".gs-story-head")).to_have_attribute("data-id", iid)
        assert page.locator(".gs-story tr[data-stage]").count() >= 1
        # seed -5 is refused in the page, the run is kept
        seed = page.locator(".gs-seed input")
        seed.fill("-5")
        seed.press("Enter")
        refusal = page.locator(".gs-seed-error")  # by the seed box, in the page's language
        sync_api.expect(refusal).to_contain_text("随机种子须为 0 到")
        below = refusal.bounding_box()["y"] - (seed.bounding_box()["y"] + seed.bounding_box()["height"])
        assert 0 <= below < 40, below
        assert _clock(page) == stopped
        # a reload finds the run again
        page.reload()
        page.locator(".gs-clock").wait_for()
        assert _clock(page) == stopped
    finally:
        ctx.close()


def _rows(page) -> list[str]:
    return page.locator(".gs-incident").all_inner_texts()


def _ids(page) -> list[str]:
    return page.locator(".gs-incident").evaluate_all("rs => rs.map(r => r.dataset.id)")


def _check(page, cls: str, on: bool) -> None:
    page.locator(f".{cls} label").click()
    page.locator(f".{cls} input[aria-checked='{str(on).lower()}']").wait_for(state="attached")


def _rows_when(page, ok, timeout: float = 30.0) -> list[str]:
    """The list's rows once ``ok(rows)`` holds (the list redraws on the next frame)."""
    end = time.monotonic() + timeout
    while True:
        rows = _rows(page)
        if rows and ok(rows):
            return rows
        if time.monotonic() > end:
            raise AssertionError(f"list never matched: {rows[:5]}")
        time.sleep(0.1)


def test_list_filters_freeze_and_follow(server, browser):
    ctx, page = _open(browser, server, 1440, 900)
    try:
        _run_to_day(page, 2)
        everything = _rows_when(page, lambda rs: len(rs) >= 50)  # the list redraws on the next frame
        # escalated: every row shows ↑n, and there are some
        _check(page, "gs-f-esc", True)
        rows = _rows_when(page, lambda rs: all("↑" in r for r in rs))
        assert len(rows) < len(everything)
        _check(page, "gs-f-esc", False)
        # overdue: every row says 超时
        _check(page, "gs-f-overdue", True)
        rows = _rows_when(page, lambda rs: all(r.endswith("超时") for r in rs))
        _check(page, "gs-f-overdue", False)
        # one tier: the village's cases only (a case nobody has noticed lists no tier: "#12 暴露垃圾 · 发生（未发现）")
        _toggle(page, "gs-f-tier", "村")
        rows = _rows_when(page, lambda rs: all(r.split(" · ")[2:3] == ["村"] for r in rs))
        _toggle(page, "gs-f-tier", "全部层级")
        _rows_when(page, lambda rs: len(rs) == len(everything))
        # one category, picked from the menu
        page.locator(".gs-f-cat").click()
        page.locator(".v-menu__content .v-list-item", has_text="暴露垃圾").first.click()
        rows = _rows_when(page, lambda rs: all(r.split(" · ")[0].split(" ", 1)[1] == "暴露垃圾" for r in rs))
        count = page.locator(".gs-list-count").inner_text()
        assert f"共 {len(rows)} 件" in count or len(rows) == 150, count
        page.locator(".gs-f-cat").click()
        page.locator(".v-menu__content .v-list-item", has_text="全部类别").first.click()
        _rows_when(page, lambda rs: len(rs) == len(everything))
        # freeze: the list stays as it was while the run goes on; unfrozen it moves again
        _check(page, "gs-freeze", True)
        frozen = _ids(page)
        sync_api.expect(page.locator(".gs-list-count")).to_contain_text("列表已冻结")
        _run_to_day(page, 3)
        assert _ids(page) == frozen
        _check(page, "gs-freeze", False)
        _rows_when(page, lambda rs: _ids(page) != frozen)
        # follow an open case (one at the county: it stays open for days): time slows to
        # 10 simulated minutes a second until it closes
        _check(page, "gs-f-open", True)
        _toggle(page, "gs-f-tier", "县（市）")
        _rows_when(page, lambda rs: all(r.split(" · ")[2:3] == ["县（市）"] for r in rs))
        page.locator(".gs-incident").first.click()
        page.locator(".gs-follow").click()
        sync_api.expect(page.locator(".gs-follow")).to_contain_text("停止跟踪")
        _toggle(page, "gs-speed", "1天/秒")
        page.locator(".gs-play").click()
        page.locator('.gs-clock[data-running="true"]').wait_for()
        t0, m0 = time.monotonic(), _clock(page)
        time.sleep(3)
        followed = (_clock(page) - m0) / (time.monotonic() - t0)
        page.locator(".gs-follow").click()  # stop following: full speed again
        sync_api.expect(page.locator(".gs-follow")).to_contain_text("跟踪此事件")
        t0, m0 = time.monotonic(), _clock(page)
        time.sleep(3)
        free = (_clock(page) - m0) / (time.monotonic() - t0)
        page.locator(".gs-pause").click()
        print(f"\nsimulated minutes a second: following {followed:.1f}, not following {free:.0f}")
        assert followed <= 10 * 1.5 + 10 / 3  # 10 min/s, a tick's rounding over three seconds
        assert free > 5 * followed
    finally:
        ctx.close()


def _cut_off(page) -> list[str]:
    """Texts of buttons reaching past their card and of legend entries past the map column."""
    return page.evaluate("""() => { const out = [];
        document.querySelectorAll('.gs-card').forEach(card => { const c = card.getBoundingClientRect();
          card.querySelectorAll('.v-btn').forEach(b => { const r = b.getBoundingClientRect();
            if (r.width && (r.right > c.right + 1 || r.left < c.left - 1)) out.push(b.innerText); }); });
        const col = document.querySelector('.gs-col-map').getBoundingClientRect();
        document.querySelectorAll('.gs-legend span').forEach(s => { const r = s.getBoundingClientRect();
          if (r.right > col.right + 1) out.push(s.innerText); });
        return out; }""")


def test_english_ab_lockstep_and_screenshots(server, browser):
    ctx, page = _open(browser, server, 1440, 900)
    try:
        _toggle(page, "gs-lang", "English")
        page.locator(".gs-step", has_text="Step").wait_for()
        # at 1440 × 900 in English nothing is cut off and the header is one line
        page.wait_for_timeout(400)
        assert not _cut_off(page)
        assert page.locator(".gs-head").bounding_box()["height"] < 60
        # A/B: pin the current run as baseline B, give A one squad, run both to day 1
        page.locator(".gs-pin").click()
        page.locator(".gs-map-b").wait_for()
        _toggle(page, "gs-squads", "1")
        _run_to_day(page, 1)
        a_b = page.locator(".gs-measures tr[data-key='response_mean_min'] td.v").all_inner_texts()
        assert len(a_b) == 3 and a_b[0] != a_b[1] and a_b[2] not in ("–", "+0.0"), a_b
        # English mode: no Chinese anywhere but the language switch itself
        text = page.evaluate("""() => { const c = document.body.cloneNode(true);
            c.querySelectorAll('.gs-lang').forEach(e => e.remove()); return c.innerText + ' ' +
            Array.from(c.querySelectorAll('svg text')).map(t => t.textContent).join(' '); }""")
        found = re.findall(CJK, text)
        assert not found, "".join(found[:40])
        # screenshots at three window sizes, in Chinese, the scenario's policies, an escalated case's story
        _toggle(page, "gs-lang", "中文")
        page.locator(".gs-drop-b").click()
        page.locator(".gs-map-b").wait_for(state="detached")
        _toggle(page, "gs-squads", "3")
        _run_to_day(page, 2)
        page.locator(".gs-f-esc label").click()
        page.locator(".gs-f-esc input[aria-checked='true']").wait_for(state="attached")
        page.locator(".gs-incident", has_text="↑").first.click()  # an escalated case (↑n in its row)
        page.locator(".gs-story tr[data-stage='escalated']").first.wait_for()
        SHOTS.mkdir(parents=True, exist_ok=True)
        for name, (w, h) in SIZES.items():
            page.set_viewport_size({"width": w, "height": h})
            page.evaluate("() => window.scrollTo(0, 0)")  # the top of the page (clicking a row may scroll)
            page.wait_for_timeout(400)
            path = SHOTS / f"dashboard-{name}.png"
            page.screenshot(path=str(path))
            assert path.stat().st_size > 20_000
            # nothing wider than the window (no clipped controls), the map large
            assert page.evaluate("() => document.documentElement.scrollWidth") <= w
            assert not _cut_off(page), name
            box = page.locator(".gs-map-a .gs-map-static svg").bounding_box()
            assert box["width"] >= min(0.45 * w, 600), (name, box)
    finally:
        ctx.close()


def _segments(d: str) -> list[tuple[float, float, float, float]]:
    """The straight pieces of an SVG path made of ``M x,y x,y …`` runs."""
    out = []
    for run in d.split("M")[1:]:
        pts = [tuple(float(v) for v in p.split(",")) for p in run.split()]
        out += [(a[0], a[1], b[0], b[1]) for a, b in itertools.pairwise(pts)]
    return out


def _distance(px: float, py: float, seg: tuple[float, float, float, float]) -> float:
    x0, y0, x1, y1 = seg
    dx, dy = x1 - x0, y1 - y0
    t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - x0 - t * dx, py - y0 - t * dy)


def test_real_town_shows_roads_and_crews_move_along_them(gis_server, browser):
    ctx, page = _open(browser, gis_server, 1440, 900)
    try:
        roads = page.locator(".gs-map-a .gs-map-static path.gs-roads")
        assert roads.count() >= 1
        segments = [seg for d in roads.evaluate_all("ps => ps.map(p => p.getAttribute('d'))") for seg in _segments(d)]
        assert len(segments) >= 100
        # real village outlines: paths with many vertices, not four-cornered boxes
        names = page.locator(".gs-map-a .gs-village-name").count()
        assert names >= 20
        # step ten minutes at a time until a crew is on the road part of a trip
        for _ in range(150):
            before = _clock(page)
            page.locator(".gs-step").click()
            _wait_clock(page, lambda m, b=before: m > b)
            page.wait_for_timeout(150)
            if page.locator('.gs-map-a .gs-crew[data-road="1"]').count():
                break
        crews = page.locator(".gs-map-a .gs-crew").evaluate_all(
            "cs => cs.map(c => [+c.dataset.x, +c.dataset.y, +c.dataset.road, +c.dataset.busy])")
        on_road = [c for c in crews if c[2] == 1]
        assert on_road, crews
        for x, y, _, _ in on_road:  # SVG units: 100 a km, so 1.5 is 15 m (coordinates are rounded to 1 m)
            nearest = min(_distance(x, y, seg) for seg in segments)
            assert nearest < 1.5, (x, y, nearest)
        # and it trails the road path still ahead of it
        assert page.locator(".gs-map-a .gs-crew-path").count() >= len(on_road)
        print(f"\ncrews on roads: {len(on_road)} of {len(crews)}; road segments drawn: {len(segments)}")
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / "dashboard-gis-1440x900.png"
        page.screenshot(path=str(path))
        assert path.stat().st_size > 20_000
    finally:
        ctx.close()

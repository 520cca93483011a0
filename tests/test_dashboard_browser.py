"""End to end: the dashboard served by ``solara run``, driven by Debian's chromium.

Needs /usr/bin/chromium (``apt-get install chromium``) and the Playwright Python package;
skipped with the reason otherwise. Saves a screenshot to results/dashboard.png.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "xuxiake_1plus4.toml"
SCREENSHOT = ROOT / "results" / "dashboard.png"
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``solara run`` of the dashboard on a free loopback port; stopped after the module."""
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(server_command(port), env=server_env(SCENARIO), cwd=ROOT,
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
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, url):
    ctx = browser.new_context(viewport={"width": 1500, "height": 1250})
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.locator(".gs-clock").wait_for()
    return ctx, page


def _minutes(page) -> float:
    return float(page.locator(".gs-clock").get_attribute("data-minutes"))


def _wait_minutes(page, predicate, timeout=20.0) -> float:
    end = time.monotonic() + timeout
    while True:
        m = _minutes(page)
        if predicate(m):
            return m
        if time.monotonic() > end:
            raise AssertionError(f"clock stuck at {m} minutes")
        time.sleep(0.1)


def _map_count(page) -> int:
    text = page.locator(".gs-map-count").inner_text()
    return int(re.search(r"\d+", text).group())


def _toggle(page, group: str, name: str) -> None:
    page.locator(f".{group}").get_by_role("button", name=name, exact=True).click()


def _open_reached_incident(page, stages: str) -> None:
    """Click a recent incident someone has reached, stepping on until the list shows one
    (cases leave the list as they close, so at a given minute there may be none)."""
    reached = page.locator(".gs-incident", has_text=re.compile(stages))
    for _ in range(30):
        if reached.count():
            break
        before = _minutes(page)
        page.locator(".gs-step").click()
        _wait_minutes(page, lambda m, before=before: m > before)
    reached.first.click()


def test_page_steps_plays_and_tells_a_story(server, browser):
    ctx, page = _open(browser, server)
    try:
        assert _minutes(page) == 0
        sync_api.expect(page.locator(".gs-step")).to_contain_text("单步")  # Chinese by default (meta.language = zh)
        page.locator(".gs-step").click()
        assert _wait_minutes(page, lambda m: m >= 10) == 10
        map_before = page.locator(".gs-map img, img.gs-map").first.get_attribute("src")
        # play fast until incidents show on the map, then pause
        _toggle(page, "gs-speed", "6 h")
        page.locator(".gs-play").click()
        _wait_minutes(page, lambda m: m >= 600, timeout=30)
        page.locator(".gs-play").click()
        page.wait_for_function("() => !document.querySelector('.gs-step').disabled")
        assert _map_count(page) > 0
        assert page.locator(".gs-map img, img.gs-map").first.get_attribute("src") != map_before
        # a live measure shows a number
        assert re.search(r"\d", page.locator('.gs-measures tr[data-key="backlog"] td.v').inner_text())
        # choose an incident someone has reached: its story lists the stages with times
        _open_reached_incident(page, "派遣|到场|解决")
        page.locator(".gs-story tr[data-stage='occurred']").wait_for()
        assert page.locator(".gs-story tr[data-stage]").count() >= 2
    finally:
        ctx.close()


def test_controls_language_sessions_and_screenshot(server, browser):
    ctx_a, a = _open(browser, server)
    ctx_b, b = _open(browser, server)
    try:
        # a policy control rebuilds this viewer's model
        sync_api.expect(a.locator(".gs-model-info")).to_contain_text("138 ")
        _toggle(a, "gs-households", "300")
        a.get_by_text(re.compile(r"213 ")).first.wait_for()
        _toggle(a, "gs-squads", "4")
        a.get_by_text(re.compile(r"执法中队数 4")).first.wait_for()
        # switching language switches the labels
        _toggle(a, "gs-lang", "English")
        a.locator(".gs-step", has_text="Step").wait_for()
        a.get_by_text("Town map").first.wait_for()
        sync_api.expect(a.locator(".gs-model-info")).to_contain_text("Squads 4")
        for _ in range(3):
            before = _minutes(a)
            a.locator(".gs-step").click()
            _wait_minutes(a, lambda m, before=before: m > before)
        # the other session has its own model: untouched clock, policies and language
        assert _minutes(a) == 30
        assert _minutes(b) == 0
        sync_api.expect(b.locator(".gs-model-info")).to_contain_text(re.compile("138 .*执法中队数 3"))
        sync_api.expect(b.locator(".gs-step")).to_contain_text("单步")
        b.locator(".gs-step").click()
        _wait_minutes(b, lambda m: m == 10)
        assert _minutes(a) == 30
        # a picture for the docs: English labels (the test machine may lack CJK fonts)
        _toggle(a, "gs-speed", "1 d")
        a.locator(".gs-play").click()
        _wait_minutes(a, lambda m: m >= 1440 + 600, timeout=30)
        a.locator(".gs-play").click()
        a.wait_for_function("() => !document.querySelector('.gs-step').disabled")
        _open_reached_incident(a, "dispatched|on scene|resolved")
        a.locator(".gs-story tr[data-stage='occurred']").wait_for()
        a.set_viewport_size({"width": 1500, "height": 1900})
        a.locator(".gs-title").scroll_into_view_if_needed()
        a.evaluate("() => { window.scrollTo(0, 0); document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; }); }")
        a.wait_for_timeout(500)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        a.screenshot(path=str(SCREENSHOT), full_page=True)
        assert SCREENSHOT.stat().st_size > 10_000
    finally:
        ctx_a.close()
        ctx_b.close()

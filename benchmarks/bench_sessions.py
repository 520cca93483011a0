"""Memory across dashboard sessions: open ~20 viewers' runs, drop them, and again.

Each viewer's run is a ``Session`` held by the dashboard's ``Registry`` (as the page does
for each browser session); it is played for a simulated day, then its page goes and the
registry frees it. Two rounds: if dropped sessions were kept, the second round would add
as much memory as the first. Prints the process's resident set (``/proc/self/status``
VmRSS) at each point and the live Session and TownModel objects after each drop.

    .venv/bin/python benchmarks/bench_sessions.py [SCENARIO] [--sessions 20] [--ticks 144] [--rounds 2]
    .venv/bin/python benchmarks/bench_sessions.py --server [--sessions 20]

``--server`` does the same through the real thing: ``gridsim dashboard``'s Solara server,
with headless chromium (Playwright) opening each viewer's page and closing it; the server
process's resident set is read after each round, once the closed pages' kernels are culled
(``SOLARA_KERNEL_CULL_TIMEOUT`` 2 s here) and the registry's 30 s grace has passed.

Target (issue 17): dropped sessions are freed — none alive after a drop, and a later round
grows the resident set by at most 10% of what the first round's open sessions took.
"""

from __future__ import annotations

import gc
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, header, options, table, verdict

from sim.dashboard.sessions import Registry
from sim.dashboard.views import Session
from sim.model import TownModel

TARGET_REGROWTH = 0.10


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def alive() -> tuple[int, int]:
    gc.collect()
    objs = gc.get_objects()
    return sum(isinstance(o, Session) for o in objs), sum(isinstance(o, TownModel) for o in objs)


def server_rounds(scenario: str, sessions: int, rounds: int) -> None:
    """Open and close ``sessions`` browser pages on a dashboard server, ``rounds`` times."""
    import socket
    import subprocess
    import time
    import urllib.request

    from playwright.sync_api import sync_playwright

    from sim.dashboard.cli import server_command, server_env

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = server_env(Path(scenario))
    env["SOLARA_KERNEL_CULL_TIMEOUT"] = "2s"
    proc = subprocess.Popen(server_command(port), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"

    def rss() -> float:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    try:
        for _ in range(240):
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])

            def open_page():
                ctx = browser.new_context(viewport={"width": 1440, "height": 900})
                page = ctx.new_page()
                page.set_default_timeout(120_000)
                page.goto(url)
                page.locator(".gs-clock").wait_for()
                page.locator(".gs-step").click()
                page.locator('.gs-clock[data-minutes="10"]').wait_for()
                return ctx

            def settle() -> None:
                time.sleep(2 + 30 + 8)  # kernel cull, the registry's grace, margin

            open_page().close()
            settle()
            rows = [["start (one page opened and closed)", f"{rss():.0f}"]]
            base = rss()
            peaks = []
            for r in range(rounds):
                ctxs = [open_page() for _ in range(sessions)]
                peaks.append(rss())
                rows.append([f"round {r + 1}: {sessions} pages open", f"{peaks[-1]:.0f}"])
                for c in ctxs:
                    c.close()
                settle()
                rows.append([f"round {r + 1}: all closed, freed", f"{rss():.0f}"])
            browser.close()
        print(table(rows, ["point (server process)", "RSS MB"]))
        first = peaks[0] - base
        regrowth = (max(peaks[1:]) - peaks[0]) / first if len(peaks) > 1 and first > 0 else 0.0
        print(f"open pages took {first:.0f} MB ({first / sessions:.1f} MB each); later rounds grew the peak by "
              f"{100 * regrowth:.1f}% of the first round's   target <= {100 * TARGET_REGROWTH:.0f}%  "
              f"{verdict(regrowth, TARGET_REGROWTH, higher_is_better=False)}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def main() -> None:
    ap = options(__doc__, scenario="xuxiake_1plus4.toml")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--ticks", type=int, default=144, help="10-minute ticks each viewer plays (144 = a day)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--server", action="store_true", help="through gridsim dashboard's server and chromium pages")
    args = ap.parse_args()
    if args.server:
        header("Dashboard pages opened and closed on the server", scenario=Path(args.scenario).stem,
               sessions=args.sessions, rounds=args.rounds)
        server_rounds(args.scenario, args.sessions, args.rounds)
        return
    header("Dashboard sessions opened and dropped", scenario=Path(args.scenario).stem, sessions=args.sessions,
           ticks=args.ticks, rounds=args.rounds)
    reg: Registry[Session] = Registry(grace_s=0)
    # warm-up: imports, caches and the first model's allocations are not a session's cost
    reg.attach("warm", "page", lambda: Session(args.scenario)).step(args.ticks)
    reg.detach("warm", "page")
    rows = [["start (one session opened and dropped)", f"{rss_mb():.0f}", *alive()]]
    base = rss_mb()
    opened: list[float] = []
    after: list[float] = []
    for r in range(args.rounds):
        for i in range(args.sessions):
            reg.attach(f"r{r}-v{i}", "page", lambda: Session(args.scenario)).step(args.ticks)
        opened.append(rss_mb())
        rows.append([f"round {r + 1}: {args.sessions} sessions open", f"{opened[-1]:.0f}", *alive()])
        for i in range(args.sessions):
            reg.detach(f"r{r}-v{i}", "page")
        gc.collect()
        after.append(rss_mb())
        rows.append([f"round {r + 1}: all dropped", f"{after[-1]:.0f}", *alive()])
    print(table(rows, ["point", "RSS MB", "live sessions", "live models"]))
    first = opened[0] - base
    regrowth = (max(opened[1:]) - opened[0]) / first if len(opened) > 1 and first > 0 else 0.0
    live_s, live_m = alive()
    print(f"open sessions took {first:.0f} MB ({first / args.sessions:.1f} MB each); "
          f"after every drop: {live_s} sessions, {live_m} models alive")
    print(f"later rounds grew the peak by {100 * regrowth:.1f}% of the first round's   target <= "
          f"{100 * TARGET_REGROWTH:.0f}%  {verdict(regrowth, TARGET_REGROWTH, higher_is_better=False)}")


if __name__ == "__main__":
    main()

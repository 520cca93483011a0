"""Regenerate the README's images in docs/ from real runs: ``make docs-images``.

The tests never write docs/ (their screenshots go to results/screenshots/). This script runs
the commands the README quotes into results/docs/, writes their reports, screenshots a page
of each in Debian's chromium (Playwright) and copies the plan figures; the dashboard's
screenshots come from its browser test, pointed at docs/. ``--reuse`` keeps output folders
that are already there (a rerun only re-renders and re-shoots); ``--only IMAGE…`` makes only those
images (``--only report_compare.png report_sweep.png``: their two runs, ≈ 5 minutes on a busy 2-core box).
About 25 minutes of CPU for all.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
OUT = ROOT / "results" / "docs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
XU = "scenarios/xuxiake_1plus4.toml"

# (output folder, the command after `gridsim`) in the order the README shows them
RUNS: dict[str, list[str]] = {
    "compare": ["compare", "scenarios/xuxiake_pre_reform.toml", XU, "--replications", "8", "--days", "30"],
    "sweep": ["sweep", "docs/squad_sweep.toml"],
    "plan_bases": ["plan", "bases", XU, "--squads", "2..6", "--verify", "10"],
    "plan_gis": ["plan", "bases", "scenarios/xuxiake_gis.toml", "--squads", "3"],
    "gis": ["run", "scenarios/xuxiake_gis.toml", "--days", "10"],
}
# report screenshots: folder, section the page starts at, height in CSS pixels, image
SHOTS = [
    ("compare", "headline", 1500, "report_compare.png"),
    ("sweep", "vsbase", 1500, "report_sweep.png"),
    ("sweep", "maps", 1100, "report_sweep_maps.png"),
    ("plan_bases", "proposals", 1900, "report_plan.png"),
]
COPIES = [
    ("plan_bases/pareto.png", "plan_pareto.png"),
    ("plan_bases/maps/pmedian_k3.png", "plan_pmedian_k3.png"),
    ("plan_gis/maps/pmedian_k3.png", "plan_gis_pmedian_k3.png"),
    ("gis/maps/share_within_15min.png", "gis_map.png"),
]


def gridsim(*args: str) -> None:
    """Run one gridsim command from the repository root; stop the script if it fails."""
    cmd = [sys.executable, "-m", "sim", *args]
    print("$ gridsim " + " ".join(args), flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True)


def shoot(html: Path, section: str, height: int, png: Path) -> None:
    """Screenshot ``height`` CSS pixels of a report from the top of one of its sections (900 wide)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 900, "height": height})
        page.goto(html.as_uri())
        page.wait_for_load_state("load")
        top = page.eval_on_selector(f"section#{section}", "e => e.getBoundingClientRect().top + window.scrollY")
        page.screenshot(path=str(png), clip={"x": 0, "y": max(0.0, top - 10), "width": 900, "height": height},
                        full_page=True)
        browser.close()
    print(f"wrote {png}", flush=True)


def main() -> None:
    """Run, report, shoot and copy; then the dashboard's browser test writes its screenshots to docs/."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep output folders that already exist")
    parser.add_argument("--no-dashboard", action="store_true", help="leave the dashboard screenshots alone")
    parser.add_argument("--only", nargs="+", metavar="IMAGE", choices=[i for *_, i in SHOTS] + [i for _, i in COPIES],
                        help="make only these images of docs/ (e.g. report_compare.png): only their runs, no dashboard")
    args = parser.parse_args()
    shots = [s for s in SHOTS if not args.only or s[-1] in args.only]
    copies = [c for c in COPIES if not args.only or c[1] in args.only]
    needed = {name for name, *_ in shots} | {src.split("/")[0] for src, _ in copies}
    OUT.mkdir(parents=True, exist_ok=True)
    for name, command in RUNS.items():
        folder = OUT / name
        if name not in needed or (args.reuse and folder.is_dir() and any(folder.iterdir())):
            continue
        gridsim(*command, "--out", str(folder), *(["--force"] if command[0] in ("run", "compare") else []))
    if "gis" in needed:
        gridsim("map", str(OUT / "gis"), "--lang", "en", "--measure", "share_within_15min", "--force")
    for name in dict.fromkeys(name for name, *_ in shots):
        gridsim("report", str(OUT / name))
    for name, section, height, image in shots:
        shoot(OUT / name / "report.html", section, height, DOCS / image)
    for src, image in copies:
        shutil.copyfile(OUT / src, DOCS / image)
        print(f"wrote docs/{image}", flush=True)
    if not args.no_dashboard and not args.only:
        env = {**os.environ, "GRIDSIM_SCREENSHOTS": str(DOCS)}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/test_dashboard_browser.py",
                        "-k", "screenshots or roads"], cwd=ROOT, env=env, check=True)


if __name__ == "__main__":
    main()

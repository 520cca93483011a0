"""What a report says about the town and the options: the town simulated, in the reader's words.

A GIS town (the GeoPackage example) run for half a day after its warm-up, and compared with a plan that lists its
squads, written the way ``gridsim plan`` writes it (an absolute ``extends``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.labels import Lang, warning
from sim.report import catalogue as cat
from sim.report.build import render

ROOT = Path(__file__).resolve().parents[1]
GIS = ROOT / "scenarios" / "xuxiake_gis.toml"
PLAN = """extends = "{base}"

[meta]
name = "xuxiake_gis-plan"

[squads]
count = 2

[[squads.units]]
id = "S1"
base = [3.0, 4.0]
crews = 3

[[squads.units]]
id = "S2"
base = [7.0, 6.0]
crews = 3
"""


def gridsim(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("town")
    plan = tmp / "plan.toml"
    plan.write_text(PLAN.format(base=GIS), encoding="utf-8")
    r = gridsim("run", str(GIS), "--days", "1.5", "--out", str(tmp / "run"))
    assert r.exit_code == 0, r.output
    cwd = os.getcwd()
    os.chdir(ROOT)  # A as a user names it from the clone (relative), B's extends absolute: one town
    try:
        r = gridsim("compare", "scenarios/xuxiake_gis.toml", str(plan), "--days", "1.5", "--replications", "2",
                    "--workers", "1", "--out", str(tmp / "cmp"))
    finally:
        os.chdir(cwd)
    assert r.exit_code == 0, r.output
    return {"run": tmp / "run", "cmp": tmp / "cmp"}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def _section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}">')
    return html[start:html.index("</section>", start)]


def test_a_gis_run_report_gives_the_town_simulated_not_the_base_scenarios(folders, monkeypatch):
    monkeypatch.chdir(ROOT)
    html = render(folders["run"], "zh")
    question = _text(_section(html, "question"))
    for words, value in (("镇域面积（平方公里）", "95.1"), ("常住人口", "159,269"), ("企业数", "2,948"),
                         ("村（社区）数", "60")):
        assert re.search(re.escape(words) + r"\s+" + re.escape(value) + r"\s", question), (words, question)
    assert "180000" not in question and "110" not in question.split("常住人口")[0]
    assert "scenarios/gis/xuxiake_villages.gpkg" in question  # the layer, relative to where the reader is
    assumed = _text(_section(html, "assumptions"))
    assert "town.core_share" not in assumed and "town.density" not in assumed and "town.area_km2" not in assumed
    assert "镇区村（社区）占比" not in assumed and "各类用地的相对户数密度" not in assumed and "镇域面积" not in assumed
    # words, not field names and codes
    assert "town.area_km2" not in question and "home_zone_first" not in question and "true" not in question
    assert "本辖区优先" in question


def test_the_compare_options_are_the_real_differences_in_words_and_warnings_once(folders, monkeypatch):
    monkeypatch.chdir(ROOT)
    html = render(folders["cmp"], "zh")
    question = _text(_section(html, "question"))
    assert "村界图层文件" not in question and "道路网文件" not in question  # one file, two spellings: no difference
    assert "2个中队：S1 驻地 (3.0, 4.0) 公里，3个执法组" in question
    assert "未列出（驻地与辖区按中队数自动布设）" in question
    assert "officers" not in question and "[]" not in question
    headline = _text(_section(html, "headline"))
    roads = [line for line in headline.splitlines() if "xuxiake_roads.osm" in line]
    assert roads and all("/" + "work" not in line and "/tmp" not in line for line in roads), roads
    assert headline.count("641 条边中有") == 1  # a warning both options raise is listed once


def test_a_difference_whose_interval_excludes_zero_never_shows_a_zero_bound():
    name = "share_within_15min"
    assert cat.fmt_ci(0.009, 0.00046, 0.018, name, signed=True) == "+0.9 pt [+0.046 pt, +1.8 pt]"
    assert cat.fmt_ci(-0.009, -0.018, -0.0004, name, signed=True) == "-0.9 pt [-1.8 pt, -0.04 pt]"
    assert cat.fmt_ci(0.009, -0.0004, 0.018, name, signed=True) == "+0.9 pt [0.0 pt, +1.8 pt]"  # includes 0


def test_a_road_warning_names_the_travel_mode_in_chinese():
    values = {"file": "x.osm", "nodes": 1, "total": 181, "km": 0.3, "mode": "car"}
    assert "不在汽车路网的最大强连通部分内" in warning("roads_outside_connected_part", values, "zh")
    assert "strongly connected part for car;" in warning("roads_outside_connected_part", values, "en")


def test_assumption_notes_read_in_the_reports_language(folders):
    """The preset's notes give their Chinese after " | ": a Chinese report shows it, an English one the English.

    The table is for county leadership: grouped (a category's fields under its name), each field and
    value in words (no dotted path, no TOML), the note without the bare word every row would repeat.
    The fields as written are in the appendix only.
    """
    row = re.compile(r'<tr><td class="grp">([^<]*)</td><td class="">([^<]*)</td><td class="">([^<]*)</td>'
                     r'<td class="">([^<]*)</td></tr>')
    languages: tuple[tuple[Lang, str, str, tuple[str, str, str]], ...] = (
        ("zh", "开始时全镇没有未结案件", "the town starts", ("违章停车", "处置用时（分钟）", "对数正态，平均 20 分钟，变异系数 0.5")),
        ("en", "the town starts with no open cases", "假设", ("Illegal parking", "work on scene (min)",
                                                              "lognormal, mean 20 min, CV 0.5")))
    for lang, own, other, (group, item, value) in languages:
        html = render(folders["run"], lang)
        rows = row.findall(_section(html, "assumptions"))
        notes = [r[3] for r in rows if r[3]]
        assert notes and own in notes and not [n for n in notes if other in n], (lang, notes[:5])
        latin = [n for n in notes if re.search(r"[A-Za-z]{4,}", re.sub(r"DESIGN|App|grid_staff\.verify_min", "", n))]
        cjk = [n for n in notes if re.search(r"[\u4e00-\u9fff]", n.replace("代办", ""))]
        assert not (latin if lang == "zh" else cjk), (lang, (latin or cjk)[:5])
        assert not [n for n in notes if n in ("假设", "assumption")]
        groups = [r[0] for r in rows if r[0]]
        assert len(groups) == len(set(groups)) >= 10  # each group once, on its first row
        at = next(k for k, r in enumerate(rows) if r[0] == group)
        cat_rows = rows[at:next((k for k in range(at + 1, len(rows)) if rows[k][0]), len(rows))]
        assert (item, value) in [(r[1], r[2]) for r in cat_rows], cat_rows
        cells = [c for r in rows for c in r[:3]]
        assert not [c for c in cells if re.search(r"[a-z]+_[a-z_]+|\w\.\w+\.|\{|\bdist\b|&#34;", c)], cells
        assert 'class="small assume"' not in html and "incidents.categories" not in html  # the raw fields: appendix
        raw = _section(render(folders["run"], lang, appendix=True), "appendix-assumptions")
        assert "incidents.categories.illegal_parking.work_min" in raw and "lognormal" in raw
    css = (ROOT / "sim" / "report" / "templates" / "report.css").read_text(encoding="utf-8")
    assert not [line for line in css.splitlines() if "assume-read" in line and "break-all" in line]


def test_the_terminal_shows_whole_counts_without_decimals():
    from sim.console import fmt

    assert (fmt(97.0), fmt(42_721_200.0), fmt(119), fmt(35.7)) == ("97", "42,721,200", "119", "35.7")

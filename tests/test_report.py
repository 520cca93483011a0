"""``gridsim report`` and the terminal filters of ``compare``: what the document says and shows.

Folders are tiny (a 20,000-resident town, 2 days, 2 replications) so the module stays fast.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.labels import measure
from sim.outputs import MANIFEST
from sim.report import catalogue as cat
from sim.report.sources import MISSING, assumptions, differences
from sim.report.sweep import main_effects
from sim.runner import combine
from sim.sweep.analysis import tradeoff_measures

ROOT = Path(__file__).resolve().parents[1]
SMALL = """extends = "{base}"
[meta]
language = "{lang}"
[town]
area_km2 = 12.0
residents = 20000
villages = 6       # assumption: a small test town
enterprises = 300
[run]
warmup_days = 0
"""


def tiny(folder: Path, name: str, base: str, lang: str = "zh") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(SMALL.format(base=ROOT / "scenarios" / base, lang=lang), encoding="utf-8")
    return path


def gridsim(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A single run and a before/after compare of the tiny town."""
    tmp = tmp_path_factory.mktemp("report")
    a, b = tiny(tmp, "before", "xuxiake_pre_reform.toml"), tiny(tmp, "after", "xuxiake_1plus4.toml")
    r = gridsim("run", str(b), "--days", "2", "--out", str(tmp / "run"))
    assert r.exit_code == 0, r.output
    r = gridsim("compare", str(a), str(b), "--days", "2", "--replications", "2", "--workers", "1",
                "--out", str(tmp / "cmp"))
    assert r.exit_code == 0, r.output
    return {"run": tmp / "run", "compare": tmp / "cmp", "compare_output": r.output, "a": a, "b": b}


# --- the scenario files ------------------------------------------------------------------
BASE = """
[town]
villages = 60            # assumption: villages and communities
persons_per_household = 2.8
# assumption: quiet nights
hour_profile = [1, 2]

[[incidents.categories]]
name = "garbage"
share = 0.2              # assumption
respond_limit_min = 60

[grid_staff.roles]
chief = { count = 1, duty_share = 0.3 }   # assumption: part time
"""
CHILD = """
extends = "base.toml"
[town]
villages = 40
[[incidents.categories]]
name = "garbage"
respond_limit_min = 30   # assumption: a stricter limit
"""


def test_assumptions_are_read_from_comments_and_a_child_file_overrides_them():
    found = assumptions([{"path": "base.toml", "text": BASE}, {"path": "child.toml", "text": CHILD}])
    assert set(found) == {"town.hour_profile", "incidents.categories.garbage.share",
                          "incidents.categories.garbage.respond_limit_min", "grid_staff.roles.chief"}
    assert found["town.hour_profile"].note == "assumption: quiet nights"  # the comment line above
    assert found["grid_staff.roles.chief"].note == "assumption: part time"
    assert found["incidents.categories.garbage.respond_limit_min"].file == "child.toml"
    # villages: restated by the child without the comment, so no longer an assumption
    assert "town.villages" not in found


def test_an_assumption_note_in_two_languages_and_a_header_paragraph_that_is_not_one():
    text = """# A header paragraph ending: every number below is an assumption.
extends = "base.toml"
[town]
villages = 40        # assumption: villages and communities | 假设：村和社区
area_km2 = 50        # 假设：镇域面积
residents = 9000     # assumption (a guess)
"""
    found = assumptions([{"path": "c.toml", "text": text}])
    assert set(found) == {"town.villages", "town.area_km2", "town.residents"}  # not extends
    villages, area, residents = found["town.villages"], found["town.area_km2"], found["town.residents"]
    assert (villages.text("zh"), villages.text("en")) == ("假设：村和社区", "assumption: villages and communities")
    assert area.text("zh") == area.text("en") == "假设：镇域面积"  # one language only: as written
    assert (residents.text("zh"), residents.text("en")) == ("假设 (a guess)", "assumption (a guess)")


def test_every_preset_note_reads_in_chinese_and_in_english():
    """A Chinese report shows no English note where the preset gives a Chinese one, and the reverse."""
    files = sorted((ROOT / "scenarios").rglob("*.toml"))
    for f in files:
        for a in assumptions([{"path": str(f), "text": f.read_text(encoding="utf-8")}]).values():
            zh, en = a.text("zh"), a.text("en")
            assert not re.search(r"[A-Za-z]{4,}", re.sub(r"DESIGN|App|grid_staff\.verify_min", "", zh)), (f.name, a.path, zh)
            assert not re.search(r"[\u4e00-\u9fff]", en.replace("代办", "")), (f.name, a.path, en)


def test_differences_are_field_by_field_and_a_one_sided_table_is_one_row():
    a = {"meta": {"name": "a"}, "squads": {"count": 4, "units": [{"id": "UM", "crews": 3}]},
         "party": {"eyes": False}, "incidents": {"categories": [{"name": "g", "share": 0.2}]}}
    b = {"meta": {"name": "b"}, "squads": {"count": 3}, "party": {"eyes": True},
         "incidents": {"categories": [{"name": "g", "share": 0.3}]}}
    d = differences(a, b)
    assert d == [("squads.count", 4, 3), ("squads.units", [{"id": "UM", "crews": 3}], MISSING),
                 ("party.eyes", False, True), ("incidents.categories.g.share", 0.2, 0.3)]


# --- combining replications ----------------------------------------------------------------
def test_by_category_is_combined_across_replications():
    def rep(seed, n, on_time):
        return {"scenario": "s", "days": 2, "seed": seed, "incidents": n, "tier_share": {}, "squads": [],
                "by_category": [{"category": "garbage", "incidents": n, "closure_on_time_share": on_time},
                                {"category": "parking", "incidents": 2 * n, "closure_on_time_share": None}]}

    combined, _ = combine([rep(1, 10, 0.5), rep(2, 14, 0.7), rep(3, 12, 0.9)])
    garbage, parking = combined["by_category"]
    assert garbage["category"] == "garbage"
    assert garbage["incidents"]["mean"] == pytest.approx(12.0)
    lo, hi = garbage["incidents"]["ci95"]
    assert lo == pytest.approx(12 - 4.302653 * 2 / math.sqrt(3), rel=1e-5) and hi == pytest.approx(24 - lo)
    assert garbage["closure_on_time_share"]["mean"] == pytest.approx(0.7)
    assert math.isnan(parking["closure_on_time_share"]["mean"])  # no data: not invented


# --- sweeps ------------------------------------------------------------------------------
def test_main_effects_are_paired_by_replication_and_hold_other_factors_equal():
    design = pd.DataFrame({"point": [0, 1, 2, 3], "squads": [2, 2, 3, 3], "crews": [1, 2, 1, 2]})
    rng = np.random.default_rng(0)
    luck = rng.normal(0, 5, size=4)  # shared by every point in a replication (common random numbers)
    rows = []
    for _, p in design.iterrows():
        for k in range(4):
            value = 10 + 3 * (p.squads == 3) + 1 * (p.crews == 2) + luck[k]
            rows.append({"point": p.point, "replication": k, "squads": p.squads, "crews": p.crews,
                         "measure": "m", "value": value})
    runs = pd.DataFrame(rows)
    eff = main_effects(runs, design, ["squads", "crews"], "squads", 2, "m")
    assert list(eff) == [3]
    assert eff[3].mean == pytest.approx(3.0)
    assert eff[3].hi - eff[3].lo == pytest.approx(0.0, abs=1e-9)  # the shared luck cancels exactly


def test_the_trade_off_uses_squad_measures_for_a_squad_experiment():
    assert tradeoff_measures(["squads.count", "command_centre.dispatch_rule"]) == (
        "share_within_15min_dispatched", "workload_gini.squad_crew", "squad_crews")
    assert tradeoff_measures(["town.grid_division.households_per_grid"])[:2] == (
        "share_within_15min", "workload_gini.worker")


# --- compare's terminal filter -------------------------------------------------------------
def _printed(out: str, table: pd.DataFrame, lang: str = "zh") -> set[str]:
    """The measures whose rows the terminal table shows (each named by its label, as run names it).

    The tiny scenarios' meta.language is zh, so compare's table is in Chinese unless --lang says otherwise.
    """
    lines = [line.strip() for line in out.splitlines()]
    return {m for m in table.measure if any(line.startswith(f"{measure(m, lang)}  ") for line in lines)}


def test_compare_prints_the_headline_set_and_leaves_out_identical_rows(folders, tmp_path):
    out = folders["compare_output"]
    table = pd.read_csv(folders["compare"] / "compare.csv")
    printed = _printed(out, table)
    assert printed and all(cat.is_headline(m) for m in printed)
    assert "incidents" not in printed  # same incidents in A and B (common random numbers)
    assert "A与B相同（在所示位数内）的" in out and "个指标未列出" in out
    warned = [line.removeprefix("警告：") for line in out.splitlines() if line.startswith("警告：")]
    assert any(w.startswith("A和B：") for w in warned), out  # the tiny town's grids, in both: said once
    texts = [w.split("：", 1)[1] for w in warned]
    assert len(texts) == len(set(texts)), out  # no warning twice word for word
    assert len(table) > len(printed)  # the CSV keeps every measure
    a = json.loads((folders["compare"] / "a" / "summary.json").read_text())
    assert a["replications"] == 2 and isinstance(a["by_category"][0]["incidents"], dict)
    r = gridsim("compare", str(folders["a"]), str(folders["b"]), "--days", "2", "--replications", "2",
                "--workers", "1", "--all", "--out", str(tmp_path / "c"), "--lang", "en")
    every = _printed(r.output, table, "en")
    assert printed < every
    assert "incidents" not in every and "events_per_grid_per_month" not in every
    assert "measures that read the same in A and B left out" in r.output and "个指标" not in r.output


# --- the report ----------------------------------------------------------------------------
def _cells(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<td class="num diff ?([a-z]*)(?: ci)?">([^<]*)</td>', html)


def test_compare_report_colours_only_differences_whose_ci_excludes_zero(folders, tmp_path):
    r = gridsim("report", str(folders["compare"]), "--lang", "en")
    assert r.exit_code == 0, r.output
    short = (folders["compare"] / "report.html").read_text(encoding="utf-8")
    # the default is the document for the reader: the appendix is left out, and the end says how to add it
    assert 'id="all"' not in short and 'id="appendix-assumptions"' not in short
    assert f"gridsim report {folders['compare']} --appendix adds it" in _section(short, "appendix")
    r = gridsim("report", str(folders["compare"]), "--lang", "en", "--appendix", "--out", str(tmp_path / "full.html"))
    assert r.exit_code == 0, r.output
    html = (tmp_path / "full.html").read_text(encoding="utf-8")
    assert 'id="all"' in html and 'id="appendix"' not in html and len(short) < len(html)
    assert "<script" not in html and "http://" not in html and "https://" not in html  # nothing to fetch
    coloured = uncoloured = 0
    for cls, text in _cells(html):
        m = re.fullmatch(r"([+-]?[\d.,]+)(?: pt)?\s\[([+-]?[\d.,]+)(?: pt)?, ([+-]?[\d.,]+)(?: pt)?\]", text.strip())
        if m is None:
            continue
        lo, hi = float(m.group(2).replace(",", "")), float(m.group(3).replace(",", ""))
        if lo == 0 == hi:  # both bounds round to zero in the text: which side of zero is not shown
            continue
        excludes = lo > 0 or hi < 0
        assert bool(cls.strip()) == excludes, (cls, text)
        coloured += excludes
        uncoloured += not excludes
    assert coloured and uncoloured
    for section in ("The question and the options", "Headline measures", "Differences B − A and why",
                    "The assumptions the results rest on", "What the model does not capture"):
        assert section in html
    assert "window pooling" in html and "departmental windows" in html  # a field that differs, in words
    assert "assumption: a small test town" not in html.split("Appendix")[0]  # same in A and B: not "touched"
    assert html.count("data:image/png;base64,") >= 3
    # the squads differ, so both options' bases and zones are drawn
    assert ("Squad bases and zones: Xu Xiake town, before the reform" in html
            and "Squad bases and zones: Xu Xiake town, after the 1+4 reform" in html)
    assert "<th>A · Xu Xiake town, before the reform</th>" in html and "xuxiake_pre_reform</th>" not in html
    # workload per role with its CI over the replications, for each option and paired B − A
    from sim.report.workload import two_lines
    from sim.stats import mean_ci

    wl = _section(html, "workload")
    reps = pd.read_parquet(folders["compare"] / "b" / "replications.parquet")
    worker = two_lines(figs_estimate(mean_ci(reps["workload_mean.worker"].to_numpy(float))), "workload_mean.worker")
    assert "\n[" in worker and worker in wl and "grid worker" in wl
    assert "Differences B − A (paired, 2 replications, 95% CI)" in wl and "Town and county departments" in wl
    assert "town departments" in wl and "overtime (h/month)" in wl and "FTE" in wl


def figs_estimate(mlh: tuple[float, float, float]):
    from sim.report.figures import Estimate

    return Estimate(*mlh)


def test_run_report_is_chinese_by_default_and_english_on_request(folders, tmp_path):
    r = gridsim("report", str(folders["run"]))
    assert r.exit_code == 0, r.output
    zh = (folders["run"] / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in zh and "主要指标" in zh and "地图" in zh and "工作量与人员" in zh
    assert "本结果只有1次重复" in zh  # one replication: says there is no interval
    out = tmp_path / "en" / "run.html"
    r = gridsim("report", str(folders["run"]), "--lang", "en", "--out", str(out))
    assert r.exit_code == 0, r.output
    en = out.read_text(encoding="utf-8")
    assert "Headline measures" in en and "Score of each grid" in en and "with squad bases and zones" in en


def test_a_report_and_maps_in_a_run_folder_are_replaced_by_the_next_run(folders, tmp_path):
    """They are made from the run: the next run into the folder replaces them and says so (no --force)."""
    run = tmp_path / "run"
    shutil.copytree(folders["run"], run)
    (run / "report.html").unlink(missing_ok=True)  # written by another test of the shared folder
    assert gridsim("report", str(run)).exit_code == 0
    assert gridsim("map", str(run), "--measure", "score").exit_code == 0
    assert {"report.html", "maps"} <= set(json.loads((run / MANIFEST).read_text())["files"])
    r = gridsim("run", str(folders["b"]), "--days", "2", "--seed", "2", "--out", str(run))
    assert r.exit_code == 0, r.output
    said = "".join(r.output.split())  # in the scenario's language (zh); a line may wrap at the test's width
    assert "已替换" in said and "中先前的结果" in said and "maps" in said and "report.html" in said
    assert not (run / "report.html").exists() and not (run / "maps").exists()  # no report of the old run
    assert json.loads((run / "summary.json").read_text())["seed"] == 2
    (run / "notes.txt").write_text("the user's own file")
    r = gridsim("run", str(folders["b"]), "--days", "2", "--out", str(run))
    assert r.exit_code == 2 and "holds files gridsim did not write there (notes.txt)" in r.output


@pytest.mark.parametrize("args, message", [
    (["report", "{tmp}"], "not a run, compare, sweep or plan folder"),
    (["report", "{tmp}/nowhere"], "no such folder"),
    (["report", "{run}", "--lang", "fr"], "--lang: must be zh or en"),
])
def test_bad_report_requests_are_refused_in_one_line(folders, tmp_path, args, message):
    r = CliRunner().invoke(app, [a.format(tmp=tmp_path, run=folders["run"]) for a in args])
    assert r.exit_code == 2
    assert message in r.output and r.output.count("\n") == 1
    assert not list(tmp_path.glob("*.html"))


SWEEP = """[experiment]
name = "tiny_squads"
scenario = "{scenario}"
replications = 2
base_seed = 1
days = 1

[[factors]]
path = "squads.count"
name = "squads"
levels = [2, 3]

[design]
kind = "full_factorial"

[analysis]
sensitivity = "none"
"""


def test_squad_sweep_report_and_summary_use_squad_measures_and_pair_against_the_base(folders, tmp_path):
    exp = tmp_path / "sweep.toml"
    exp.write_text(SWEEP.format(scenario=folders["b"]), encoding="utf-8")
    r = gridsim("sweep", str(exp), "--workers", "1", "--out", str(tmp_path / "sw"))
    assert r.exit_code == 0, r.output
    r = gridsim("summarize", str(tmp_path / "sw"))
    assert r.exit_code == 0, r.output
    assert "与基准点 1 的配对差异" in r.output  # squads.count = 3 is the base scenario's own value
    assert "个百分点" in r.output and " pt" not in r.output  # a difference of shares, in Chinese words
    trade = pd.read_csv(tmp_path / "sw" / "analysis" / "tradeoff.csv")
    assert {"share_within_15min_dispatched", "workload_gini.squad_crew"} <= set(trade.columns)
    assert "workload_gini.worker" not in trade.columns
    r = gridsim("report", str(tmp_path / "sw"), "--lang", "en")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "sw" / "report.html").read_text(encoding="utf-8")
    assert "judged by squad measures" in html and "Paired differences against the base point" in html
    assert "point 1 (squads=3)" in html
    assert "judged by the workload of squad crews" in _section(html, "workload")
    # a map of the squads at each level of the squad factor, the base point starred
    maps = _section(html, "maps")
    assert "at each level of squads" in maps
    assert "Squad bases and zones: point 0 (squads=2)" in maps and "Squad bases and zones: point 1 ★ (squads=3)" in maps
    assert maps.count("data:image/png;base64,") == 2
    # in Chinese the factor and its levels are words in every table, the workload's too (it showed "squads")
    from sim.report.build import render

    zh = render(tmp_path / "sw", "zh")
    for sid in ("vsbase", "workload"):
        assert "<th>执法中队数</th>" in _section(zh, sid) and "<th>squads</th>" not in _section(zh, sid), sid
    assert html.count("data:image/png;base64,") >= 4


def test_figures_keep_the_cjk_font_after_seaborn_resets_the_defaults():
    import seaborn as sns

    from sim.fonts import cjk_font
    from sim.report import figures as figs

    if cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-wqy-microhei)")
    sns.set_theme()  # what compare and summarize do before their own figures
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" would fail here
        src = figs.bars_ci(["网格解决占比"], ["方案"], {("方案", "网格解决占比"): figs.Estimate(0.5, 0.4, 0.6)},
                           "各层级解决占比", "百分比")
    assert src.startswith("data:image/png;base64,")


def test_two_variants_of_one_preset_are_told_apart_and_their_grids_mapped(folders, tmp_path):
    finer = tmp_path / "finer.toml"
    finer.write_text(folders["b"].read_text(encoding="utf-8").replace(
        "[run]", "[town.grid_division]\nhouseholds_per_grid = 300   # assumption: smaller grids\n[run]"),
        encoding="utf-8")
    r = gridsim("compare", str(folders["b"]), str(finer), "--days", "1", "--replications", "2", "--workers", "1",
                "--out", str(tmp_path / "c"))
    assert r.exit_code == 0, r.output  # both are named xuxiake_1plus4: the figures need two names
    r = gridsim("report", str(tmp_path / "c"), "--lang", "en")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert "Grid division: A: after" in html and "Grid division: B: finer" in html
    assert "households per grid" in _section(html, "assumptions") and "smaller grids" in html


def test_compare_says_each_mechanism_once_with_inputs_in_words_and_chinese_punctuation(folders):
    """A new user read the same two bullets under four measures, code paths and ';' inside Chinese."""
    from sim.report.build import render

    zh = render(folders["compare"], "zh")
    diff = zh[zh.index("较大的差异及其机制"):]
    diff = diff[:diff.index("</section>")]
    heads = re.findall(r'<p class="mech-head[^"]*">([^<]*)</p>', diff)
    bullets = re.findall(r"<li>(.*?)</li>", diff, re.S)
    assert len([h for h in heads if "：" in h and "→" in h]) >= 2 and bullets  # several measures, their stages
    stages = [re.match(r"<b>([^<]*)</b>", b).group(1) for b in bullets]  # type: ignore[union-attr]
    assert len(stages) == len(set(stages))  # each stage said once
    text = re.sub(r"<[^>]+>", "", diff)
    assert ";" not in text and ": " not in text and "影响上列的：" in text
    assert not re.search(r"[a-z_]+\.[a-z_]+", text), text  # no field path: the changed inputs in words
    en = render(folders["compare"], "en")
    assert "drives, of those above: " in en and "；" not in en[en.index("Large differences"):]


def test_a_difference_of_floating_point_rounding_is_no_difference():
    """The 联络员 Gini difference B − A = 2.2e-16 read 0.000 and was shaded red ("worse")."""
    from sim.report.build import diff_class
    from sim.report.catalogue import excludes_zero

    assert not excludes_zero(2.2e-16, 2.2e-16) and not excludes_zero(-2.2e-16, 2.2e-16)
    assert diff_class("workload_gini.liaison", figs_estimate((2.2e-16, 2.2e-16, 2.2e-16))) == ""
    assert excludes_zero(0.003, 0.003) and excludes_zero(-0.2, -0.1) and not excludes_zero(-0.1, 0.2)


def _section(html: str, sid: str) -> str:
    start = html.index(f'<section id="{sid}">')
    return html[start:html.index("</section>", start)]


def test_plan_bases_report_marks_every_verdict_and_maps_every_plan_with_the_gis_drawing(folders, tmp_path,
                                                                                          monkeypatch):
    out = tmp_path / "pb"
    r = gridsim("plan", "bases", str(folders["b"]), "--squads", "2", "--verify", "2", "--days", "1",
                "--workers", "1", "--out", str(out))
    assert r.exit_code == 0, r.output
    import sim.geo.maps as geo_maps

    drawn: list[dict] = []
    real = geo_maps.draw_choropleth

    def spy(*args, **kwargs):
        drawn.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(geo_maps, "draw_choropleth", spy)
    r = gridsim("report", str(out))
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and "执法中队驻地与辖区方案" in html
    plans = pd.read_csv(out / "bases.csv")
    verdicts = json.loads((out / "plan.json").read_text())["verification"]["verdicts"]
    assert set(verdicts) == set(plans.id) - {"current"}
    # every proposal's verdict is in the proposals table, unconfirmed ones in their own colour, with a reason
    table = _section(html, "proposals")
    for pid, v in verdicts.items():
        word = "已确认" if v["verdict"] == "confirmed" else "未确认"
        assert f'class="verdict {v["verdict"]}">{word}' in table, pid
    check = _section(html, "verify")
    assert check.count('class="verdict ') == len(verdicts)
    assert "15分钟到场率（派中队的事件） B − A" in check  # the target measure, paired
    # every proposal's price (staff and yuan a year against today) in the main body, in 万元
    from sim.plan.verify import price
    from sim.report.plan import money

    v = pd.read_csv(out / "verify.csv")
    for pid in verdicts:
        p = price(v[v.plan == pid])
        assert money(p.cost_per_year, "zh", True) in table and money(p.cost_per_year, "zh", True) in check, pid
    assert "人员与每年人员成本（较今天）" in table and "元" in table
    # bases named alike in the table and on the maps: squad, site and village; no raw coordinates
    assert "(" not in _section(html, "question").split("今天的方案")[1]
    labels = [b.strip() for row in plans.base_labels for b in row.split(";")]
    assert all(lab.startswith("S") and " " in lab for lab in labels)
    assert all(lab in table for lab in labels)
    assert sorted(n for k in drawn for n in k["bases"].squad) == sorted(labels)
    # one map per plan (today's and each proposal), each drawn by sim.geo with zones and bases
    maps_html = _section(html, "maps")
    assert maps_html.count("<figure") == len(plans)
    assert "pmedian" not in maps_html and "p-中位 K=2" in maps_html  # methods in words, not ids
    assert len(drawn) == len(plans) and all(k["zones"] is not None and k["bases"] is not None for k in drawn)
    assert "假设：a small test town" in _section(html, "assumptions")  # town.villages: the demand's layout
    assert 'id="verify-all"' not in html and "--appendix" in _section(html, "appendix")  # every measure: on request


def test_plan_grids_report_without_verification_says_so_and_maps_both_divisions(folders, tmp_path):
    out = tmp_path / "pg"
    r = gridsim("plan", "grids", str(folders["b"]), "--households", "100..500", "--out", str(out))
    assert r.exit_code == 0, r.output
    r = gridsim("report", str(out), "--lang", "en")
    assert r.exit_code == 0, r.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Grid division: xuxiake_1plus4" in html and "not verified by simulation" in html
    assert "grids inside the household range" in html and 'id="verify"' not in html
    n = len(pd.read_csv(out / "grids.csv"))
    assert f"Grid division: proposal ({n} grids)" in html and "Grid division: today (" in html
    assert _section(html, "maps").count("<figure") == 3  # today, proposal, proposal's expected events


# --- what a reader of the Chinese page met (the squads comparison): words, units, single numbers ----------
def test_categories_are_named_in_the_readers_language(folders, tmp_path):
    from sim.report.build import category_names
    from sim.report.data import load_option

    for lang, name, other in (("zh", "暴露垃圾", "exposed garbage"), ("en", "exposed garbage", "暴露垃圾")):
        out = tmp_path / f"{lang}.html"
        r = gridsim("report", str(folders["compare"]), "--lang", lang, "--out", str(out))
        assert r.exit_code == 0, r.output
        cats = _section(out.read_text(encoding="utf-8"), "category")
        assert f"<td class=\"\">{name}</td>" in cats and other not in cats
        assert "exposed_garbage" not in cats and "illegal_parking" not in cats  # no code on the page
    en = _section((tmp_path / "en.html").read_text(encoding="utf-8"), "category")
    # the scenario's own English names (label_en), not its codes turned into words
    assert "clutter, laundry and small ads" in en and "noise and cooking fumes" in en
    assert "clutter laundry ads" not in en and "noise fumes" not in en
    b = load_option(folders["compare"] / "b")
    assert category_names([b], "zh")["illegal_parking"] == "违章停车"
    b.snapshot = None  # a folder without its scenario: the code is all there is
    assert category_names([b], "zh") == {}


def test_an_interval_without_width_is_a_single_number_and_zero_has_no_sign():
    assert cat.fmt_ci(1086.0, 1086.0, 1086.0, "staff_headcount.total") == "1,086"
    assert cat.fmt_ci(-12.0, -12.0, -12.0, "staff_headcount.total", signed=True) == "-12"
    assert cat.fmt_ci(0.0, -1e-17, 1e-17, "closure_on_time_share", signed=True) == "0.0 pt"
    assert cat.fmt(-0.0001, "closure_on_time_share", signed=True) == "0.0 pt"
    assert cat.fmt(-0.0, "problem_to_scene_p50_min", signed=True) == "0.00"
    assert cat.fmt(0.2, "closure_on_time_share", signed=True) == "+20.0 pt"
    assert cat.fmt(-1_320_000.0, "staff_cost_per_year.total", signed=True) == "-1,320,000"
    # an interval with width keeps its brackets, signed both ways
    assert cat.fmt_ci(-0.001, -0.011, 0.01, "closure_on_time_share", signed=True) == "-0.1 pt [-1.1 pt, +1.0 pt]"
    assert cat.fmt_ci(0.5, math.nan, math.nan, "closure_on_time_share") == "50.0%"  # one replication
    # percentage points in the reader's language
    assert cat.fmt(0.2, "closure_on_time_share", signed=True, lang="zh") == "+20.0个百分点"
    # in Chinese the word follows the mean alone: on each bound it wrapped a table's cell over three lines
    assert cat.fmt_ci(-0.001, -0.011, 0.01, "closure_on_time_share", signed=True, lang="zh") == "-0.1个百分点 [-1.1, +1.0]"
    assert cat.fmt_ci(0.009, 0.00046, 0.018, "closure_on_time_share", True, "zh") == "+0.9个百分点 [+0.046, +1.8]"


def test_chinese_reports_say_percentage_points_in_chinese(folders):
    """A Chinese compare report never says "pt": a difference of shares reads 个百分点, in tables and sentences."""
    from sim.report.build import render

    zh = render(folders["compare"], "zh")
    assert "个百分点" in _section(zh, "headline") and " pt" not in zh
    assert " pt" in render(folders["compare"], "en")


def test_the_compare_report_shows_a_headcount_every_replication_shares_as_one_number(folders, tmp_path):
    out = tmp_path / "en.html"
    r = gridsim("report", str(folders["compare"]), "--lang", "en", "--out", str(out))
    assert r.exit_code == 0, r.output
    head = _section(out.read_text(encoding="utf-8"), "headline")
    row = re.search(r"<td class=\"\">headcount: total</td>(.*?)</tr>", head, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert len(cells) == 3 and all("[" not in c for c in cells) and all(re.fullmatch(r"[+-]?[\d,]+", c.strip())
                                                                        for c in cells), cells
    assert not re.search(r"-0\.0+(?!\d)", out.read_text(encoding="utf-8"))  # no negative zero anywhere


@pytest.mark.parametrize(("lang", "title", "ticks"), [("zh", "金额（万元）", "4,272"),
                                                      ("en", "amount (million yuan)", "42.7")])
def test_money_axes_are_in_readable_units_without_an_offset(monkeypatch, lang, title, ticks):
    import matplotlib.pyplot as plt

    from sim.report import figures as figs
    from sim.report.build import money_units, unit_titles

    drawn: list = []

    def keep(fig) -> str:  # the figure itself instead of its PNG
        drawn.append(fig)
        return ""

    monkeypatch.setattr(figs, "embed", keep)
    cost = "staff_cost_per_year.total"
    e = figs.Estimate(42_721_200.0, 42_700_000.0, 42_740_000.0)
    figs.ci_panels([(cost, "cost"), ("incidents", "n")], ["A"], {("A", cost): e, ("A", "incidents"): e},
                   "t", unit_titles(lang), money_units(lang))
    figs.forest([(cost, "cost", figs.Estimate(-1_320_000.0, -1_400_000.0, -1_250_000.0), "red")], "t",
                unit_titles(lang, diff=True), money_units(lang))
    assert len(drawn) == 2
    for fig in drawn:
        fig.canvas.draw()
        money = [ax for ax in fig.axes if ax.get_xlabel() == title]
        assert len(money) == 1, [ax.get_xlabel() for ax in fig.axes]
        ax = money[0]
        assert ax.xaxis.get_offset_text().get_text() == ""
        labels = [tick.get_text() for tick in ax.get_xticklabels()]
        assert all("e" not in x for x in labels), labels
    assert any(ticks[:3] in tick.get_text() for tick in drawn[0].axes[0].get_xticklabels())
    for fig in drawn:
        plt.close(fig)


def test_the_known_limits_say_which_clock_limits_run_on():
    from sim.report.text import t

    zh, en = t("limits", "zh"), t("limits", "en")
    assert "工作时间" in zh and "limit_clock" in zh and "轮休" in zh and "而非工作时间" not in zh
    assert "working time" in en and 'limit_clock = "working"' in en and "rota" in en
    assert "not working hours" not in en and "repeat every day" not in en


def _reps(**measures: list[float]):
    from sim.report.data import Option

    n = len(next(iter(measures.values())))
    return Option(Path("x"), {}, pd.DataFrame({"seed": range(1, n + 1), **measures}), None)


def test_the_compare_report_never_calls_a_deterministic_difference_no_difference():
    """Staff the scenarios set differ by the same amount in every replication (a CI of zero width): still a difference."""
    from sim.report.build import _no_story

    cost, share = "staff_cost_per_year.total", "closure_on_time_share"
    a = _reps(**{cost: [42_721_200.0] * 3, share: [0.98, 0.97, 0.99], "staff_headcount.total": [1086.0] * 3})
    b = _reps(**{cost: [43_381_200.0] * 3, share: [0.981, 0.972, 0.99], "staff_headcount.total": [1092.0] * 3})
    names = [cost, share, "staff_headcount.total"]
    en, zh = _no_story(names, a, b, "en"), _no_story(names, a, b, "zh")
    assert len(en) == len(zh) == 1  # the share's difference has an interval around 0: not listed
    assert en[0].startswith("staff cost a year (yuan): total (+660,000); headcount: total (+6): staff set by each scenario")
    assert "No headline difference" not in en[0] and "closed on time" not in en[0]
    assert zh[0].startswith("年人员成本（元）：合计（+660,000）、人数：合计（+6）：人员由两个情景各自设定") and "不含0。" not in zh[0]
    # a small difference that is one (1 point in every replication) is named as small, not as none
    b = _reps(**{cost: [42_721_200.0] * 3, share: [0.99, 0.98, 1.0], "staff_headcount.total": [1086.0] * 3})
    (line,) = _no_story(names, a, b, "en")
    assert line.startswith("closed on time (+1.0 pt): the interval of the difference excludes 0, but the change is small")
    # and only when nothing differs is there no difference
    assert _no_story(names, a, a, "en") == ["No headline difference has an interval excluding 0."]
    assert _no_story(names, a, a, "zh") == ["没有哪个主要指标的差异置信区间不含0。"]


@pytest.mark.parametrize(("lang", "title"), [("zh", "金额（万元）"), ("en", "amount (million yuan)")])
def test_the_sweep_effects_chart_reads_money_in_the_reports_units(monkeypatch, lang, title):
    import matplotlib.pyplot as plt

    from sim.report import figures as figs
    from sim.report.build import money_units

    drawn: list = []

    def keep(fig) -> str:  # the figure itself instead of its PNG
        drawn.append(fig)
        return ""

    monkeypatch.setattr(figs, "embed", keep)
    levels = [("10", figs.Estimate(42_061_200.0, 42_061_200.0, 42_061_200.0)),
              ("14", figs.Estimate(43_381_200.0, 43_381_200.0, 43_381_200.0))]
    share = [("10", figs.Estimate(0.8, 0.7, 0.9)), ("14", figs.Estimate(0.85, 0.8, 0.9))]
    figs.effect_grid({"cost": {"officers": levels}, "share": {"officers": share}}, {"cost": "money", "share": "share"},
                     "t", "%", money_units(lang))
    (fig,) = drawn
    fig.canvas.draw()
    money, pct = fig.axes
    assert money.get_ylabel() == title and pct.get_ylabel() == "%"
    assert money.yaxis.get_offset_text().get_text() == ""  # no "1e7" above the axis
    ticks = [tick.get_text() for tick in money.get_yticklabels() if tick.get_text()]
    low, high = (4206, 4338) if lang == "zh" else (42.06, 43.38)
    values = [float(x.replace(",", "")) for x in ticks]
    assert ticks and all("e" not in x for x in ticks) and min(values) <= high and max(values) >= low, ticks
    plt.close(fig)


# --- a plan's price, for the leadership that reads the report ----------------------------------------
def test_money_reads_in_the_units_of_the_readers_language():
    from sim.report.plan import money

    assert money(5_859_000, "zh", True) == "+585.9万元" and money(5_859_000, "en", True) == "+5.86 million yuan"
    assert money(-1_320_000, "zh", True) == "-132.0万元" and money(1_320_000, "en") == "1.32 million yuan"
    assert money(2.5e8, "zh") == "2.50亿元" and money(42_000, "en") == "42.00 thousand yuan"
    assert money(0.0, "zh", True) == "0元" and money(float("nan"), "en") == "–"


def test_a_confirmed_plan_that_costs_more_says_so_in_its_verdict():
    from sim.plan.verify import Price
    from sim.report.plan import price_clause, price_text

    dearer, cheaper = Price(210, 84.0, 5_859_000), Price(-12, -12.0, -1_320_000)
    assert price_clause(dearer, "confirmed", "zh") == "，但每年多花585.9万元（+210人）"
    assert price_clause(dearer, "confirmed", "en") == ", but it costs 5.86 million yuan more a year (+210 staff)"
    assert price_clause(cheaper, "confirmed", "en") == ", and it saves 1.32 million yuan a year (-12 staff)"
    assert price_clause(dearer, "unconfirmed", "en") == (
        "; price: +210 staff (+84.0 full-time equivalents), +5.86 million yuan a year")
    # a saving the simulation did not confirm is not worded as a price (was '代价：-12人…每年人员成本-132.0万元')
    assert price_clause(cheaper, "unconfirmed", "zh") == "；可节省12人（折合全职12.0人），每年人员成本132.0万元"
    assert price_clause(cheaper, "unconfirmed", "en") == (
        "; it would save 12 staff (12.0 full-time equivalents) and 1.32 million yuan a year")
    assert price_text(Price(0, 0.0, 0.0), "zh") == "人员与成本不变"
    assert price_text(Price(3, 1.5, float("nan")), "en") == "+3 staff (+1.5 full-time equivalents)"  # no salaries given
    unknown = Price(float("nan"), float("nan"), float("nan"))  # a folder from before staff were measured
    assert price_text(unknown, "zh") == "–" and price_clause(unknown, "confirmed", "en") == ""


def test_squads_without_a_base_read_as_placed_by_the_model_with_their_trades():
    """The pre-reform teams list no base (the model places them) and serve some domains only: no '(nan, nan)'."""
    from sim.config import read_scenario_data
    from sim.report.build import units_text

    units = read_scenario_data(ROOT / "scenarios" / "xuxiake_pre_reform.toml")["squads"]["units"]
    zh, en = units_text(units, "zh"), units_text(units, "en")
    assert "nan" not in zh + en
    assert "SAFE 驻地自动布设，2个执法组，辖区按距离划分，仅负责安全生产" in zh
    assert "SAFE base placed by the model, 2 crews, zone by distance, only work safety" in en
    assert "S1 驻地 (1.0, 2.0) 公里" in units_text([{"id": "S1", "base": [1, 2], "crews": 3, "zone": ["V1"]}], "zh")


def test_a_departments_inspectors_read_as_words_not_a_table_dump():
    from sim.config import read_scenario_data
    from sim.report.build import value_text

    v = read_scenario_data(ROOT / "scenarios" / "xuxiake_pre_reform.toml")["grid_staff"]["inspectors"]["civil_affairs"]
    path = "grid_staff.inspectors.civil_affairs"
    assert value_text(v, "zh", path) == "每格1人（按10%工时计），职责：巡查、处置，领域：民政、司法"
    assert value_text(v, "en", path) == "1 a grid at 10% time, duties: patrol, fix; domains: civil affairs, justice"


def test_a_one_run_report_promises_no_interval_and_says_what_its_zeros_and_cost_total_mean(folders, tmp_path):
    """One replication: no "95% CI" or "second line" promised; a median response of 0 reads "on the spot";
    the cost total says which counted staff it leaves out; the title names the scenario, the file is secondary."""
    from sim.report.build import render

    zh, en = render(folders["run"], "zh"), render(folders["run"], "en")
    assert "1次重复）" not in zh and "第二行" not in zh and "95%置信区间，1次" not in zh
    assert zh.count("1次运行，无置信区间") >= 4  # headline table and chart, tiers, channels, workload
    assert "1 replication)" not in en and "second line" not in en and "(one run, no confidence interval)" in en
    assert "0（当场处置）" in zh and "上报时人已在场，到场时间记为0" in zh
    assert "0 (on the spot)" in en and "0.00" not in _section(zh, "category")
    assert "年人员成本合计不含镇职能部门人员、县级部门人员共" in zh
    assert "The staff cost total leaves out town department staff, county department staff" in en
    assert "<h1>仿真结果报告：徐霞客镇（“1+4”改革后）</h1>" in zh and "情景文件 after.toml · 2天" in zh
    assert "<h1>Simulation report: Xu Xiake town, after the 1+4 reform</h1>" in en
    # the departments' table is headed by that name too, not by the scenario's id
    assert "<th>指标</th><th>徐霞客镇（“1+4”改革后）</th>" in _section(zh, "workload")
    assert "<th>measure</th><th>Xu Xiake town, after the 1+4 reform</th>" in _section(en, "workload")
    assert "xuxiake_1plus4" not in _section(zh, "workload") + _section(en, "workload")


def test_a_money_measure_on_a_chart_leaves_its_unit_to_the_axis():
    from sim.report.build import chart_label

    assert cat.label("staff_cost_per_year.total", "zh") == "年人员成本（元）：合计"
    assert chart_label("staff_cost_per_year.total", "zh") == "年人员成本：合计"
    assert chart_label("staff_cost_per_year.total", "en") == "staff cost a year: total"
    assert chart_label("staff_fte.total", "zh") == cat.label("staff_fte.total", "zh")

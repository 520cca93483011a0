"""The rest of "1+4": Party effects switch off cleanly; the pre-reform town behaves as described."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from conftest import SMALL_TOWN, make_scenario

from sim.config import load_scenario
from sim.labels import measure
from sim.model import TownModel
from sim.report.catalogue import is_headline

ROOT = Path(__file__).resolve().parents[1]
PRE = ROOT / "scenarios" / "xuxiake_pre_reform.toml"
POST = ROOT / "scenarios" / "xuxiake_1plus4.toml"


def _records(overrides=None, base=POST, days=12, seed=5):
    m = TownModel(make_scenario(overrides, base=base), seed=seed, days=days)
    m.run()
    m.finish()
    return m, m.log.frame().sort_values("id").reset_index(drop=True)


def test_party_eyes_only_add_a_channel():
    _, on = _records()
    _, off = _records({"party.eyes": False})
    assert (on.channel == "party").sum() >= 10
    assert (off.channel == "party").sum() == 0
    # Every incident the Party did not report first is noticed at the same moment either way.
    same = on.channel != "party"
    assert np.allclose(on.reported_at[same], off.reported_at[same], equal_nan=True)
    eyes = set(make_scenario().party.eyes_categories)
    assert set(on.category[on.channel == "party"].astype(str)) <= eyes


def test_party_mediation_settles_disputes_in_the_grid():
    _, on = _records({"incidents.categories.neighbour_dispute.share": 0.5})
    _, off = _records({"incidents.categories.neighbour_dispute.share": 0.5, "party.mediation": False})
    d_on = on[on.category == "neighbour_dispute"]
    d_off = off[off.category == "neighbour_dispute"]
    assert (d_on.tier == "grid").mean() > (d_off.tier == "grid").mean() + 0.05
    other_on = on[on.category != "neighbour_dispute"]
    other_off = off[off.category != "neighbour_dispute"]
    assert np.allclose(other_on.reported_at, other_off.reported_at, equal_nan=True)


def test_convening_keeps_hard_cases_the_town_failed_in_the_town():
    # Illegal construction (severity 4) the squads fail on goes to the county without
    # convening and stays in the town with it (难事不出镇); referrals and the county's own
    # categories (enterprise pollution) go to the county either way.
    more = {"incidents.categories.illegal_construction.share": 0.3,
            "incidents.categories.illegal_construction.resolve_prob": {"town": 0.2},
            "incidents.categories.illegal_construction.county_referral_prob": 0.0,
            "incidents.categories.enterprise_pollution.share": 0.2}
    _, on = _records(more)
    _, off = _records({**more, "party.convening": False})
    con_on = on[(on.category == "illegal_construction") & on.tier.notna()]
    con_off = off[(off.category == "illegal_construction") & off.tier.notna()]
    assert len(con_on) > 20
    assert set(con_on.tier.astype(str)) == {"town"}
    assert (con_off.tier.astype(str) == "county").mean() > 0.5
    for rec in (on, off):
        pol = rec[(rec.category == "enterprise_pollution") & rec.tier.notna()]
        assert len(pol) > 5 and set(pol.tier.astype(str)) == {"county"}


def test_before_the_reform_departments_see_only_their_categories():
    sc = make_scenario(base=PRE)
    m = TownModel(sc, seed=2, days=8)
    m.run()
    m.finish()
    rec = m.log.frame()
    roles = sc.grid_staff.all_roles()
    domain_of = {c.name: c.domain for c in sc.incidents.categories}
    fixed_by_inspector = rec[rec.handler.str.contains("_inspector")]
    assert len(fixed_by_inspector) > 50
    for h, cat in zip(fixed_by_inspector.handler, fixed_by_inspector.category.astype(str), strict=True):
        role = h.split("/")[1].rsplit("-", 1)[0]
        assert domain_of[cat] in (roles[role].domains or [])
    # Siloed teams: a crew only ever takes its own domains.
    squads = {s.squad_id: s for s in m.squads}
    by_crew = rec[rec.handler.str.match(r"^(UM1|UM2|SAFE|ENV)-\d+$")]
    assert len(by_crew) > 20
    for h, cat in zip(by_crew.handler, by_crew.category.astype(str), strict=True):
        assert squads[h.rsplit("-", 1)[0]].serves(domain_of[cat])
    # No centre: no alarms and no verification step.
    assert m.centre.alarms_raised == 0
    closed = rec.dropna(subset=["closed_at"])
    assert (closed.closed_at == closed.resolved_at).all()


def test_reform_buys_a_fifteen_minute_response_and_keeps_matters_in_the_grid():
    pre = TownModel(make_scenario(base=PRE), seed=4, days=10)
    post = TownModel(make_scenario(base=POST), seed=4, days=10)
    for m in (pre, post):
        m.run()
        m.finish()
    a, b = pre.log.frame(), post.log.frame()
    assert len(a) == len(b)  # common random numbers: the same incidents
    assert np.allclose(np.sort(a.occurred_at), np.sort(b.occurred_at))
    fifteen = {"illegal_parking", "street_vending"}

    def share15(df: pd.DataFrame) -> float:
        d = df[df.category.astype(str).isin(fifteen) & df.dispatched_at.notna()]
        return float(((d.arrived_at - d.reported_at) <= 15).mean())

    assert share15(b) > share15(a) + 0.4
    assert (b.tier == "grid").mean() > (a.tier == "grid").mean() + 0.4


def test_compare_command_writes_table_and_figures(tmp_path):
    small = tmp_path / "a.toml"
    small.write_text(
        f'extends = "{POST}"\n[town]\narea_km2 = {SMALL_TOWN["town.area_km2"]}\n'
        f'residents = {SMALL_TOWN["town.residents"]}\nvillages = {SMALL_TOWN["town.villages"]}\n',
        encoding="utf-8",
    )
    other = tmp_path / "b.toml"
    other.write_text(f'extends = "{small}"\n[meta]\nname = "nearest"\n[command_centre]\n'
                     'dispatch_rule = "nearest_idle"\n', encoding="utf-8")
    out = tmp_path / "cmp"
    r = subprocess.run([sys.executable, "-m", "sim", "compare", str(small), str(other), "--replications", "3",
                        "--days", "3", "--workers", "1", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    table = pd.read_csv(out / "compare.csv")
    inc = table[table.measure == "incidents"].iloc[0]
    assert inc.diff_mean == 0 and inc.diff_lo == 0  # same incidents in both (CRN)
    assert {"compare_shares.png", "compare_tiers.png"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "compare.json").read_text())["b"] == "nearest"
    from sim.compare import reads_identical

    same = reads_identical(table)  # a difference below the digits shown is left out with the identical rows
    shown = [m for m in table.measure[table.diff_mean != 0] if is_headline(m) and m not in same]  # named by label
    # in the scenario's language (meta.language = "zh"), as its report
    assert shown and all(measure(m, "zh") in r.stdout and m not in r.stdout for m in shown), r.stdout


def test_compare_table_names_measures_as_run_does_and_fits_100_columns():
    """The terminal table: labels (not codes), mean ± CI in the report's units, numbers whole at 100 columns."""
    from rich.console import Console

    from sim.compare import terminal_table

    rows = pd.DataFrame([
        {"measure": "share_within_15min_dispatched", "a_mean": 0.0, "a_lo": 0.0, "a_hi": 0.0,
         "b_mean": 0.857, "b_lo": 0.711, "b_hi": 1.003, "diff_mean": 0.857, "diff_lo": 0.711, "diff_hi": 1.003},
        {"measure": "problem_to_scene_p90_min", "a_mean": 4299.4, "a_lo": 3420.7, "a_hi": 5178.1,
         "b_mean": 1235.9, "b_lo": 821.4, "b_hi": 1650.4, "diff_mean": -3063.5, "diff_lo": -3527.6, "diff_hi": -2599.4},
        {"measure": "workload_max.squad_crew", "a_mean": 0.56, "a_lo": 0.206, "a_hi": 0.914,
         "b_mean": 0.563, "b_lo": 0.468, "b_hi": 0.658, "diff_mean": 0.002, "diff_lo": -0.447, "diff_hi": 0.451},
        {"measure": "staff_cost_per_year.total", "a_mean": 31_542_000.0, "a_lo": 31_542_000.0, "a_hi": 31_542_000.0,
         "b_mean": 42_721_200.0, "b_lo": 42_721_200.0, "b_hi": 42_721_200.0,
         "diff_mean": 11_179_200.0, "diff_lo": 11_179_200.0, "diff_hi": 11_179_200.0},
    ])
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(terminal_table(rows, "A vs B: 8 days × 2 paired replications", "en"))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 100
    for name, numbers in (("share_within_15min_dispatched", "0.0 ± 0%   85.7 ± 14.6%   +85.7 ± 14.6 pt"),
                          ("problem_to_scene_p90_min", "4,299 ± 879   1,236 ± 415   -3,064 ± 464"),
                          ("workload_max.squad_crew", "56.0 ± 35.4%   56.3 ± 9.5%   +0.2 ± 44.9 pt"),
                          ("staff_cost_per_year.total", "31,542,000 ± 0   42,721,200 ± 0   +11,179,200 ± 0")):
        row = [" ".join(line.split()) for line in lines if " ".join(numbers.split()) in " ".join(line.split())]
        assert len(row) == 1 and row[0].startswith(measure(name, "en")[:30]), (name, lines)  # a long name may wrap
    assert not any("share_within_15min" in line or "squad_crew" in line for line in lines)
    assert "[low, high] where cut at the measure's range" in " ".join(lines)  # the caption's brackets are text
    # in Chinese the points are 个百分点, and the table still fits
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(terminal_table(rows, "A与B", "zh"))
    zh = console.export_text()
    assert max(len(line) for line in zh.splitlines()) <= 100
    assert "+85.7 ± 14.6个百分点" in zh and "+0.2 ± 44.9个百分点" in zh and " pt" not in zh


def test_presets_load():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        assert load_scenario(path).meta.name == path.stem


def test_compare_figures_speak_the_reports_language(tmp_path, monkeypatch):
    """gridsim compare's PNGs: title, measures and axis in the folder's language (the report's), shares in %,
    and one figure per unit where a group mixes them (the service hall's minutes and shares)."""
    import re

    from matplotlib.figure import Figure

    from sim.compare import plot_groups

    def summary(k: int, shift: float) -> dict:
        return {"share_within_15min": 0.8 + shift + 0.01 * k, "closure_on_time_share": 0.9 + 0.01 * k,
                "hall_wait_mean_min": 3.0 + k + shift, "hall_wait_share": 0.2 + 0.01 * k, "incidents": 100 + k}

    a, b = [summary(k, 0.0) for k in range(3)], [summary(k, 0.05) for k in range(3)]
    seen: dict[str, list[str]] = {}
    save = Figure.savefig

    def record(fig, path, *args, **kw):
        ax = fig.axes[0]
        seen[Path(path).name] = [ax.get_title(), ax.get_ylabel(), *(t.get_text() for t in ax.get_xticklabels())]
        return save(fig, path, *args, **kw)

    monkeypatch.setattr(Figure, "savefig", record)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for lang in ("zh", "en"):
        seen.clear()
        plot_groups(a, b, "A", "B", tmp_path, lang)
        assert set(seen) == {"compare_shares.png", "compare_service_hall_minutes.png", "compare_service_hall_share.png"}
        words = [w for texts in seen.values() for w in texts]
        assert all(bool(cjk.search(w)) == (lang == "zh") for w in words), (lang, words)
        assert not [w for w in words if "_" in w], words  # names, not codes
        shares = seen["compare_shares.png"]
        assert shares[1] == ("百分比（%）" if lang == "zh" else "per cent (%)")
        assert measure("closure_on_time_share", lang) in [w.replace("\n", "") for w in shares[2:]]

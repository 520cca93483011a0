"""``gridsim analytic`` and ``gridsim validate`` in-process: the numbers they print match
Erlang C worked out here from the scenario's own rates, and bad options are one line."""

from __future__ import annotations

import math
import re

import pytest
from conftest import DEFAULT, ROOT
from typer.testing import CliRunner

from sim.cli import app

TEXTBOOK = ROOT / "scenarios" / "textbook"


def gridsim(*args: str):
    return CliRunner().invoke(app, list(args))


def erlang_c(a: float, c: int) -> float:
    """P(wait) in M/M/c with offered load ``a`` erlangs (the textbook formula, written out)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def row(out: str, label: str) -> list[str]:
    line = next(x for x in out.splitlines() if label in x)
    return [cell.strip() for cell in line.split("│")[2:] if cell.strip()]


def test_analytic_hall_is_erlang_c():
    """M/M/4: λ = 131,400 cases a year = 0.25/min, service 12 min → a = 3 erlangs."""
    r = gridsim("analytic", str(TEXTBOOK / "mmc_hall.toml"))
    assert r.exit_code == 0, r.stderr
    lam, mean_service, c = 131_400 / 525_600, 12.0, 4
    a = lam * mean_service
    p = erlang_c(a, c)
    wait = p / (c / mean_service - lam)
    assert row(r.stdout, "all windows") == [
        str(c), f"{100 * a / c:.1f}%", f"{100 * p:.1f}%", f"{wait:.3f}", f"{100 * p * math.exp(-15 / wait * p):.1f}%"]
    assert "hypercube" not in r.stdout  # no squads in this town


def test_analytic_squads_as_a_hypercube():
    """3 crews, nearest idle, negligible travel, infinite queue: as a whole an M/M/3 queue
    (λ = 10,000 residents × 26,280 per 10k a year = 0.05/min, 30 min on scene: a = 1.5)."""
    r = gridsim("analytic", str(TEXTBOOK / "hypercube_3squads.toml"))
    assert r.exit_code == 0, r.stderr
    title = " ".join(r.stdout.split("┏")[0].split())  # the table title, unwrapped
    assert title == "Squads as a hypercube (exact): 3 crews, 4 grids, mean busy time 30.0 min"
    a, c = 0.05 * 30, 3
    p = erlang_c(a, c)
    assert row(r.stdout, "share of squad calls that wait for a crew") == [f"{100 * p:.1f}%"]
    assert row(r.stdout, "mean wait for a squad crew (min)") == [f"{p * 30 / (c - a):.3f}"]
    util = [float(row(r.stdout, f"squad U{k}: utilisation")[0].rstrip("%")) for k in (1, 2, 3)]
    share = [float(row(r.stdout, f"squad U{k}: share of calls")[0].rstrip("%")) for k in (1, 2, 3)]
    assert sum(share) == pytest.approx(100.0, abs=0.2)
    assert sum(util) == pytest.approx(100 * a, abs=0.2)  # the crews carry the whole offered load
    for u, s in zip(util, share, strict=True):  # one crew each: utilisation = share × a
        assert u == pytest.approx(s * a, abs=0.1)
    assert util == sorted(util, reverse=True)  # the first unit is nearest the most households


def test_analytic_lists_the_assumptions_the_preset_breaks():
    r = gridsim("analytic", str(DEFAULT), "--lang", "en")
    assert r.exit_code == 0, r.stderr
    broken = re.findall(r"assumption broken: (.*)", r.stdout)
    assert "window times are not exponential" in broken
    assert any("vary by hour" in b for b in broken)


def test_analytic_speaks_the_scenarios_language():
    """The preset says meta.language = "zh": measures by their names as gridsim run prints them, no code, no
    English sentence; the hall's pools and the broken assumptions in Chinese too."""
    r = gridsim("analytic", str(DEFAULT))
    assert r.exit_code == 0, r.stderr
    assert row(r.stdout, "中队S1利用率")[0].endswith("%") and row(r.stdout, "需排队等中队的占比")
    assert row(r.stdout, "全部窗口")[0] == "14"
    assert "不满足的假设：窗口办理时间不服从指数分布" in r.stdout
    assert not re.search(r"utilisation|squad_|assumption broken|all windows|[A-Za-z]{4,} [a-z]{3,}", r.stdout)


def test_analytic_names_departmental_pools_by_department():
    r = gridsim("analytic", str(ROOT / "scenarios" / "xuxiake_pre_reform.toml"), "--lang", "zh")
    assert r.exit_code == 0, r.stderr
    assert row(r.stdout, "民政")[0] == "3" and "civil" not in r.stdout


def test_analytic_check_shorter_than_the_warm_up_is_one_line():
    r = gridsim("analytic", str(TEXTBOOK / "mmc_hall.toml"), "--check", "2", "--days", "1")
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0
    assert "--days" in r.stderr and "warmup_days" in r.stderr


def test_validate_passes_with_the_exact_theory():
    r = gridsim("validate", "--replications", "2", "--days", "3", "--workers", "1")
    assert r.exit_code == 0, r.stdout
    assert "26 passed, 0 failed" in r.stdout
    # hypercube_3squads as M/M/3; a share in %
    assert row(r.stdout, "share of squad calls that wait for a crew")[1] == f"{100 * erlang_c(1.5, 3):.2f}%"
    p = erlang_c(3.0, 4)
    hall_wait = next(x for x in r.stdout.splitlines() if "textbook_mmc_hall" in x and "mean wait" in x)
    assert f"{p / (4 / 12 - 0.25):.4f}" in hall_wait


def test_validate_in_chinese():
    r = gridsim("validate", "--replications", "2", "--days", "3", "--workers", "1", "--lang", "zh")
    assert r.exit_code == 0, r.stdout
    assert "26项通过，0项未通过" in r.stdout
    assert row(r.stdout, "中队U1利用率")[-1] == "通过"
    assert not re.search(r"utilisation|share of|wait|pass|FAIL", r.stdout)  # the case names stay as their files say


def test_validate_shorter_than_the_warm_up_is_one_line():
    """The hypercube cases warm up for 2 days: a 2-day run would measure nothing (it printed FAIL nan)."""
    r = gridsim("validate", "--replications", "2", "--days", "2", "--workers", "1")
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0
    assert "--days: 2 days leave nothing" in r.stderr and "warmup_days (2)" in r.stderr

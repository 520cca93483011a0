"""The arrival process: counts per category per month, hour of day and place match the
configured rates within their confidence intervals; and what the incident log writes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario

from sim.incidents import N_UNIFORMS, IncidentStream
from sim.records import Incident, IncidentLog
from sim.town import build_town
from sim.vocabulary import DAYS_PER_MONTH, DAYS_PER_YEAR, MINUTES_PER_DAY, Channel, Tier

DAYS = 122  # four months
# Not the preset's rate nor its even profile: a night-shifted one, so the test is not tuned to the defaults.
RATE = 9000.0
PROFILE = [3.0 if h < 6 else 1.0 for h in range(24)]


@pytest.fixture(scope="module")
def drawn():
    sc = make_scenario({"incidents.events_per_10k_residents_per_year": RATE,
                        "incidents.hourly_profile": PROFILE})
    town = build_town(sc)
    stream = IncidentStream(sc, town, np.random.default_rng(17))
    batches = [stream.day(d) for d in range(DAYS)]
    return sc, town, batches


def _within(observed: float, expected: float, z: float = 4.0) -> bool:
    """A Poisson (or binomial) count inside ±z standard deviations of its expectation."""
    return abs(observed - expected) <= z * math.sqrt(expected)


def test_counts_per_category_per_month_match_the_rates(drawn):
    sc, town, batches = drawn
    cats = sc.incidents.categories
    p = np.array([c.share for c in cats]) / sum(c.share for c in cats)
    per_month = town.residents / 10_000 * RATE * DAYS_PER_MONTH / DAYS_PER_YEAR
    assert per_month == pytest.approx(20_000 / 10_000 * 9000 / 12 * (365.25 / 365))
    cat = np.concatenate([b.category for b in batches])
    months = DAYS / DAYS_PER_MONTH
    for c in range(len(cats)):
        observed = float((cat == c).sum())
        assert _within(observed, per_month * p[c] * months), (cats[c].name, observed, per_month * p[c] * months)
    assert _within(float(len(cat)), per_month * months)


def test_hour_of_day_follows_the_profile(drawn):
    _sc, town, batches = drawn
    t = np.concatenate([b.occurred_at for b in batches])
    hours = ((t % MINUTES_PER_DAY) // 60).astype(int)
    per_hour = town.residents / 10_000 * RATE / DAYS_PER_YEAR / 24 * DAYS
    profile = np.array(PROFILE) / np.mean(PROFILE)
    counts = np.bincount(hours, minlength=24)
    for h in range(24):
        assert _within(float(counts[h]), per_hour * profile[h]), (h, counts[h], per_hour * profile[h])
    assert counts[:6].sum() > 2.5 * counts[6:12].sum()  # the night-shifted profile shows


def test_places_follow_households_or_enterprises(drawn):
    sc, town, batches = drawn
    cat = np.concatenate([b.category for b in batches])
    village = np.concatenate([b.village for b in batches])
    hh = np.array([v.households for v in town.villages])
    ent = np.array([v.enterprises for v in town.villages])
    for c, category in enumerate(sc.incidents.categories):
        base = ent if category.source == "enterprises" else hh
        w = base * np.array([category.land_use_weight.get(v.land_use, 1.0) for v in town.villages])
        n = int((cat == c).sum())
        expected = n * w / w.sum()
        got = np.bincount(village[cat == c], minlength=len(town.villages))
        for k in range(len(town.villages)):
            if expected[k] > 0:
                assert abs(got[k] - expected[k]) <= 4.5 * math.sqrt(expected[k]) + 1, (category.name, k)
            else:
                assert got[k] == 0


def test_a_day_is_sorted_inside_its_day_and_inside_its_villages(drawn):
    _sc, town, batches = drawn
    for d, b in enumerate(batches[:20]):
        assert np.all(np.diff(b.occurred_at) >= 0)
        assert np.all((b.occurred_at >= d * MINUTES_PER_DAY) & (b.occurred_at < (d + 1) * MINUTES_PER_DAY))
        assert b.uniforms.shape == (len(b), N_UNIFORMS)
        assert np.all((b.uniforms >= 0) & (b.uniforms < 1))
        for v, x, y in zip(b.village, b.x, b.y, strict=True):
            box = town.villages[v].box
            assert box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1


def test_same_seed_same_stream():
    sc = make_scenario()
    town = build_town(sc)
    a, b = (IncidentStream(sc, town, np.random.default_rng(5)).day(3) for _ in range(2))
    c = IncidentStream(sc, town, np.random.default_rng(6)).day(3)
    np.testing.assert_array_equal(a.occurred_at, b.occurred_at)
    np.testing.assert_array_equal(a.uniforms, b.uniforms)
    assert len(a) != len(c) or not np.array_equal(a.occurred_at, c.occurred_at)


def _incident(i: int, closed: bool) -> Incident:
    inc = Incident(i, category=i % 2, village=1, grid=i % 3, x=0.5 * i, y=1.0, occurred_at=10.0 * i,
                   u=np.zeros(N_UNIFORMS))
    inc.reported_at = 10.0 * i + 4
    if closed:
        inc.dispatched_at, inc.arrived_at = 10.0 * i + 5, 10.0 * i + 9
        inc.resolved_at, inc.closed_at = 10.0 * i + 30, 10.0 * i + 45
        inc.channel, inc.tier, inc.handler = Channel.HOTLINE, Tier.VILLAGE, f"V1-cadre-{i}"
        inc.escalations, inc.reworks = 1, i % 2
    return inc


def test_streamed_log_holds_exactly_what_was_recorded(tmp_path):
    path = tmp_path / "incidents.parquet"
    log = IncidentLog(["garbage", "parking"], ["V1", "V2"], ["V1-1", "V2-1", "V2-2"], path=path, row_group=3)
    for i in range(7):  # three row groups, the last one short
        log.add(_incident(i, closed=i != 5))
    log.close()
    df = pd.read_parquet(path)
    assert len(df) == 7 and df.id.tolist() == list(range(7))
    assert df.category.astype(str).tolist() == ["garbage", "parking"] * 3 + ["garbage"]
    assert df.village.astype(str).unique().tolist() == ["V2"]
    assert df.grid.astype(str).tolist() == ["V1-1", "V2-1", "V2-2", "V1-1", "V2-1", "V2-2", "V1-1"]
    assert df.x_km.tolist() == [0.5 * i for i in range(7)]
    assert df.reported_at.tolist() == [10.0 * i + 4 for i in range(7)]
    assert (df.closed_at - df.reported_at).drop(index=5).tolist() == [41.0] * 6
    open_ = df.loc[5]  # a case never closed: its later stages are missing, not zero
    assert pd.isna(open_.closed_at) and pd.isna(open_.arrived_at) and pd.isna(open_.tier)
    assert open_.channel == Channel.NONE.key and open_.handler == ""
    done = df.drop(index=5)
    assert set(done.tier.astype(str)) == {"village"} and set(done.channel.astype(str)) == {"hotline"}
    assert done.handler.tolist() == [f"V1-cadre-{i}" for i in (0, 1, 2, 3, 4, 6)]
    assert done.reworks.tolist() == [0, 1, 0, 1, 0, 0] and done.escalations.tolist() == [1] * 6
    pd.testing.assert_frame_equal(log.frame(), df)

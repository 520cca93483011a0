"""Records streamed to Parquet: the file holds every field, memory only what the measures read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario

from sim.model import TownModel
from sim.records import MEASURED


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """The same run twice: log kept in memory, and streamed in row groups of 100."""
    sc = make_scenario()
    kept = TownModel(sc, seed=2, days=12)
    path = tmp_path_factory.mktemp("log") / "incidents.parquet"
    streamed = TownModel(sc, seed=2, days=12, incidents_path=path)
    streamed.log._row_group = 100
    for m in (kept, streamed):
        m.run()
        m.finish()
    return kept, streamed, path


def test_streamed_file_equals_the_log_kept_in_memory(pair):
    kept, streamed, path = pair
    assert len(kept.log) > 300  # several row groups
    full = kept.log.frame()
    pd.testing.assert_frame_equal(pd.read_parquet(path), full)
    pd.testing.assert_frame_equal(streamed.log.frame(), full)


def test_only_the_measured_fields_stay_in_memory(pair):
    kept, streamed, _ = pair
    log = streamed.log
    n = len(log)
    assert {c: len(a) for c, a in log._cols.items() if c in MEASURED} == dict.fromkeys(MEASURED, n)
    assert max(len(a) for c, a in log._cols.items() if c not in MEASURED) < 100
    full, measured = kept.log.frame(), log.measure_frame()
    assert set(measured.columns) == set(MEASURED)
    pd.testing.assert_frame_equal(measured, full[list(measured.columns)])
    assert np.isnan(measured.arrived_at).any()  # stages not reached stay missing

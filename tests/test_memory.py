"""What a run does to keep its resident set down: Arrow on the C allocator, freed memory given back."""

from __future__ import annotations

import sys

import pytest
from conftest import make_scenario, python_last_line

import sim.runner as runner

_POOL = """
import os, sys
sys.argv = ["gridsim", "--help"]
from sim.__main__ import main
try:
    main()
except SystemExit:
    pass
import pyarrow
print(os.environ["ARROW_DEFAULT_MEMORY_POOL"], pyarrow.default_memory_pool().backend_name)
"""

_TRIM = """
from sim.runner import release_memory
def rss():
    return int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1]) // 1024
junk = [bytes(4000) for i in range(20_000)]  # 80 MB from malloc's heap; every 50th kept, so the
keep = junk[::50]                             # heap cannot shrink from its top
del junk
before = rss()
release_memory()
print(before - rss())
"""


def test_the_gridsim_command_puts_arrow_on_the_c_allocator():
    assert python_last_line(_POOL) == "system system"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_release_memory_gives_freed_memory_back():
    assert int(python_last_line(_TRIM)) >= 20  # MB


def test_a_run_lets_go_of_its_records_before_the_geopackages(tmp_path, monkeypatch):
    seen: dict[str, int] = {}

    def layers(model, grids, summary, out):
        seen.update(log=len(model.log), cases=len(model.hall.cases), visits=len(model.hall.visits),
                    grids=len(grids), incidents=summary["incidents"])

    monkeypatch.setattr(runner, "write_run_layers", layers)
    summary = runner.run_replication(make_scenario(), 1, 6, tmp_path)
    assert seen == {"log": 0, "cases": 0, "visits": 0, "grids": seen["grids"], "incidents": summary["incidents"]}
    assert seen["grids"] > 0 and summary["incidents"] > 50 and summary["hall_visits"] > 50
    assert (tmp_path / "hall.parquet").stat().st_size > 0 and (tmp_path / "incidents.parquet").stat().st_size > 0

"""The scenario file: every policy and calibration number of one run, validated on load.

A scenario is TOML. Policies are data (grid division, squads, dispatch rule, escalation
thresholds, staffing), so a planner changes a file, not code. ``sim.config.base`` is the
leaf (strict base model, shift, error); one module per section group builds on it;
``sim.config.scenario`` joins them with the cross-section checks; ``sim.config.io`` reads
files (``extends``, overrides, the one-line error).

The public names below are resolved on first use, so a module that needs only a leaf
(``sim.config.base``, a section) does not pull in the whole scenario and its policies:
that keeps the policies free to build their own config on the leaf without a cycle.

Start-up (a refused file answers in a fraction of a second): the section classes are declared
with ``defer_build`` and defaults as tables (``base.table``), so importing them builds no
validator; ``schema_cache`` keeps the whole scenario's validator between runs. The section
modules write annotations as objects (no ``from __future__ import annotations``): pydantic
would otherwise compile and evaluate each of their ≈ 250 field annotations from text.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.config.base import ScenarioError, Shift
    from sim.config.io import (
        apply_overrides,
        load_scenario,
        one_line,
        read_scenario_data,
        read_toml,
        validate_scenario,
    )
    from sim.config.scenario import Scenario

_PUBLIC = {
    "ScenarioError": "sim.config.base",
    "Shift": "sim.config.base",
    "Scenario": "sim.config.scenario",
    "apply_overrides": "sim.config.io",
    "load_scenario": "sim.config.io",
    "one_line": "sim.config.io",
    "read_scenario_data": "sim.config.io",
    "read_toml": "sim.config.io",
    "validate_scenario": "sim.config.io",
}
__all__ = [
    "Scenario",
    "ScenarioError",
    "Shift",
    "apply_overrides",
    "load_scenario",
    "one_line",
    "read_scenario_data",
    "read_toml",
    "validate_scenario",
]
assert set(__all__) == set(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'sim.config' has no attribute {name!r}")
    return getattr(importlib.import_module(_PUBLIC[name]), name)

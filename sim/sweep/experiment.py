"""The experiment file: which scenario, which factors, which design; checked before any run.

Every design point is validated as a full scenario up front, so a typo in a factor path
or a level the model refuses stops the sweep with one line instead of hours later.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from sim import limits
from sim.config import (
    Scenario,
    ScenarioError,
    apply_overrides,
    one_line,
    read_scenario_data,
    read_toml,
    validate_scenario,
)
from sim.config.base import NoCoercion

# A factor with this path varies the whole scenario file (levels: paths relative to the
# experiment file), e.g. before vs after the reform; other factors apply on top of it.
SCENARIO_FACTOR = "scenario"

RESERVED_COLUMNS = frozenset({"point", "replication", "seed", "measure", "value", "run_key"})
Level = bool | int | float | str


class ExperimentError(Exception):
    """An experiment that cannot be run; the message is one line naming file and field."""


class TooShortError(ExperimentError):
    """A design point's run no longer than its warm-up: worded where it is shown, in the scenario's language.

    The message (English) is ``words("en")``; the command line words it in ``lang``, the base
    scenario's ``meta.language``, unless ``--lang`` says otherwise.
    """

    def __init__(self, source: Path, field: str, days: float, warmup: float, lang: str) -> None:
        self.source, self.field, self.days, self.warmup, self.lang = source, field, days, warmup, lang
        super().__init__(self.words("en"))

    def words(self, lang: str) -> str:
        """Give the refusal's line in ``lang`` (sim.console.too_short's wording, the field at fault named)."""
        from sim.console import too_short

        return f"{self.source}{'：' if lang == 'zh' else ': '}{too_short(self.days, self.warmup, 'field', lang, self.field)}"


class _Strict(NoCoercion):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True)


class ExperimentMeta(_Strict):
    """The ``[experiment]`` table: name, base scenario, replications and seeds, days."""

    # Names the default output folder results/sweeps/<name>: a plain folder name, so an
    # experiment can never write outside results/sweeps/.
    name: str = Field(min_length=1, max_length=100)
    scenario: str = Field(min_length=1)  # relative to the experiment file
    replications: int = Field(ge=1, le=limits.MAX_REPLICATIONS)
    base_seed: int = Field(default=1, ge=0, le=limits.MAX_SEED - limits.MAX_REPLICATIONS)
    days: float | None = Field(default=None, gt=0, le=limits.MAX_DAYS)

    @field_validator("name")
    @classmethod
    def _folder_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", v):
            raise ValueError(f"{v!r} must be a plain folder name (letters, digits, _ . -, not starting "
                             "with . or -): it names results/sweeps/<name>")
        return v


class Factor(_Strict):
    """One scenario field to vary: discrete ``levels``, or a ``low``–``high`` range for sampling."""

    path: str = Field(min_length=1)
    name: str | None = None  # column name in results; default: last part of the path
    levels: list[Level] | None = Field(default=None, max_length=limits.MAX_LEVELS)
    low: int | float | None = None  # whole numbers here mean a whole-number factor
    high: int | float | None = None

    @model_validator(mode="after")
    def _shape(self) -> Factor:
        if self.levels is not None:
            if not self.levels:
                raise ValueError("levels: must not be empty")
            if len({json.dumps(v) for v in self.levels}) != len(self.levels):
                raise ValueError("levels: duplicate level")
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if self.low is not None and not self.low < self.high:  # type: ignore[operator]
            raise ValueError("low must be less than high")
        if self.levels is None and self.low is None:
            raise ValueError("give levels, or low and high")
        return self

    @property
    def column(self) -> str:
        """The factor's column in the results: its name, else the last part of its path."""
        return self.name or self.path.rsplit(".", 1)[-1]

    @property
    def integer(self) -> bool:
        """A range given with whole numbers is sampled as whole numbers (counts, thresholds)."""
        return isinstance(self.low, int) and isinstance(self.high, int)


class Design(_Strict):
    """How design points are chosen: full factorial, a Latin hypercube, or Morris trajectories."""

    kind: Literal["full_factorial", "latin_hypercube", "morris"] = "full_factorial"
    points: int | None = Field(default=None, ge=1, le=limits.MAX_DESIGN_POINTS)  # latin_hypercube
    seed: int = Field(default=0, ge=0, le=limits.MAX_SEED)  # latin_hypercube and morris sampling
    trajectories: int = Field(default=4, ge=1, le=limits.MAX_DESIGN_POINTS)  # morris
    num_levels: int = Field(default=4, ge=2, le=limits.MAX_MORRIS_LEVELS)  # morris


class Analysis(_Strict):
    """Which sensitivity analysis to run on the results (Morris elementary effects or none)."""

    sensitivity: Literal["morris", "none"] = "none"


class Experiment(_Strict):
    """An experiment file: the experiment, its factors, its design and its analysis."""

    experiment: ExperimentMeta
    factors: list[Factor] = Field(min_length=1)
    design: Design = Design()
    analysis: Analysis = Analysis()

    @model_validator(mode="after")
    def _fits(self) -> Experiment:
        paths = [f.path for f in self.factors]
        if len(set(paths)) != len(paths):
            raise ValueError(f"factors: a path is given twice in {paths}")
        cols = [f.column for f in self.factors]
        if len(set(cols)) != len(cols):
            raise ValueError(f"factors: column names {cols} clash; give each factor a distinct name")
        for f in self.factors:
            if f.column in RESERVED_COLUMNS:
                raise ValueError(f"factors[{f.path}].name: {f.column!r} is reserved; give another name")
        kind = self.design.kind
        for f in self.factors:
            if kind == "full_factorial" and f.levels is None:
                raise ValueError(f"factors[{f.path}].levels: design.kind full_factorial needs levels")
            if kind != "full_factorial" and f.low is None:
                raise ValueError(f"factors[{f.path}].low: design.kind {kind} needs low and high")
        if kind == "latin_hypercube" and self.design.points is None:
            raise ValueError("design.points: latin_hypercube needs the number of points")
        if self.analysis.sensitivity == "morris" and kind != "morris":
            raise ValueError("analysis.sensitivity: morris needs design.kind = \"morris\"")
        points = self.n_points
        if points > limits.MAX_DESIGN_POINTS:
            raise ValueError(f"design: {points:,} design points, beyond the limit of {limits.MAX_DESIGN_POINTS:,} "
                             "(sim/limits.py)")
        if points * self.experiment.replications > limits.MAX_SWEEP_RUNS:
            raise ValueError(f"experiment.replications: {points:,} points × {self.experiment.replications} "
                             f"replications is beyond the limit of {limits.MAX_SWEEP_RUNS:,} runs (sim/limits.py)")
        return self

    @property
    def n_points(self) -> int:
        """Design points, counted before any is generated."""
        if self.design.kind == "full_factorial":
            return math.prod(len(f.levels or []) for f in self.factors)
        if self.design.kind == "latin_hypercube":
            return self.design.points or 1
        return self.design.trajectories * (len(self.factors) + 1)


@dataclass(frozen=True)
class Point:
    """One design point: its index and the value of every factor (by path)."""

    index: int
    values: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """A validated experiment with its design points, each already a valid scenario."""

    experiment: Experiment
    source: Path
    scenario_path: Path
    points: list[Point]
    scenarios: list[Scenario]
    sample: np.ndarray | None  # the unrounded sample (morris analysis needs it)
    fingerprint: str

    @property
    def columns(self) -> dict[str, str]:
        """Factor path → results column."""
        return {f.path: f.column for f in self.experiment.factors}

    @property
    def n_runs(self) -> int:
        """Runs in the sweep: design points × replications (what the progress bar counts)."""
        return len(self.points) * self.experiment.experiment.replications


def parse_experiment(data: dict[str, Any], source: str) -> Experiment:
    """Validate a parsed experiment table; raise ExperimentError naming the first bad field."""
    try:
        return Experiment.model_validate(data)
    except ValidationError as exc:
        raise ExperimentError(one_line(exc, data, source, labels=("path",), model=Experiment)) from None


def _sample(exp: Experiment) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Sample the design: factor values per point (by path) and, for sampled designs, the raw sample."""
    fs = exp.factors
    d = exp.design
    if d.kind == "full_factorial":
        combos = itertools.product(*(f.levels or [] for f in fs))
        return [{f.path: v for f, v in zip(fs, combo, strict=True)} for combo in combos], None
    lows = np.array([f.low for f in fs], dtype=float)
    highs = np.array([f.high for f in fs], dtype=float)
    if d.kind == "latin_hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(fs), rng=np.random.default_rng(d.seed)).random(d.points or 1)
        raw = lows + unit * (highs - lows)
        values = []
        for row_u, row in zip(unit, raw, strict=True):
            values.append({f.path: (min(int(lo + math.floor(u * (hi - lo + 1))), int(hi)) if f.integer else float(x))
                           for f, lo, hi, u, x in zip(fs, lows, highs, row_u, row, strict=True)})
        return values, raw
    from SALib.sample import morris

    problem = {"num_vars": len(fs), "names": [f.column for f in fs], "bounds": np.c_[lows, highs].tolist()}
    raw = morris.sample(problem, d.trajectories, num_levels=d.num_levels, seed=d.seed)
    values = [{f.path: (round(x) if f.integer else float(x)) for f, x in zip(fs, row, strict=True)} for row in raw]
    return values, raw


def load_plan(path: str | Path) -> Plan:
    """Read an experiment file, build its design, and validate every point's scenario."""
    source = Path(path)
    try:
        data = read_toml(source)
    except ScenarioError as exc:
        raise ExperimentError(str(exc).replace("not a scenario file", "not an experiment file")) from None
    exp = parse_experiment(data, str(source))
    scenario_path = (source.parent / exp.experiment.scenario)
    try:
        base = read_scenario_data(scenario_path)
    except ScenarioError as exc:
        raise ExperimentError(f"{source}: experiment.scenario: {exc}") from None
    values, raw = _sample(exp)
    bases: dict[str, dict[str, Any]] = {}
    for v in values:
        name = v.get(SCENARIO_FACTOR)
        if name is not None and str(name) not in bases:
            try:
                bases[str(name)] = read_scenario_data(source.parent / str(name))
            except ScenarioError as exc:
                raise ExperimentError(f"{source}: factors.[scenario]: {exc}") from None
    scenarios: list[Scenario] = []
    for i, v in enumerate(values):
        base_i = bases[str(v[SCENARIO_FACTOR])] if SCENARIO_FACTOR in v else base
        overrides = {k: val for k, val in v.items() if k != SCENARIO_FACTOR}
        try:
            data_i = apply_overrides(base_i, overrides, source=str(scenario_path))
            sc = validate_scenario(data_i, source=str(scenario_path), days=exp.experiment.days,
                                   days_from="experiment.days")
        except ScenarioError as exc:
            shown = ", ".join(f"{k}={val!r}" for k, val in v.items())
            raise ExperimentError(f"{source}: factors: design point {i} ({shown}): {exc}") from None
        days = exp.experiment.days or sc.run.days
        if days <= sc.run.warmup_days:
            raise TooShortError(source, "experiment.days" if exp.experiment.days else "run.days", days,
                           sc.run.warmup_days, sc.meta.language)
        scenarios.append(sc)
    key = {"experiment": exp.model_dump(mode="json", exclude={"analysis": True, "experiment": {"name"}}),
           "scenario": base, "scenario_levels": bases}
    fingerprint = hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]
    points = [Point(i, v) for i, v in enumerate(values)]
    return Plan(exp, source, scenario_path, points, scenarios, raw, fingerprint)

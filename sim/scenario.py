"""The scenario file: every policy and calibration number of one run, validated on load.

A scenario is TOML. Policies are data (grid division, squads, dispatch rule, escalation
thresholds, staffing), so a planner changes a file, not code. Loading refuses anything
doubtful with a :class:`ScenarioError` that names the file and the field, so the CLI can
print one line and exit 2 before anything runs.
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.distributions import Distribution

TIERS: tuple[str, ...] = ("grid", "village", "town", "county")
LAND_USES: tuple[str, ...] = ("core", "industrial", "rural")
ROLES: tuple[str, ...] = (
    "chief",  # 网格长
    "worker",  # 网格员
    "supervisor",  # 督查员
    "info_officer",  # 信息员
    "liaison",  # 联络员
    "patrol_officer",  # 巡查员
)
DUTIES: tuple[str, ...] = ("patrol", "fix", "mediate", "verify")

Tier = Literal["grid", "village", "town", "county"]
LandUse = Literal["core", "industrial", "rural"]


class ScenarioError(Exception):
    """A scenario that cannot be run; the message is one line naming file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True)


class Meta(_Strict):
    name: str
    description: str = ""
    language: Literal["zh", "en"] = "zh"


class Run(_Strict):
    days: float = Field(default=30, gt=0)
    seed: int = Field(default=1, ge=0)
    warmup_days: float = Field(default=0, ge=0)
    tick_minutes: float = Field(default=60, gt=0)


class Shift(_Strict):
    """Daily on-duty window in hours; end > 24 wraps past midnight, [0, 24] is round the clock."""

    start_h: float = Field(default=8, ge=0, lt=24)
    end_h: float = Field(default=17.5, gt=0, le=48)

    @model_validator(mode="after")
    def _length(self) -> "Shift":
        if not 0 < self.end_h - self.start_h <= 24:
            raise ValueError("end_h must be after start_h and at most 24 h later")
        return self


class Village(_Strict):
    """An explicit level-1 grid (village or community) as a rectangle in km."""

    name: str
    x0: float
    y0: float
    x1: float
    y1: float
    households: int = Field(ge=0)
    enterprises: int = Field(default=0, ge=0)
    land_use: LandUse = "rural"

    @model_validator(mode="after")
    def _box(self) -> "Village":
        if self.x1 <= self.x0 or self.y1 <= self.y0:
            raise ValueError("x1 > x0 and y1 > y0 are required")
        return self


class GridDivision(_Strict):
    """How each village is split into level-2 grids: by households or by a fixed count."""

    households_per_grid: float | None = Field(default=None, gt=0)
    grids_per_village: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_rule(self) -> "GridDivision":
        if (self.households_per_grid is None) == (self.grids_per_village is None):
            raise ValueError("give exactly one of households_per_grid, grids_per_village")
        return self


class Travel(_Strict):
    model: Literal["euclidean"] = "euclidean"
    detour_factor: float = Field(default=1.3, ge=1)
    walk_kmh: float = Field(default=4.5, gt=0)
    ebike_kmh: float = Field(default=15, gt=0)
    car_kmh: float = Field(default=30, gt=0)


class Town(_Strict):
    area_km2: float = Field(gt=0)
    residents: int = Field(gt=0)
    persons_per_household: float = Field(default=2.8, gt=0)
    enterprises: int = Field(default=0, ge=0)
    villages: int = Field(default=0, ge=0)
    # Share of villages (by count, nearest the centre first) that are town core / industrial.
    core_share: float = Field(default=0.2, ge=0, le=1)
    industrial_share: float = Field(default=0.1, ge=0, le=1)
    # Relative residential density of each land use (core denser than rural).
    density: dict[LandUse, float] = Field(
        default_factory=lambda: {"core": 4.0, "industrial": 0.5, "rural": 1.0}
    )
    # Relative enterprise density (industrial parks hold most firms); an assumption.
    enterprise_density: dict[LandUse, float] = Field(
        default_factory=lambda: {"core": 2.0, "industrial": 10.0, "rural": 0.5}
    )
    village_list: list[Village] = Field(default_factory=list)
    incidents_at_centroids: bool = False
    grid_division: GridDivision
    travel: Travel = Travel()

    @model_validator(mode="after")
    def _layout(self) -> "Town":
        if not self.village_list and self.villages < 1:
            raise ValueError("give villages >= 1 or a village_list")
        if self.core_share + self.industrial_share > 1:
            raise ValueError("core_share + industrial_share must be <= 1")
        names = [v.name for v in self.village_list]
        if len(set(names)) != len(names):
            raise ValueError("village names in village_list must be unique")
        for k, v in self.density.items():
            if v < 0:
                raise ValueError(f"density.{k} must be >= 0")
        return self


class Category(_Strict):
    """One kind of problem: where it arises, who can notice it, who resolves it, its limits."""

    name: str
    label_zh: str = ""
    # The department that owns it: who hears of it and acts before the reform, and which
    # squads may take it when teams are siloed by domain.
    domain: str = "urban_management"
    share: float = Field(gt=0)
    severity: int = Field(ge=1, le=5)
    source: Literal["residents", "enterprises"] = "residents"
    land_use_weight: dict[LandUse, float] = Field(
        default_factory=lambda: {"core": 1.0, "industrial": 1.0, "rural": 1.0}
    )
    lowest_tier: Tier = "grid"
    town_handler: Literal["squad", "department"] = "department"
    external: bool = False  # handed to 110/119 or a county body straight away
    respond_limit_min: float = Field(gt=0)
    close_limit_min: float = Field(gt=0)
    # Channels: probability each would notice it.
    patrol_detect_prob: float = Field(default=0.5, ge=0, le=1)
    hotline_prob: float = Field(default=0.1, ge=0, le=1)
    hotline_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "exponential", "mean": 60}
    )
    camera: bool = False
    spot_fix_prob: float = Field(default=0.0, ge=0, le=1)
    needs_mediation: bool = False  # disputes: the grid's mediators (chief, Party members) act
    external_response_min: Distribution = Field(
        default_factory=lambda: {"dist": "exponential", "mean": 12}
    )
    resolve_prob: dict[Tier, float] = Field(default_factory=dict)
    work_min: Distribution

    @model_validator(mode="after")
    def _probs(self) -> "Category":
        for k, v in self.resolve_prob.items():
            if not 0 <= v <= 1:
                raise ValueError(f"resolve_prob.{k} must be in [0, 1]")
        for k, v in self.land_use_weight.items():
            if v < 0:
                raise ValueError(f"land_use_weight.{k} must be >= 0")
        if self.close_limit_min < self.respond_limit_min:
            raise ValueError("close_limit_min must be >= respond_limit_min")
        return self

    def resolves_at(self, tier: str) -> float:
        """Chance a tier resolves it when it tries; the county always does."""
        if tier == "county":
            return 1.0
        return self.resolve_prob.get(tier, 1.0)


class Incidents(_Strict):
    events_per_10k_residents_per_year: float = Field(gt=0)
    hourly_profile: list[float] = Field(default_factory=lambda: [1.0] * 24)
    categories: list[Category]

    @model_validator(mode="after")
    def _check(self) -> "Incidents":
        if len(self.hourly_profile) != 24 or any(h < 0 for h in self.hourly_profile):
            raise ValueError("hourly_profile needs 24 non-negative numbers")
        if sum(self.hourly_profile) <= 0:
            raise ValueError("hourly_profile must not be all zero")
        if not self.categories:
            raise ValueError("at least one category is needed")
        names = [c.name for c in self.categories]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate category name in {names}")
        return self


class Role(_Strict):
    count: int = Field(default=1, ge=0)
    duty_share: float = Field(default=1.0, gt=0, le=1)  # part-time roles work fewer hours
    patrol_share: float = Field(default=0.5, gt=0, le=1)  # of duty time, spent patrolling
    duties: list[Literal["patrol", "fix", "mediate", "verify"]] = Field(default_factory=list)
    # A departmental inspector sees and fixes only these domains' problems; None: all
    # (the comprehensive grid of the reform).
    domains: list[str] | None = None


class GridStaff(_Strict):
    """一长五员: staffing per level-2 grid, and how they patrol."""

    roles: dict[
        Literal["chief", "worker", "supervisor", "info_officer", "liaison", "patrol_officer"], Role
    ]
    # Departmental inspectors (before the reform), keyed by department; a town-wide team
    # spread over the grids appears here as a part-time presence (duty_share < 1) per grid.
    inspectors: dict[str, Role] = Field(default_factory=dict)
    shift: Shift = Shift()
    street_km_per_km2: dict[LandUse, float] = Field(
        default_factory=lambda: {"core": 12.0, "industrial": 5.0, "rural": 3.0}
    )
    patrol_mode: Literal["walk", "ebike"] = "ebike"
    verify_min: Distribution = Field(
        default_factory=lambda: {"dist": "exponential", "mean": 60}
    )
    verify_work_min: float = Field(default=10, ge=0)

    @model_validator(mode="after")
    def _someone(self) -> "GridStaff":
        staffed = [r for r in self.all_roles().values() if r.count]
        if not staffed:
            raise ValueError("a grid needs at least one staff member")
        if not any("fix" in r.duties for r in staffed):
            raise ValueError("at least one staffed role needs the 'fix' duty")
        return self

    def all_roles(self) -> dict[str, Role]:
        """The 一长五员 roles and the departmental inspectors (named '<department>_inspector')."""
        out: dict[str, Role] = dict(self.roles)
        for dept, r in self.inspectors.items():
            out[f"{dept}_inspector"] = r if r.domains is not None else r.model_copy(update={"domains": [dept]})
        return out


class Channels(_Strict):
    camera_coverage: dict[LandUse, float] = Field(
        default_factory=lambda: {"core": 0.5, "industrial": 0.3, "rural": 0.05}
    )
    camera_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "exponential", "mean": 5}
    )

    @model_validator(mode="after")
    def _cov(self) -> "Channels":
        for k, v in self.camera_coverage.items():
            if not 0 <= v <= 1:
                raise ValueError(f"camera_coverage.{k} must be in [0, 1]")
        return self


class CommandCentre(_Strict):
    dispatch_rule: str = "nearest_idle"
    # Complaint-type categories under the 15-minute response rule; empty: every category
    # whose respond_limit_min is at most 15.
    fifteen_minute_rule: list[str] = Field(default_factory=list)
    triage_min: Distribution = Field(default_factory=lambda: {"dist": "fixed", "value": 2})
    verify_min: Distribution = Field(default_factory=lambda: {"dist": "exponential", "mean": 30})
    verify_fail_prob: float = Field(default=0.03, ge=0, le=1)
    # False models the town before the reform: no shared centre, each department dispatches
    # its own cases (see [departments]), no response clock, no overdue alarms, no verification.
    enabled: bool = True


class Departments(_Strict):
    """How departments worked without a shared command centre (before the reform)."""

    dispatch_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 90, "cv": 1.0}
    )
    handoff_prob: float = Field(default=0.2, ge=0, le=1)  # first heard by the wrong department
    handoff_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 1440, "cv": 1.0}
    )


class Party(_Strict):
    """加强党的全面领导: Party branches on grids and centre households, each effect switchable."""

    eyes: bool = False  # centre households notice and report problems in their grid
    centre_households_per_grid: float = Field(default=2.5, ge=0)
    # Chance that one centre household notices a problem of these categories in its grid.
    notice_prob_per_household: float = Field(default=0.1, ge=0, le=1)
    eyes_categories: list[str] = Field(default_factory=list)
    report_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "exponential", "mean": 120}
    )
    mediation: bool = False  # Party members join grid mediation of disputes
    mediation_resolve_prob: float = Field(default=0.5, ge=0, le=1)
    convening: bool = False  # hard cases convened by the town committee (难事不出镇)
    convene_min_severity: int = Field(default=4, ge=1, le=5)
    convene_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 2880, "cv": 0.5}
    )


class Escalation(_Strict):
    """Thresholds that move a case up: by severity at intake, by failure, by time overdue."""

    policy: str = "threshold"
    # A case of this severity or more starts at least at that tier.
    severity_to_village: int = Field(default=4, ge=0, le=6)
    severity_to_town: int = Field(default=5, ge=0, le=6)
    severity_to_county: int = Field(default=6, ge=0, le=6)
    # A tier that has used this fraction of the close limit hands the case up.
    overdue_fraction: float = Field(default=1.0, gt=0)


class Tiers(_Strict):
    village_cadres: int = Field(default=3, ge=1)
    village_shift: Shift = Shift()
    village_travel_mode: Literal["walk", "ebike", "car"] = "ebike"
    department_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 240, "cv": 0.8}
    )
    county_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 2880, "cv": 0.8}
    )


class SquadUnit(_Strict):
    id: str
    base: tuple[float, float] | None = None  # km; None: placed by the generator
    crews: int = Field(default=1, ge=1)
    zone: list[str] | None = None  # village names; None: villages nearest this base
    domains: list[str] | None = None  # a siloed team's domains; None: all-round


class Squads(_Strict):
    """Zoned all-round enforcement squads (全能型执法中队); each crew is one dispatchable unit."""

    count: int = Field(default=0, ge=0)
    crews_per_squad: int = Field(default=2, ge=1)
    units: list[SquadUnit] = Field(default_factory=list)
    shift: Shift = Shift(start_h=7, end_h=22)
    domains: list[str] | None = None  # for generated squads; None: all-round
    mode: Literal["walk", "ebike", "car"] = "car"
    dispatch_overhead_min: float = Field(default=1.0, ge=0)
    return_to_base: bool = True

    @model_validator(mode="after")
    def _units(self) -> "Squads":
        if self.units and self.count and self.count != len(self.units):
            raise ValueError("count disagrees with the number of units given")
        ids = [u.id for u in self.units]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate squad id in {ids}")
        return self

    @property
    def n(self) -> int:
        return len(self.units) or self.count


class Evaluation(_Strict):
    """Weights of the score every grid and squad gets (sum normalised)."""

    on_time_weight: float = Field(default=0.5, ge=0)
    response_weight: float = Field(default=0.3, ge=0)
    verified_first_time_weight: float = Field(default=0.2, ge=0)


class Scenario(_Strict):
    meta: Meta
    run: Run = Run()
    town: Town
    incidents: Incidents
    grid_staff: GridStaff
    channels: Channels = Channels()
    command_centre: CommandCentre = CommandCentre()
    escalation: Escalation = Escalation()
    tiers: Tiers = Tiers()
    squads: Squads = Squads()
    departments: Departments = Departments()
    party: Party = Party()
    evaluation: Evaluation = Evaluation()
    service_hall: ServiceHall | None = None  # 审批服务一窗口; None: no hall in this run

    @model_validator(mode="after")
    def _cross(self) -> "Scenario":
        from sim.policies import DISPATCH_RULES, ESCALATION_POLICIES

        if self.command_centre.dispatch_rule not in DISPATCH_RULES:
            raise ValueError(
                f"command_centre.dispatch_rule: unknown rule {self.command_centre.dispatch_rule!r}"
                f" (known: {', '.join(sorted(DISPATCH_RULES))})"
            )
        if self.escalation.policy not in ESCALATION_POLICIES:
            raise ValueError(
                f"escalation.policy: unknown policy {self.escalation.policy!r}"
                f" (known: {', '.join(sorted(ESCALATION_POLICIES))})"
            )
        for field, names in (
            ("command_centre.fifteen_minute_rule", self.command_centre.fifteen_minute_rule),
            ("party.eyes_categories", self.party.eyes_categories),
        ):
            unknown = set(names) - set(self.category_names)
            if unknown:
                raise ValueError(f"{field}: unknown category {sorted(unknown)[0]!r}")
        domains = {c.domain for c in self.incidents.categories}
        team_domains = [u.domains for u in self.squads.units] or [self.squads.domains]
        for c in self.incidents.categories:
            if c.town_handler == "squad" and self.squads.n and not any(
                d is None or c.domain in d for d in team_domains
            ):
                raise ValueError(f"squads: no squad serves domain {c.domain!r} (category {c.name!r})")
        for role, spec in self.grid_staff.all_roles().items():
            for d in spec.domains or []:
                if d not in domains:
                    raise ValueError(f"grid_staff.roles.{role}.domains: unknown domain {d!r}")
        needs_squad = [
            c.name for c in self.incidents.categories if c.town_handler == "squad"
        ]
        if needs_squad and self.squads.n == 0:
            raise ValueError(
                f"squads.count: categories {needs_squad} need a squad but there is none"
            )
        names = {v.name for v in self.town.village_list}
        for u in self.squads.units:
            for v in u.zone or []:
                if self.town.village_list and v not in names:
                    raise ValueError(f"squads.units.{u.id}.zone: unknown village {v!r}")
        return self

    @property
    def category_names(self) -> list[str]:
        return [c.name for c in self.incidents.categories]

    @property
    def fifteen_minute_categories(self) -> set[str]:
        """The complaint-type categories the 15-minute share is measured on."""
        return set(self.command_centre.fifteen_minute_rule) or {
            c.name for c in self.incidents.categories if c.respond_limit_min <= 15
        }


# The hall's section reuses Shift, so it is imported once Shift exists (see sim.service_hall).
from sim.service_hall.config import ServiceHall  # noqa: E402

Scenario.model_rebuild()


def field_path(loc: tuple[Any, ...], data: dict[str, Any], labels: tuple[str, ...] = ("name", "id")) -> str:
    """Turn pydantic's error location into a dotted path through the user's own table.

    List items are named by their first label key (``[illegal_parking]``); keys that are
    not in the table but lead further down are pydantic's union tags, not fields, and are
    skipped.
    """
    parts: list[str] = []
    node: Any = data
    for i, key in enumerate(loc):
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            item = node[key]
            label = next((item[k] for k in labels if isinstance(item, dict) and item.get(k)), None)
            parts.append(f"[{label}]" if label else f"[{key}]")
            node = item
            continue
        last = i == len(loc) - 1
        if isinstance(node, dict) and key not in node and not last:
            continue  # a union tag such as "lognormal"
        parts.append(f".{key}" if parts else str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def one_line(exc: ValidationError, data: dict[str, Any], source: str,
             labels: tuple[str, ...] = ("name", "id")) -> str:
    """The first validation error as ``source: field: what is wrong``."""
    err = exc.errors()[0]
    field = field_path(tuple(err["loc"]), data, labels) or "(top level)"
    msg = {
        "extra_forbidden": "unknown field",
        "missing": "missing field",
        "finite_number": "must be a finite number (no NaN or inf)",
    }.get(err["type"], err["msg"].removeprefix("Value error, "))
    return f"{source}: {field}: {msg}"


def validate_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a parsed TOML table; raise ScenarioError naming the first bad field."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(one_line(exc, data, source)) from None
    except (TypeError, KeyError) as exc:  # malformed nesting pydantic cannot locate
        raise ScenarioError(f"{source}: {exc}") from None


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into a one-line ScenarioError."""
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{p}: no such file")
    if p.is_dir():
        raise ScenarioError(f"{p}: is a directory, not a scenario file")
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: not valid TOML: not UTF-8 text") from None


def _merge(base: Any, over: Any) -> Any:
    """Deep merge: tables merge, lists of named tables merge by name/id, the rest replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    if (isinstance(base, list) and isinstance(over, list) and over
            and all(isinstance(x, dict) and ("name" in x or "id" in x) for x in base + over)):
        key = "name" if all("name" in x for x in base + over) else "id"
        merged = {x[key]: x for x in base}
        for x in over:
            merged[x[key]] = _merge(merged[x[key]], x) if x[key] in merged else x
        return list(merged.values())
    return over


def read_scenario_data(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario's table, with ``extends = "other.toml"`` resolved (variants of a preset)."""
    p = Path(path)
    data = read_toml(p)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{p}: extends: must be a file name")
    base_path = (p.parent / parent).resolve()
    if base_path in _seen:
        raise ScenarioError(f"{p}: extends: circular reference to {parent}")
    if not base_path.exists():
        raise ScenarioError(f"{p}: extends: no such file {parent}")
    return _merge(read_scenario_data(base_path, _seen + (p.resolve(),)), data)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read and validate a scenario file, after applying ``{"a.b.c": value}`` overrides."""
    data = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    return validate_scenario(data, source=str(path))


def apply_overrides(
    data: dict[str, Any], overrides: dict[str, Any], source: str = "<scenario>"
) -> dict[str, Any]:
    """Set fields by dotted path; list items are addressed by their name or id.

    ``incidents.categories.illegal_parking.share`` sets the share of the category named
    ``illegal_parking``. Unknown paths raise ScenarioError (sweeps must not silently vary
    nothing).
    """
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{source}: {path}: must be a finite number")
        node: Any = out
        keys = path.split(".")
        for i, key in enumerate(keys):
            last = i == len(keys) - 1
            if isinstance(node, list):
                match = [it for it in node if isinstance(it, dict) and key in (it.get("name"), it.get("id"))]
                if not match:
                    raise ScenarioError(f"{source}: {path}: no list item named {key!r}")
                if last:
                    raise ScenarioError(f"{source}: {path}: cannot replace a whole list item")
                node = match[0]
            elif isinstance(node, dict):
                if last:
                    node[key] = value
                elif key in node:
                    node = node[key]
                else:
                    node[key] = {}
                    node = node[key]
            else:
                raise ScenarioError(f"{source}: {path}: {key!r} is not a table")
    return out

"""The ``[service_hall]`` section of a scenario: windows, pooling, opening hours, case mix.

审批服务一窗口 (DESIGN.md §1 row 4a): window count and pooling (departmental windows
before the reform, comprehensive 全科 windows after), the online (不见面) and proxy (代办)
channels, and one-visit (一次办) handling of complex cases are all data, so a planner
compares them by editing a file. Cross-field checks run as field validators so that an
error names the offending field (``service_hall.department_windows: …``).
"""

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from sim import limits
from sim.config.base import NamedItem, Shift, Strict, Weight, table
from sim.distributions import Distribution, Exponential, Fixed, LogNormal

# Fixed width of each case's uniforms, so changing visits_before never shifts the stream.
MAX_VISITS = 5


class CaseType(NamedItem):
    """One kind of matter (事项) a resident brings: its department, channels and window time."""

    department: str
    share: float = Field(gt=0, le=1)  # of all cases; normalised over the case types
    service_min: Distribution  # window minutes per visit of a simple case
    complex_service_min: Distribution | None = None  # per visit of a complex case; None: service_min
    online_share: float = Field(default=0.0, ge=0, le=1)  # 不见面: done online, never visits
    proxy_share: float = Field(default=0.0, ge=0, le=1)  # 代办: grid staff bring it in, one visit
    complex_share: float = Field(default=0.0, ge=0, le=1)
    visits_before: int = Field(default=2, ge=1, le=MAX_VISITS)  # visits of a complex case without 一次办

    @field_validator("proxy_share")
    @classmethod
    def _channels(cls, v: float, info: ValidationInfo) -> float:
        if v + info.data.get("online_share", 0.0) > 1:
            raise ValueError("online_share + proxy_share must be <= 1")
        return v

    @property
    def complex_service(self) -> Distribution:
        """The window time of a complex case: its own distribution if given, else the simple one's."""
        return self.complex_service_min or self.service_min


class ServiceHall(Strict):
    """The town's service hall; requests follow hour-of-day and day-of-week profiles."""

    windows: int = Field(ge=1, le=limits.MAX_WINDOWS)
    pooling: Literal["comprehensive", "departmental"] = "comprehensive"
    # Windows per department when pooling is departmental (each serves only its department).
    department_windows: dict[str, int] = Field(default_factory=dict)
    shift: Shift = Field(default_factory=table(Shift, start_h=8.5, end_h=17))
    open_weekdays: int = Field(default=5, ge=1, le=7)  # day 0 is a Monday; Mon–Fri open
    cases_per_year: float = Field(gt=0, le=limits.MAX_HALL_CASES_PER_YEAR)  # all channels, online included
    # Relative requests per hour of day / day of week; None: flat over opening hours / open days.
    hourly_profile: list[Weight] | None = None
    weekday_profile: list[Weight] | None = None
    one_visit: bool = True  # 一次办: a complex case needs a single visit
    revisit_delay_days: Distribution = Field(  # working days between visits of a complex case
        default_factory=table(Exponential, dist="exponential", mean=3)
    )
    # Working days of approval after a complex case's last visit: sequential sign-offs by
    # several departments before the reform, parallel approval after it.
    back_office_days: Distribution = Field(default_factory=table(Fixed, dist="fixed", value=0))
    online_days: Distribution = Field(  # calendar days an online case takes to finish
        default_factory=table(LogNormal, dist="lognormal", mean=2, cv=0.5)
    )
    case_types: list[CaseType]

    @field_validator("department_windows")
    @classmethod
    def _departments(cls, v: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        if info.data.get("pooling") == "departmental" and not v:
            raise ValueError("pooling = 'departmental' needs windows per department")
        bad = [k for k, n in v.items() if n < 1]
        if bad:
            raise ValueError(f"department {bad[0]!r} needs at least 1 window")
        windows = info.data.get("windows")
        if v and windows is not None and sum(v.values()) != windows:
            raise ValueError(f"windows per department sum to {sum(v.values())}, but windows = {windows}")
        return v

    @field_validator("hourly_profile", "weekday_profile")
    @classmethod
    def _profile(cls, v: list[float] | None, info: ValidationInfo) -> list[float] | None:
        n, what = (24, "24") if info.field_name == "hourly_profile" else (7, "7 (Monday first)")
        if v is not None and (len(v) != n or any(x < 0 for x in v) or sum(v) <= 0):
            raise ValueError(f"needs {what} non-negative numbers, not all zero")
        return v

    @field_validator("case_types")
    @classmethod
    def _types(cls, v: list[CaseType], info: ValidationInfo) -> list[CaseType]:
        if not v:
            raise ValueError("at least one case type is needed")
        names = [c.name for c in v]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate case type name in {names}")
        depts = info.data.get("department_windows")
        if depts:
            for c in v:
                if c.department not in depts:
                    raise ValueError(
                        f"case type {c.name!r}: unknown department {c.department!r}"
                        f" (department_windows has {', '.join(sorted(depts))})"
                    )
        return v

    @property
    def departments(self) -> list[str]:
        """Departments in case-type order of first appearance."""
        return list(dict.fromkeys(c.department for c in self.case_types))

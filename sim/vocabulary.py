"""The domain's words, defined once: tiers, channels, stages, roles, land uses, units of time, the severity scale.

Every other module imports these instead of spelling its own list or number, so a record,
a scenario field, a measure and a dashboard label mean the same thing. Integer enums are
what the engine and the Parquet records store (compact codes); their lower-case ``key``
is what scenario files and ``summary.json`` use. Text for people is made from these codes
only at the edge (``sim.labels``).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum

MINUTES_PER_HOUR = 60.0
MINUTES_PER_DAY = 1440.0
DAYS_PER_WEEK = 7
FULL_TIME_DAYS_PER_WEEK = 5  # a full-time post works the national five-day week: FTE counts against it
DAYS_PER_YEAR = 365.0
MINUTES_PER_YEAR = DAYS_PER_YEAR * MINUTES_PER_DAY
DAYS_PER_MONTH = 30.4375  # the average Gregorian month, 365.25 / 12
MAX_SEVERITY = 5  # a category's severity runs 1 (minor) to 5 (grave); escalation thresholds compare against it


class Coded(IntEnum):
    """An integer code with a lower-case name used in files (``Tier.GRID.key == "grid"``)."""

    @property
    def key(self) -> str:
        """The lower-case name files use (``Tier.GRID.key == "grid"``)."""
        return self.name.lower()

    @classmethod
    def keys(cls) -> tuple[str, ...]:
        """Every member's key in code order: the categories of a Parquet dictionary column."""
        return tuple(m.key for m in cls)

    @classmethod
    def parse(cls, value: object) -> object:
        """Give the member named by a file's key (``"town"``); other values pass through to pydantic."""
        if isinstance(value, str) and not isinstance(value, cls):
            try:
                return cls[value.upper()]
            except KeyError:
                known = ", ".join(repr(k) for k in cls)
                raise ValueError(f"unknown {cls.__name__.lower()} {value!r} (known: {known})") from None
        return value


class Tier(Coded):
    """The ladder a case climbs: 小事不出格、大事不出村、难事不出镇, and the county above."""

    GRID = 0
    VILLAGE = 1
    TOWN = 2
    COUNTY = 3


class Channel(Coded):
    """How a problem became known; NONE until someone notices it."""

    PATROL = 0
    HOTLINE = 1
    CAMERA = 2
    PARTY = 3
    NONE = 4


class HallChannel(Coded):
    """How a service-hall case reaches the hall: 不见面 online, 代办 by proxy, or in person."""

    ONLINE = 0
    PROXY = 1
    IN_PERSON = 2


class AlarmKind(Coded):
    """The command centre's overdue alarms: nobody on scene in time, not closed in time."""

    RESPONSE = 0
    CLOSURE = 1


class Stage(Coded):
    """A step of a case's story (DESIGN.md §1 row 4b: intake, dispatch, tracking, closure)."""

    OCCURRED = 0
    REPORTED = 1
    SPOT_FIX_FAILED = 2  # the finder tried and could not settle it there
    HANDED_OFF = 3  # before the reform: the wrong department heard of it first
    QUEUED = 4  # waiting for a squad crew
    DISPATCHED = 5
    ARRIVED = 6
    ESCALATED = 7  # handed up from ``tier`` to the next
    RESOLVED = 8
    ALARM = 9
    REWORK = 10
    CLOSED = 11


class Reason(Coded):
    """Why a stage happened (or how), so a story needs no free text."""

    NONE = 0
    SEEN_ON_PATROL = 1  # reported: the channel that noticed it
    HOTLINE_CALL = 2
    CAMERA_ALERT = 3
    PARTY_HOUSEHOLD = 4
    CANNOT_SETTLE_ON_SPOT = 5
    FIXES_ON_SPOT = 6
    WRONG_DEPARTMENT = 7
    NO_CREW_FREE = 8  # busy or off shift
    CONVENED = 9  # 难事不出镇: the town committee convenes the departments
    TIME_LIMIT_USED = 10  # the tier's share of the close limit ran out
    NOT_RESOLVED = 11  # the tier tried and could not resolve it
    NOBODY_FOR_DOMAIN = 12  # no one at this tier handles the problem's domain
    RESPONSE_OVERDUE = 13
    CLOSURE_OVERDUE = 14
    VERIFY_FAILED = 15
    VERIFIED = 16
    NOT_VERIFIED = 17  # before the reform: the department closed it itself
    PREEMPTED = 18  # its crew was taken off it for a more urgent call: back in the squads' queue
    REFERRED = 19  # the town refers it to the county department: powers the town does not hold


REPORTED_BY: dict[Channel, Reason] = {
    Channel.PATROL: Reason.SEEN_ON_PATROL,
    Channel.HOTLINE: Reason.HOTLINE_CALL,
    Channel.CAMERA: Reason.CAMERA_ALERT,
    Channel.PARTY: Reason.PARTY_HOUSEHOLD,
}
OVERDUE: dict[AlarmKind, Reason] = {
    AlarmKind.RESPONSE: Reason.RESPONSE_OVERDUE,
    AlarmKind.CLOSURE: Reason.CLOSURE_OVERDUE,
}


class LandUse(StrEnum):
    """What a village is: town core, industrial park or rural; densities, cameras and streets depend on it."""

    CORE = "core"
    INDUSTRIAL = "industrial"
    RURAL = "rural"


class GridRole(StrEnum):
    """一长五员: the six roles of a level-2 grid's team."""

    CHIEF = "chief"  # 网格长
    WORKER = "worker"  # 专职网格员
    SUPERVISOR = "supervisor"  # 督查员
    INFO_OFFICER = "info_officer"  # 信息员
    LIAISON = "liaison"  # 联络员
    PATROL_OFFICER = "patrol_officer"  # 巡查员


class StaffRole(StrEnum):
    """The other staff who carry a workload in the records."""

    VILLAGE_CADRE = "village_cadre"  # 村干部
    SQUAD_CREW = "squad_crew"  # 执法中队的一组
    HALL_WINDOW = "hall_window"  # 服务大厅窗口
    TOWN_DEPARTMENT = "town_department"  # 镇职能部门工作人员
    COUNTY_DEPARTMENT = "county_department"  # 县级部门（派驻）工作人员
    SQUAD_OFFICER = "squad_officer"  # 执法队员: on a squad's roll (staff counts), crews are what is dispatched


class ActorRole(StrEnum):
    """Who acts in a case's story: people by role, and the bodies without a person's id."""

    CHIEF = GridRole.CHIEF.value
    WORKER = GridRole.WORKER.value
    SUPERVISOR = GridRole.SUPERVISOR.value
    INFO_OFFICER = GridRole.INFO_OFFICER.value
    LIAISON = GridRole.LIAISON.value
    PATROL_OFFICER = GridRole.PATROL_OFFICER.value
    INSPECTOR = "inspector"  # a department's inspector before the reform
    VILLAGE_CADRE = StaffRole.VILLAGE_CADRE.value
    SQUAD_CREW = StaffRole.SQUAD_CREW.value
    COMMAND_CENTRE = "command_centre"
    TOWN_DEPARTMENT = "town_department"
    COUNTY_DEPARTMENT = "county_department"
    EMERGENCY = "emergency"  # 110/119
    TOWN_COMMITTEE = "town_committee"
    DEPARTMENT = "department"  # before the reform: the owning department itself


class Duty(StrEnum):
    """What a grid role may do."""

    PATROL = "patrol"
    FIX = "fix"
    MEDIATE = "mediate"
    VERIFY = "verify"


def inspector_role(department: str) -> str:
    """Name the role of a department's inspector before the reform (``<department>_inspector``)."""
    return f"{department}_inspector"

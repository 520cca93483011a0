"""Upper bounds on every size, rate, duration and count a user may give, and why each is safe.

Each bound is far beyond what a real town or study reaches (the reason is next to it), so
it never limits honest use; it exists so that a typo (``1e9`` days, ``1e12`` staff,
``1e308`` minutes, ``1e-300`` households per grid) is refused in one line instead of
hanging the machine, exhausting its memory or overflowing. The scenario schema
(``sim/config``), the experiment schema and every command's options use these names.
"""

from __future__ import annotations

# --- time ---------------------------------------------------------------------------------
# A study horizon: ten years of simulated time. A Xu Xiake year takes ≈ 11 s, so the
# longest run is minutes; nobody plans a town's governance further ahead.
MAX_DAYS = 3650.0
# Any duration in minutes (time limits, delays, work times, distribution means): the
# longest run. A case that takes longer than the whole run never finishes inside it.
MAX_MINUTES = MAX_DAYS * 24 * 60
# A coefficient of variation beyond 20 puts almost all mass near 0 and the rest beyond any
# horizon (lognormal/gamma draws overflow); measured work times have a CV near 1.
MAX_CV = 20.0
# The clock tick: at least a minute (alarms and the dashboard need no finer step) and at
# most a day (coarser steps skip the daily shifts).
MIN_TICK_MINUTES = 1.0
MAX_TICK_MINUTES = 1440.0

# --- the town -----------------------------------------------------------------------------
# China's largest towns (镇) have about a million residents on a few hundred km²; a
# county is ~2,000 km². Five million residents or 10,000 km² is a city or a province.
MAX_RESIDENTS = 5_000_000
MAX_AREA_KM2 = 10_000.0
MAX_COORD_KM = 1_000.0  # village rectangles and squad bases: a town fits in ±1,000 km
MAX_ENTERPRISES = 1_000_000
# Villages and communities (level-1 grids) of one town: tens to a few hundred.
MAX_VILLAGES = 5_000
MIN_PERSONS_PER_HOUSEHOLD = 1.0  # a household has at least one person
MAX_PERSONS_PER_HOUSEHOLD = 10.0  # and China's mean is 2.6
# A level-2 grid holds 300–500 households in the guidelines; fewer than 10 households is
# not a grid (1e-300 would ask for endless grids), more than 100,000 is a whole town.
MIN_HOUSEHOLDS_PER_GRID = 10.0
MAX_HOUSEHOLDS_PER_GRID = 100_000.0
MAX_GRIDS_PER_VILLAGE = 1_000
# Household / enterprise points of a real town's point layer: one per household of the
# largest town (MAX_RESIDENTS people) is the most a layer can sensibly hold.
MAX_POINTS = MAX_RESIDENTS
# Relative weights (land-use densities, category shares, hourly profiles, score weights):
# only ratios matter; a million-to-one ratio is beyond any real contrast.
MAX_WEIGHT = 1_000_000.0
# Street km per km²: dense Chinese town centres have 10–20; 100 is a maze. Zero would mean
# no street to patrol (and a division by zero), so the bound below is strict.
MAX_STREET_KM_PER_KM2 = 100.0
# Speeds: at least 1 km/h (slower is standing still). No town vehicle passes 200 km/h; the
# bound is 10^7 km/h because the textbook scenarios use that to make travel negligible.
MIN_SPEED_KMH = 1.0
MAX_SPEED_KMH = 1e7
MAX_DETOUR_FACTOR = 5.0  # roads 5× longer than the straight line: an island or a mountain

# --- people and units ---------------------------------------------------------------------
MAX_STAFF_PER_GRID = 100  # 一长五员 is six people per grid; 100 of one role is a typo
MAX_VILLAGE_CADRES = 100  # a village committee has 5–9 members
MAX_SQUADS = 200  # a town has 1–5 zoned squads
MAX_CREWS_PER_SQUAD = 100  # a squad fields 2–10 crews
MAX_WINDOWS = 1_000  # a comprehensive hall has 10–50 windows
MAX_CENTRE_HOUSEHOLDS_PER_GRID = 1_000  # Party centre households: a handful per grid
MAX_OFFICERS_PER_SQUAD = 1_000  # a squad's roll is 8–15 officers
# Staff of one town or county department serving the town: a bureau's case handlers are
# tens; each is simulated as a server, so 10^12 would never finish building.
MAX_DEPARTMENT_STAFF = 1_000
# Queue priority classes of the squads (0 first): a handful are used; more than 1,000
# classes cannot be told apart by anyone setting them.
MAX_PRIORITY_CLASS = 1_000
# Routine duties: hours a week cannot exceed the week (168 h); minutes of information entry
# per case at most a day; household-visit minutes per household a month at most the month.
MAX_HOURS_PER_WEEK = 168.0
MAX_ENTRY_MIN_PER_CASE = 1_440.0
MAX_VISIT_MIN_PER_HOUSEHOLD_MONTH = 43_200.0
# Yearly cost of one person: a township cadre earns ≈ 10^5 yuan; 10^8 is a typo (and larger
# numbers overflow the staff cost to inf).
MAX_SALARY_PER_YEAR = 100_000_000.0
# Candidate squad bases a plan chooses from: every site costs a column of travel times to
# every grid and a variable in each location model; a town offers tens of usable sites.
MAX_CANDIDATE_SITES = 1_000

# --- rates ----------------------------------------------------------------------------------
# Problems per 10,000 residents per year: Xu Xiake's calibration is 6,000; 100,000 is ten a
# resident a year.
MAX_EVENTS_PER_10K_PER_YEAR = 100_000.0
MAX_HALL_CASES_PER_YEAR = 10_000_000.0  # Xu Xiake's hall: ≈ 120,000 a year
MAX_OVERDUE_FRACTION = 100.0  # of a close limit; beyond it nothing is ever handed up

# --- the size of one run (checked before anything is built) -------------------------------
# A Xu Xiake year is ≈ 100,000 incidents and 120,000 hall cases in ≈ 11 s; these limits
# are runs of about 15 minutes and a few GB, far beyond any study's single run.
MAX_RUN_EVENTS = 10_000_000  # expected incidents + hall cases
MAX_RUN_STAFF = 200_000  # grid staff, inspectors, cadres, crews and windows
MAX_RUN_GRIDS = 50_000
MAX_RUN_TICKS = 2_000_000  # clock steps (days × 1440 / tick_minutes)

# --- commands and experiments ---------------------------------------------------------------
# Replications of one command or experiment: a 95% CI narrows as 1/sqrt(R), so 1,000
# replications already give a CI 30× narrower than one; larger studies add design points.
MAX_REPLICATIONS = 1000
# Local worker processes: more than the cores of any single machine gridsim runs on.
MAX_WORKERS = 256
# Seeds feed numpy's SeedSequence and are stored as 64-bit integers with ``seed + k``
# added; 32 bits leave room for every replication and are more streams than any study uses.
MAX_SEED = 2**32 - 1
# Design points of one experiment (levels multiplied out, Latin hypercube points, Morris
# trajectories × (factors + 1)) and runs (points × replications): a sweep of a million
# 30-day runs is weeks of a cluster; beyond it is a typo.
MAX_DESIGN_POINTS = 100_000
MAX_SWEEP_RUNS = 1_000_000
MAX_LEVELS = 1_000  # levels of one factor
MAX_MORRIS_LEVELS = 100  # grid levels of a Morris design (4–10 is usual)
# A location model's solver time limit (``gridsim plan bases --time-limit``): the models
# solve in seconds; a day is beyond any wait a planner accepts.
MAX_SOLVER_SECONDS = 86_400.0

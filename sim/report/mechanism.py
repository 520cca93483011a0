"""Why a difference arose: the model stages behind a measure and what changed in each.

For each stage: what the scenario changed in it, and how that stage's own measures moved
(all from the data, nothing hand-written per run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from markupsafe import Markup

from sim import labels
from sim.labels import model_stage
from sim.report import catalogue as cat
from sim.report.catalogue import Lang
from sim.report.data import Option, paired
from sim.report.text import t

# Stage → (scenario fields that set it, measures that show it working).
STAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "discovery": (("grid_staff.*", "channels.*", "party.eyes", "town.grid_division.*", "incidents.*patrol*",
                   "incidents.*hotline*", "incidents.*camera*"),
                  ("discovery_p50_min", "unreported_share", "channel_share.*")),
    "dispatch": (("squads.*", "command_centre.*", "departments.*", "town.travel.*"),
                 ("squad_wait_share", "squad_wait_mean_min", "share_within_15min_dispatched", "response_p50_min",
                  "squads.*.utilisation", "squads.*.outside_zone_share")),
    "escalation": (("escalation.*", "tiers.*", "party.mediation", "party.convening", "incidents.*resolve_prob*",
                    "incidents.*spot_fix_prob*", "incidents.*lowest_tier*", "command_centre.verif*"),
                   ("tier_share.*", "grid_village_share", "overdue_alarms", "closure_p50_min")),
    "hall": (("service_hall.*",), ("hall_wait_mean_min", "hall_visits_per_case", "hall_window_gini",
                                   "hall_processing_days_mean", "hall_complex_processing_days_mean",
                                   "hall_online_share")),
    "staffing": (("grid_staff.*", "squads.*", "service_hall.windows", "tiers.*", "staff_cost.*"),
                 ("staff_headcount.*", "staff_fte.*", "workload_mean.*", "overtime_hours_per_month.*")),
}

# Headline measure (glob) → the stages it passes through, in order.
DRIVERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("share_within_15min*", ("dispatch", "escalation")),
    ("problem_to_scene*", ("discovery", "dispatch")),
    ("problem_to_closure*", ("discovery", "dispatch", "escalation")),
    ("response_*", ("dispatch",)),
    ("closure_*", ("dispatch", "escalation")),
    ("grid_village_share", ("escalation", "discovery")),
    ("hall_*", ("hall",)),
    ("workload_*", ("staffing",)),
    ("staff_*", ("staffing",)),
    ("discovery_*", ("discovery",)),
)


def stages_of(measure: str) -> tuple[str, ...]:
    """List the model stages that drive ``measure``, where the report looks for a cause."""
    return next((s for p, s in DRIVERS if fnmatchcase(measure, p)), ())


def large(measure: str, a: float, d: Any) -> bool:
    """Whether a change is worth explaining: the CI excludes 0 and it moves 5 points (a share) or 10% of A's mean."""
    if not d.excludes_zero:
        return False
    if cat.kind(measure) == "share":
        return abs(d.mean) >= 0.05
    return abs(d.mean) >= 0.1 * abs(a) if math.isfinite(a) and a != 0 else True


@dataclass
class Story:
    """One large headline difference: its line (A → B with its CI), its CSS class and the stages behind it."""

    headline: str
    measure: str
    stages: tuple[str, ...]
    cls: str


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(path, p) for p in patterns)


def explain(a: Option, b: Option, measures: list[str], diffs: list[tuple[str, Any, Any]], lang: Lang,
            max_fields: int = 4, max_moved: int = 4) -> tuple[list[Story], list[Markup]]:
    """Give the large headline differences, then each stage behind them once: its changed inputs and measures.

    Several measures pass through one stage (dispatch drives the 15-minute share and the response
    times): its changes are said once, with the measures it drives, not under each measure.
    Inputs are named by their words (sim.labels.field) and listed with the language's separators.
    """
    from sim.report.build import diff_class, value_text

    stories = []
    for m in measures:
        d = paired(a, b, m)
        ea = a.estimate(m)
        if not large(m, ea.mean, d):
            continue
        eb = b.estimate(m)
        head = (f"{cat.label(m, lang)}{t('mech.colon', lang)}{cat.fmt(ea.mean, m)} → {cat.fmt(eb.mean, m)}"
                f"{t('mech.open', lang)}{cat.fmt_ci(d.mean, d.lo, d.hi, m, signed=True, lang=lang)}{t("mech.close", lang)}")
        stories.append(Story(head, m, stages_of(m), diff_class(m, d)))
    sep, colon = t("mech.sep", lang), t("mech.colon", lang)
    every = list(dict.fromkeys(a.measures() + b.measures()))
    lines = []
    for st in dict.fromkeys(s for story in stories for s in story.stages):
        fields_pat, measure_pat = STAGES[st]
        changed = [(k, va, vb) for k, va, vb in diffs if _matches(k, fields_pat)]
        field_text = sep.join(f"{labels.field(k, lang)}{colon}{_short(value_text(va, lang, k))} → "
                              f"{_short(value_text(vb, lang, k))}" for k, va, vb in changed[:max_fields])
        if len(changed) > max_fields:
            field_text += t("mech.more", lang, n=len(changed) - max_fields)
        drives = [story.measure for story in stories if st in story.stages]
        moved = []
        for mm in every:
            if mm in drives or not _matches(mm, measure_pat):
                continue
            dd = paired(a, b, mm)
            ma = a.estimate(mm).mean
            if not dd.excludes_zero:
                continue
            rel = abs(dd.mean) / abs(ma) if math.isfinite(ma) and ma else math.inf
            moved.append((rel, mm, ma, b.estimate(mm).mean))
        moved.sort(key=lambda r: -r[0])
        moved_text = sep.join(f"{cat.label(mm, lang)} {cat.fmt(x, mm)} → {cat.fmt(y, mm)}"
                              for _, mm, x, y in moved[:max_moved])
        if not changed and not moved:
            continue
        parts = [f"{t('diff.changed_fields', lang)}{colon}{field_text}" if changed else t("diff.no_field", lang)]
        if moved:
            parts.append(f"{t('diff.moved', lang)}{colon}{moved_text}")
        parts.append(f"{t('diff.drives', lang)}{colon}{t('plan.list_sep', lang).join(cat.label(m, lang) for m in drives)}")
        lines.append(Markup("<b>{}</b> — {}").format(model_stage(st, lang).capitalize(), " — ".join(parts)))
    return stories, lines

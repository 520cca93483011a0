"""Assemble a report: sections of text, tables and figures, rendered by one Jinja2 template."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from sim import labels
from sim.config.town import LATTICE_ONLY
from sim.fonts import cjk_font
from sim.report import catalogue as cat
from sim.report import figures as figs
from sim.report import workload
from sim.report.assumption_table import grouped_rows
from sim.report.assumption_table import head as reader_head
from sim.report.catalogue import Lang
from sim.report.data import (
    Option,
    ReportError,
    by_category,
    identical,
    kind_of,
    load_option,
    paired,
    read_json,
)
from sim.report.figures import Estimate
from sim.report.mechanism import STAGES, explain
from sim.report.sources import MISSING, assumptions, differences, flatten, language, touching
from sim.report.text import t
from sim.vocabulary import Duty
from sim.warnings import text as warning_text


# --- the page's building blocks ----------------------------------------------------------------
@dataclass
class Cell:
    text: str
    cls: str = ""


@dataclass
class Block:
    type: str  # p, h3, table, figure, list
    text: str = ""
    head: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    src: str = ""
    cls: str = ""


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def p(self, text: str, cls: str = "") -> None:
        self.blocks.append(Block("p", text=text, cls=cls))

    def h3(self, text: str) -> None:
        self.blocks.append(Block("h3", text=text))

    def table(self, head: list[str], rows: list[list[Cell]], caption: str = "", cls: str = "") -> None:
        self.blocks.append(Block("table", text=caption, head=head, rows=rows, cls=cls))

    def figure(self, src: str, caption: str, cls: str = "") -> None:
        self.blocks.append(Block("figure", src=src, text=caption, cls=cls))

    def list(self, items: Sequence[str]) -> None:
        self.blocks.append(Block("list", items=[*items]))


UNIT_KINDS = ("share", "load", "minutes", "days", "gini", "ratio", "count", "money")


def unit_titles(lang: Lang, diff: bool = False) -> dict[str, str]:
    out = {k: t(f"unit.{k}", lang) for k in UNIT_KINDS}
    if diff:
        out["share"] = out["load"] = t("unit.share_diff", lang)
    return out


# The units money axes are counted in, largest first: 亿元/万元 in Chinese, million/thousand yuan in English.
MONEY_UNITS: dict[str, tuple[tuple[float, str], ...]] = {
    "zh": ((1e8, "unit.money_1e8"), (1e4, "unit.money_1e4"), (1.0, "unit.money_1")),
    "en": ((1e6, "unit.money_1e6"), (1e3, "unit.money_1e3"), (1.0, "unit.money_1")),
}


def money_units(lang: Lang) -> list[tuple[float, str]]:
    """Give the units a money axis may be shown in, with their axis titles in ``lang``."""
    return [(scale, t(key, lang)) for scale, key in MONEY_UNITS[lang]]


def value_text(v: Any, lang: Lang, path: str = "") -> str:
    """Show a scenario value as a reader reads it: words for codes, squads by base and zone, short paths."""
    if v is MISSING:
        return t("absent", lang)
    if v is None:
        return "–"
    if path.endswith("squads.units"):
        return units_text(v, lang)
    if path.startswith("grid_staff.inspectors.") and isinstance(v, dict) and "count" in v:
        return inspectors_text(v, lang)
    if path.endswith(".path") and isinstance(v, str):
        return labels.shown_path(v)
    words = labels.field_value(path, v, lang)
    if words is not None:
        return words
    if isinstance(v, int) and abs(v) >= 1000:
        return f"{v:,}"  # 159,269 residents
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value_text(x, lang) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {value_text(x, lang)}" for k, x in v.items()) + "}"
    return str(v)


def units_text(v: Any, lang: Lang) -> str:
    """Describe listed squads (``squads.units``, a list or a table by id): how many, each one's base, crews, zone."""
    units = [{"id": k, **u} for k, u in v.items()] if isinstance(v, dict) else list(v or [])
    if not units:
        return t("units.none", lang)
    parts = []
    for u in units:
        base = (t("units.base", lang, x=float(u["base"][0]), y=float(u["base"][1])) if u.get("base")
                else t("units.base_auto", lang))  # a unit without a base is placed by the model, not at (nan, nan)
        zone = u.get("zone") or []
        domains = (t("units.domains", lang, domains=t("plan.list_sep", lang).join(
            labels.domain(d, lang) for d in u["domains"])) if u.get("domains") else "")  # a siloed team's trades
        parts.append(t("units.one" if zone else "units.no_zone", lang, id=u.get("id", "?"), base=base,
                       crews=u.get("crews") if u.get("crews") is not None else "–", zone=len(zone), domains=domains))
    return t("units.n", lang, n=len(units)) + ("；" if lang == "zh" else "; ").join(parts)


def inspectors_text(v: dict[str, Any], lang: Lang) -> str:
    """Describe a department's inspectors (before the reform): per grid, their share of time, duties and domains."""
    duties = t("plan.list_sep", lang).join(labels.label(Duty(d), lang) for d in v.get("duties") or [])
    domains = t("plan.list_sep", lang).join(labels.domain(d, lang) for d in v.get("domains") or [])
    return t("inspectors", lang, count=value_text(v["count"], lang), share=float(v.get("duty_share", 1.0)),
             duties=duties or "–") + (t("inspectors.domains", lang, domains=domains) if domains else "")


def field_cell(path: str, lang: Lang) -> Cell:
    """Name a scenario field in words (its dotted path, as code, when the report has none)."""
    words = labels.field(path, lang)
    return Cell(words, "" if words != path else "code")


def diff_class(name: str, e: Estimate) -> str:
    """Coloured only when the CI excludes 0; green/red by the measure's better direction."""
    if not e.excludes_zero:
        return ""
    direction = cat.better(name)
    if direction == 0:
        return "changed"
    return "better" if (e.mean > 0) == (direction > 0) else "worse"


COLOURS = {"better": figs.BETTER, "worse": figs.WORSE, "changed": figs.CHANGED, "": figs.NEUTRAL}

# Settings a reader wants to see of one option (when present in the scenario).
KEY_FIELDS: tuple[str, ...] = (
    "town.area_km2", "town.residents", "town.households", "town.enterprises", "town.villages", "town.grids",
    "town.gis.villages.path", "town.roads.path",
    "town.grid_division.households_per_grid", "town.grid_division.grids_per_village",
    "command_centre.enabled", "command_centre.dispatch_rule", "squads.count", "squads.crews_per_squad",
    "squads.mode", "escalation.overdue_fraction", "party.eyes", "party.mediation", "party.convening",
    "service_hall.windows", "service_hall.pooling", "service_hall.one_visit",
)


# --- shared sections ---------------------------------------------------------------------------
def how_to_read(lang: Lang, reps: int, text: str = "how_to_read.text", few: str = "one_rep") -> Section:
    """Build the "how to read" section; a warning (``few``) when fewer than two replications back it."""
    s = Section("read", t("how_to_read", lang))
    s.p(t(text, lang))
    if reps < 2:
        s.p(t(few, lang), cls="warning")
    return s


def limits_section(lang: Lang) -> Section:
    """Build the section of the model's known limits."""
    s = Section("limits", t("sec.limits", lang))
    s.list(t("limits", lang).split("|"))
    return s


def simulated_town(option: Option) -> dict[str, Any]:
    """Give the town's figures as simulated (summary.json's ``town``), by the field they replace.

    A GIS town's area, people and firms come from its layers, not from the lattice's settings
    the scenario may still carry (a GIS scenario extending a generated one).
    """
    town = option.summary.get("town") or {}
    size = town.get("size") or {}
    if not size:
        return {}
    return {"town.area_km2": round(float(size["area_km2"]), 1), "town.residents": round(size["residents"]),
            "town.households": round(size["households"]), "town.enterprises": round(size["enterprises"]),
            "town.villages": town.get("villages"), "town.grids": size["grids"]}


def option_assumptions(option: Option) -> dict[str, Any]:
    """Give the ``# assumption`` values an option's results rest on (a GIS town's lattice settings are not)."""
    if option.snapshot is None:
        return {}
    found = assumptions(option.snapshot["files"])
    if (option.summary.get("town") or {}).get("source") == "gis":
        unused = tuple(f"town.{f}" for f in LATTICE_ONLY)
        found = {k: a for k, a in found.items() if not (k in unused or k.startswith(tuple(u + "." for u in unused)))}
    return found


def _assumption_rows(found: list[Any], lang: Lang) -> list[list[Cell]]:
    return [[field_cell(a.path, lang), Cell(a.value, "code"), Cell(a.text(lang)), Cell(a.file)]
            for a in found]


def assumption_table(s: Section, found: list[Any], lang: Lang) -> None:
    """Add the table of the assumption values the results rest on, or say there are none."""
    if found:
        head = [t("field", lang), t("value", lang), t("as.note", lang), t("as.file", lang)]
        s.table(head, _assumption_rows(found, lang), cls="small assume")
    else:
        s.p(t("as.none", lang))


def _warnings(options: list[Option], lang: Lang) -> list[str]:
    """Each option's warnings; one the options share is listed once, without a name."""
    names_of: dict[str, list[str]] = {}
    for o in options:
        for w in o.summary.get("warnings") or []:
            names_of.setdefault(warning_text(w, lang), []).append(o.name)
    sep, colon = ("、", "：") if lang == "zh" else (", ", ": ")
    return [text if len(set(names)) == len(options) else f"{sep.join(dict.fromkeys(names))}{colon}{text}"
            for text, names in names_of.items()]


@dataclass(frozen=True)
class _Category:
    name: str
    label_zh: str
    label_en: str


def category_names(options: list[Option], lang: Lang) -> dict[str, str]:
    """Name each incident category of the options' scenarios in ``lang`` (``sim.labels.category``).

    The per-category measures keep the code; the scenario's ``label_zh`` and ``label_en`` name it
    (its code in words when the scenario gives none). A code no scenario lists (no snapshot)
    stays a code.
    """
    out: dict[str, str] = {}
    for o in options:
        resolved = (o.snapshot or {}).get("resolved") or {}
        for c in (resolved.get("incidents") or {}).get("categories") or []:
            if isinstance(c, dict) and "name" in c:
                named = _Category(c["name"], c.get("label_zh") or "", c.get("label_en") or "")
                out.setdefault(c["name"], labels.category(named, lang))
    return out


def _category_table(options: list[Option], lang: Lang) -> list[list[Cell]]:
    per = [{r["category"]: r for r in by_category(o)} for o in options]
    names = list(dict.fromkeys(c for p in per for c in p))
    words = category_names(options, lang)
    rows = []
    for c in names:
        row = [Cell(words.get(c, c))]
        for col, name in (("incidents", "incidents"), ("response_p50_min", "response_p50_min"),
                          ("closure_on_time_share", "closure_on_time_share")):
            for p in per:
                e = p.get(c, {}).get(col)
                text = _on_the_spot(e, lang) if name == "response_p50_min" else None
                row.append(Cell(text or _two_lines(e, name), "num ci"))
        rows.append(row)
    return rows


# How a median response time of 0 reads: the finder was on scene (DESIGN.md §4: arrival − report).
ON_SPOT_MARK: dict[Lang, str] = {"zh": "当场处置", "en": "on the spot"}


def _on_the_spot(e: Estimate | None, lang: Lang) -> str | None:
    """Say "0 (on the spot)" for a median response of 0 in every replication, else None.

    Response time is arrival − report: a problem the patroller who found it settles there is
    reported by someone already on scene, so its response is 0. A median of 0 means more than
    half of that kind were settled so; a bare 0.00 would read as an instant dispatch.
    """
    if e is None or e.mean != 0 or (math.isfinite(e.hi) and e.hi != 0):
        return None
    return t("cat.on_spot", lang, value="0")


def _two_lines(e: Estimate | None, name: str) -> str:
    """Mean, and its CI on a second line (narrow columns)."""
    if e is None or not math.isfinite(e.mean):
        return "–"
    lo, hi = e.lo, e.hi
    if cat.no_interval(e.mean, lo, hi, name):
        return cat.fmt(e.mean, name)
    return f"{cat.fmt(e.mean, name)}\n[{cat.fmt(lo, name)}, {cat.fmt(hi, name)}]"


def _ci_below(text: str) -> str:
    """Put a "mean [lo, hi]" text's interval on its own line (yearly costs make one line too wide)."""
    return text.replace(" [", "\n[", 1)


def one_run(key: str, reps: int) -> str:
    """Pick the text key for ``reps`` replications: its ``_one`` variant (no interval, none promised) for one run."""
    return key if reps > 1 else f"{key}_one"


def chart_label(name: str, lang: Lang) -> str:
    """Name a measure on a chart's axis: a money measure without its unit, which the axis gives (万元, …)."""
    words = cat.label(name, lang)
    if cat.kind(name) == "money":
        words = words.replace(t("unit.yuan_in_label", lang), "")
    return words


def option_title(o: Option, lang: Lang) -> str:
    """Name an option by its scenario's display title (``sim.labels.scenario_title``), else by its name."""
    if o.label is not None or o.snapshot is None:
        return o.name
    meta = (o.snapshot.get("resolved") or {}).get("meta") or {}
    return labels.scenario_title(str(meta.get("name") or o.name), str(meta.get("description") or ""), lang)


def scenario_file(o: Option) -> str:
    """Give the scenario file an option was run from (its name only), else its scenario's name."""
    return Path(o.snapshot["path"]).name if o.snapshot and o.snapshot.get("path") else o.name


def _share_figure(options: list[Option], group: str, members: list[str], lang: Lang, key: str) -> str | None:
    names = [f"{group}.{m}" for m in members if any(f"{group}.{m}" in o.reps for o in options)]
    if not names:
        return None
    labels = [cat.label(n, lang) for n in names]
    values = {(o.name, lab): o.estimate(n) for o in options for n, lab in zip(names, labels, strict=True)}
    n = min(o.n for o in options)
    return figs.bars_ci(labels, [o.name for o in options], values, t(one_run(key, n), lang, reps=n),
                        t("unit.share", lang))


# --- maps: sim.geo's drawing of the run's layers, or of the layout its scenario builds ---------
def _maps(option: Option, lang: Lang) -> Section | None:
    """Map a run: one replication's layers, else the layout its scenario builds.

    One replication: grid scores, discovery delay and where problems arose (with the squads'
    zones and bases); several: the layout, grids shaded by households, with the squads.
    """
    from sim.report import maps

    s = Section("maps", t("sec.maps", lang))
    layers = maps.of_run(option.folder)
    if layers is not None:
        s.p(t("map.note_one", lang, seed=option.summary.get("seed")))
        for column, key, legend, cmap in (("score", "map.score", cat.label("score", lang), "RdYlGn"),
                                          ("discovery_p50_min", "map.discovery", t("map.discovery_legend", lang),
                                           None)):
            if column in layers.grids:
                s.figure(maps.draw(layers, column, lang, t(key, lang), legend=legend, cmap=cmap, half=True),
                         t(key, lang), cls="half")
        if "incidents" in layers.grids:
            title = t("map.calls_squads", lang)
            s.figure(maps.draw(layers, "incidents", lang, title, t("map.count_unit", lang),
                               legend=cat.label("incidents", lang), squads=True, cmap="magma_r"), title)
        return s if s.blocks else None
    layers = maps.of_snapshot(option.snapshot)
    if layers is None:
        return None
    s.p(t("map.layout", lang))
    title = t("map.squads_opt", lang, opt=option.name)
    s.figure(maps.draw(layers, "households", lang, title, None,
                       legend=t("map.households", lang), squads=True, cmap="Blues"), title)
    return s


def _compare_maps(a: Option, b: Option, diffs: list[tuple[str, Any, Any]], lang: Lang) -> Section | None:
    """Show side by side what differs on the map between two options.

    The grids when the town's division differs, the squads' bases and zones when the squads
    differ (one colour scale for both options).
    """
    from sim.report import maps

    town_differs = any(k.startswith("town.") for k, _, _ in diffs)
    squads_differ = any(k.startswith(("squads.", "command_centre.dispatch_rule")) for k, _, _ in diffs)
    if not (town_differs or squads_differ):
        return None
    both = [(o, maps.of_snapshot(o.snapshot)) for o in (a, b)]
    drawn = [(o, layers) for o, layers in both if layers is not None]
    if not drawn:
        return None
    s = Section("maps", t("sec.maps", lang))
    s.p(t("map.layout_compare", lang))
    hh = [float(x) for _, layers in drawn for x in layers.grids.households]
    for o, layers in drawn:
        title = t("map.grids_opt", lang, opt=o.name, n=len(layers.grids)) if town_differs \
            else t("map.squads_opt", lang, opt=o.name)
        s.figure(maps.draw(layers, "households", lang, title, None,
                           legend=t("map.households", lang), squads=squads_differ and layers.bases is not None,
                           cmap="Blues", vmin=min(hh), vmax=max(hh), half=True), title, cls="half")
    return s if any(blk.type == "figure" for blk in s.blocks) else None


# --- run ----------------------------------------------------------------------------------------
def run_report(folder: Path, lang: Lang) -> dict[str, Any]:
    o = load_option(folder)
    o.label = option_title(o, lang)  # every table, figure and map names the scenario so, not by its file id
    sections = [how_to_read(lang, o.n)]
    q = Section("question", t("sec.question", lang))
    if o.snapshot is None:
        q.p(t("q.no_snapshot", lang))
    else:
        q.p(t("q.run", lang))
        town = simulated_town(o)
        flat_sc = {**flatten(o.snapshot["resolved"]), **town}
        found = option_assumptions(o)
        rows = [[field_cell(k, lang), Cell(value_text(flat_sc[k], lang, k), "code"),
                 Cell(t("yes", lang) if touching(found, [k]) and k not in town else "")]
                for k in KEY_FIELDS if flat_sc.get(k) is not None]
        q.table([t("field", lang), t("value", lang), t("assumption_col", lang)], rows, cls="fields2")
        if town:
            q.p(t("q.town", lang))
        q.p(t("q.files", lang, files=", ".join(Path(f["path"]).name for f in o.snapshot["files"])))
    sections.append(q)

    h = Section("headline", t("sec.headline", lang))
    names = [n for n in cat.headline_order(o.measures()) if not workload.shown_here(n)]
    warn = _warnings([o], lang)
    if warn:
        h.p(t("warnings", lang), cls="warning")
        h.list(warn)
    h.table([t("measure", lang), t("mean_ci" if o.n > 1 else "mean_one", lang)],
            [[Cell(cat.label(n, lang)), Cell(cat.fmt_ci(*_e(o.estimate(n)), n), "num")] for n in names])
    left_out = workload.cost_left_out(o, lang) if "staff_cost_per_year.total" in names else None
    if left_out:
        h.p(left_out, cls="note")
    pairs = [(n, chart_label(n, lang)) for n in names if math.isfinite(o.estimate(n).mean)]
    if pairs:
        title = t("fig.headline" if o.n > 1 else "fig.headline_one", lang, reps=o.n)
        h.figure(figs.ci_panels(pairs, [o.name], {(o.name, n): o.estimate(n) for n, _ in pairs},
                                title, unit_titles(lang), money_units(lang)), title)
    sections.append(h)
    wl = workload.section([o], lang)
    if wl is not None:
        sections.append(wl)
    sections += _tiers_categories([o], lang)
    m = _maps(o, lang)
    if m is not None:
        sections.append(m)
    sections += _assumption_sections([o], [], lang)
    sections.append(limits_section(lang))
    sections.append(_all_measures([o], lang))
    days = o.summary.get("days")
    return {"title": t("title.run", lang, name=option_title(o, lang)), "days": days, "reps": o.n,
            "source": t("scenario_file", lang, files=scenario_file(o)), "sections": sections}


def _e(e: Estimate) -> tuple[float, float, float]:
    return e.mean, e.lo, e.hi


def _tiers_categories(options: list[Option], lang: Lang) -> list[Section]:
    s = Section("tiers", t("sec.tiers", lang))
    from sim.vocabulary import Channel, Tier

    for group, members, key in (("channel_share", list(Channel.keys()), "fig.channels"),
                                ("tier_share", list(Tier.keys()), "fig.tiers")):
        src = _share_figure(options, group, members, lang, key)
        if src:
            n = min(o.n for o in options)
            s.figure(src, t(one_run(key, n), lang, reps=n))
    out = [s] if s.blocks else []
    rows = _category_table(options, lang)
    if rows:
        c = Section("category", t("sec.category", lang))
        n = min(o.n for o in options)
        c.p(t(one_run("cat.note", n), lang, reps=n))
        head = [t("category", lang)]
        for col in ("incidents", "response_p50_min", "closure_on_time_share"):
            head += [f"{cat.label(col, lang)} · {o.name}" if len(options) > 1 else cat.label(col, lang)
                     for o in options]
        c.table(head, rows, cls="small cats")
        if any(ON_SPOT_MARK[lang] in cell.text for row in rows for cell in row):
            c.p(t("cat.on_spot_note", lang), cls="note")
        out.append(c)
    return out


def _assumption_sections(options: list[Option], compared: list[str], lang: Lang) -> list[Section]:
    snaps = [o.snapshot for o in options if o.snapshot is not None]
    if not snaps:
        return []
    found: dict[tuple[str, str, str], Any] = {}
    for o in options:
        for a in option_assumptions(o).values():
            found.setdefault((a.path, a.file, a.value), a)
    s = Section("assumptions", t("sec.assumptions", lang))
    head = [t("field", lang), t("value", lang), t("as.note", lang), t("as.file", lang)]
    if len(options) > 1:
        s.p(t("as.intro.compare", lang))
        hit = touching({f"{k[0]}@{k[1]}@{k[2]}": a for k, a in found.items()}, compared)
        if hit:
            reader_table(s, hit, options, lang)
        else:
            s.p(t("as.none", lang))
        rest = [a for a in found.values() if a not in hit]
        s.p(t("as.shared", lang, n=len(rest)))
        out = [s]
        if rest:
            ap = Section("appendix-assumptions", t("as.appendix", lang))
            ap.table(head, _assumption_rows(rest, lang), cls="small assume")
            out.append(ap)
        return out
    s.p(t("as.intro.run", lang))
    reader_table(s, list(found.values()), options, lang)
    s.p(t("as.raw", lang), cls="note")
    ap = Section("appendix-assumptions", t("as.appendix_raw", lang))
    ap.table(head, _assumption_rows(list(found.values()), lang), cls="small assume")
    return [s, ap]


def reader_table(s: Section, found: list[Any], options: list[Option], lang: Lang) -> None:
    """Add the assumptions grouped and in words (the raw fields go to the appendix)."""
    rows: list[list[Cell]] = []
    for group, items in grouped_rows(found, lang, category_names(options, lang), Cell):
        for k, row in enumerate(items):
            title = group[:1].upper() + group[1:] if lang == "en" else group
            rows.append([Cell(title if k == 0 else "", "grp"), *row])
    s.table([t("as.group", lang), *reader_head(lang)], rows, cls="small assume-read")


def _all_measures(options: list[Option], lang: Lang) -> Section:
    s = Section("all", t("sec.all", lang))
    names = list(dict.fromkeys(n for o in options for n in o.measures()))
    if len(options) == 2:
        a, b = options
        s.p(t("all.note", lang))
        rows = []
        for n in names:
            if identical(a, b, n):
                continue
            d = paired(a, b, n)
            rows.append([Cell(cat.label(n, lang)), Cell(cat.fmt_ci(*_e(a.estimate(n)), n), "num"),
                         Cell(cat.fmt_ci(*_e(b.estimate(n)), n), "num"),
                         Cell(cat.fmt_ci(*_e(d), n, signed=True, lang=lang), "num diff " + diff_class(n, d))])
        s.table([t("measure", lang), "A", "B", t("diff_ci", lang)], rows, cls="small")
    else:
        o = options[0]
        s.table([t("measure", lang), t("mean_ci" if o.n > 1 else "mean_one", lang)],
                [[Cell(cat.label(n, lang)), Cell(cat.fmt_ci(*_e(o.estimate(n)), n), "num")] for n in names],
                cls="small")
    return s


# --- compare ------------------------------------------------------------------------------------
def _effective(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Fill the scenario's defaults in, so an unset field shows the value the model used."""
    from sim.config import ScenarioError, validate_scenario

    try:
        return validate_scenario(snapshot["resolved"], source=snapshot["path"]).model_dump(mode="json")
    except ScenarioError:
        return snapshot["resolved"]


def compare_report(folder: Path, lang: Lang) -> dict[str, Any]:
    meta = read_json(folder / "compare.json")
    if not ((folder / "a" / "summary.json").is_file() and (folder / "b" / "summary.json").is_file()):
        raise ReportError(f"{folder}: made by an older gridsim compare (no a/ and b/ folders); run compare again")
    a, b = load_option(folder / "a"), load_option(folder / "b")
    if a.name == b.name:  # two variants of one preset: their files tell them apart
        for o, tag in ((a, "A"), (b, "B")):
            o.label = f"{tag}: {Path(o.snapshot['path']).stem}" if o.snapshot else f"{tag}: {o.name}"
    n = min(a.n, b.n)
    sections = [how_to_read(lang, n)]

    q = Section("question", t("sec.question", lang))
    ta, tb = option_title(a, lang), option_title(b, lang)
    if ta == tb:  # two files with one display title: their names tell them apart
        ta, tb = a.name, b.name
    else:  # every table, figure, map and warning names them so, not by their file ids
        a.label, b.label = ta, tb
    left, right = ("（", "）") if lang == "zh" else (" (", ")")
    q.p(t("q.compare", lang, a=f"{ta}{left}{scenario_file(a)}{right}", b=f"{tb}{left}{scenario_file(b)}{right}"))
    diffs: list[tuple[str, Any, Any]] = []
    if a.snapshot and b.snapshot:
        diffs = differences(_effective(a.snapshot), _effective(b.snapshot))
        found = {**option_assumptions(a), **option_assumptions(b)}
        rows = [[field_cell(k, lang), Cell(value_text(va, lang, k), "code"), Cell(value_text(vb, lang, k), "code"),
                 Cell(t("yes", lang) if touching(found, [k]) else "")] for k, va, vb in diffs]
        if rows:
            q.table([t("field", lang), "A", "B", t("assumption_col", lang)], rows, cls="small fields")
        else:
            q.p(t("q.same", lang))
        for snapshot, tag in ((a.snapshot, "A"), (b.snapshot, "B")):
            q.p(f"{tag}: " + t("q.files", lang, files=" → ".join(Path(f["path"]).name
                                                                for f in snapshot["files"])))
    else:
        q.p(t("q.no_snapshot", lang))
    sections.append(q)

    h = Section("headline", t("sec.headline", lang))
    warn = _warnings([a, b], lang)
    if warn:
        h.p(t("warnings", lang), cls="warning")
        h.list(warn)
    names = [m for m in cat.headline_order(list(dict.fromkeys(a.measures() + b.measures())))
             if not identical(a, b, m)]
    rows, forest_rows = [], []
    for m in [m for m in names if not workload.shown_here(m)]:
        d = paired(a, b, m)
        cls = diff_class(m, d)
        rows.append([Cell(cat.label(m, lang)), Cell(_ci_below(cat.fmt_ci(*_e(a.estimate(m)), m)), "num ci"),
                     Cell(_ci_below(cat.fmt_ci(*_e(b.estimate(m)), m)), "num ci"),
                     Cell(_ci_below(cat.fmt_ci(*_e(d), m, signed=True, lang=lang)), "num diff " + cls + " ci")])
        if math.isfinite(d.mean):
            forest_rows.append((m, chart_label(m, lang), d, COLOURS[cls]))
    h.table([t("measure", lang), f"A · {a.name}", f"B · {b.name}", t("diff_ci", lang)], rows, cls="headline")
    h.p(t("headline.note", lang))
    pairs = [(m, chart_label(m, lang)) for m in names if not workload.shown_here(m)]
    if pairs:
        vals = {(o.name, m): o.estimate(m) for o in (a, b) for m, _ in pairs}
        h.figure(figs.ci_panels(pairs, [a.name, b.name], vals, t("fig.headline", lang, reps=n), unit_titles(lang),
                                money_units(lang)),
                 t("fig.headline", lang, reps=n))
    sections.append(h)

    diff_sec = Section("differences", t("sec.diff", lang))
    if forest_rows:
        diff_sec.figure(figs.forest(forest_rows, t("fig.diff", lang, reps=n), unit_titles(lang, diff=True),
                                    money_units(lang)),
                        t("fig.diff", lang, reps=n))
    diff_sec.h3(t("diff.large", lang))
    diff_sec.p(t("diff.mech_intro", lang))
    # workload and staff have their own section (their mechanism is the staffing change itself)
    stories, mechanisms = explain(a, b, [m for m in names if not workload.shown_here(m) and not m.startswith("staff_")],
                                  diffs, lang)
    if not stories:
        for line in _no_story([m for m in names if not workload.shown_here(m)], a, b, lang):
            diff_sec.p(line)
    for story in stories:
        diff_sec.blocks.append(Block("p", text=story.headline, cls="mech-head " + story.cls))
    if mechanisms:
        diff_sec.p(t("diff.mechanisms", lang), cls="mech-head")
        diff_sec.list(mechanisms)
    sections.append(diff_sec)
    wl = workload.section([a, b], lang)
    if wl is not None:
        sections.append(wl)
    sections += _tiers_categories([a, b], lang)
    maps = _compare_maps(a, b, diffs, lang)
    if maps is not None:
        sections.append(maps)
    sections += _assumption_sections([a, b], [k for k, _, _ in diffs], lang)
    sections.append(limits_section(lang))
    sections.append(_all_measures([a, b], lang))
    return {"title": t("title.compare", lang, a=ta, b=tb), "days": meta.get("days"), "reps": n,
            "source": t("scenario_file", lang, files=f"A {scenario_file(a)}{t('cost.role_sep', lang)}B {scenario_file(b)}"),
            "sections": sections}


def _no_story(measures: list[str], a: Option, b: Option, lang: Lang, most: int = 6) -> list[str]:
    """Say why no difference is traced to its mechanism, true in every case.

    None of the headline differences excludes 0; or those that do are small, or are staff
    numbers each scenario sets (the same difference in every replication: a difference too).
    """
    differing = [(m, paired(a, b, m)) for m in measures]
    differing = [(m, d) for m, d in differing if d.excludes_zero]
    if not differing:
        return [t("diff.none", lang)]

    def listed(found: list[tuple[str, Estimate]]) -> str:
        left, right = ("（", "）") if lang == "zh" else (" (", ")")
        words = [f"{cat.label(m, lang)}{left}{cat.fmt_ci(d.mean, d.lo, d.hi, m, signed=True, lang=lang)}{right}"
                 for m, d in found[:most]]
        return ("、" if lang == "zh" else "; ").join(words) + ("…" if len(found) > most else "")

    small = [(m, d) for m, d in differing if not m.startswith("staff_")]
    staff = [(m, d) for m, d in differing if m.startswith("staff_")]
    return ([t("diff.small", lang, measures=listed(small))] if small else []) + (
        [t("diff.staffing", lang, measures=listed(staff), section=t("sec.workload", lang))] if staff else [])


# --- entry ---------------------------------------------------------------------------------------
def default_language(folder: Path) -> Lang:
    """Chinese unless the (first) scenario says ``meta.language = "en"``."""
    from sim.report.sources import read_snapshot

    k = kind_of(folder)
    snap = read_snapshot(folder / "a" if k == "compare" else folder) if k != "sweep" else None
    if k == "plan":
        from sim.report.plan import plan_language

        return plan_language(folder)
    if k == "sweep":
        from sim.report.sweep import sweep_language

        return sweep_language(folder)
    return "en" if language(snap) == "en" else "zh"


# Sections for the analyst rather than the reader (every measure, every other assumption):
# left out unless asked for, so that the default is a document a county leader reads.
APPENDIX_SECTIONS = ("all", "appendix-assumptions", "verify-all")


def _without_appendix(sections: list[Section], folder: Path, lang: Lang) -> list[Section]:
    """Drop the appendix sections and say, at the end, how to get them (and where the data is)."""
    kept = [s for s in sections if s.id not in APPENDIX_SECTIONS]
    if len(kept) < len(sections):
        note = Section("appendix", t("sec.appendix", lang))
        files = {"run": "Parquet/JSON", "compare": "CSV/JSON/Parquet", "sweep": "DuckDB/Parquet",
                 "plan": "CSV/JSON"}[kind_of(folder)]
        note.p(t("appendix.left_out", lang, folder=folder, files=files))
        kept.append(note)
    return kept


def render(folder: Path, lang: Lang | None = None, appendix: bool = False) -> str:
    """Render the report of a run, compare, sweep or plan folder as one self-contained HTML page.

    ``appendix``: add every measure and the assumptions the compared fields do not touch.
    """
    folder = Path(folder)
    k = kind_of(folder)
    lang = lang or default_language(folder)
    cjk_font()
    if k == "run":
        ctx = run_report(folder, lang)
    elif k == "compare":
        ctx = compare_report(folder, lang)
    elif k == "plan":
        from sim.report.plan import plan_report

        ctx = plan_report(folder, lang)
    else:
        from sim.report.sweep import sweep_report

        ctx = sweep_report(folder, lang)
    if not appendix:
        ctx["sections"] = _without_appendix(ctx["sections"], folder, lang)
    env = jinja2.Environment(loader=jinja2.PackageLoader("sim.report", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    date = dt.date.today().isoformat()
    days, reps, lead = ctx.pop("days"), ctx.pop("reps"), ctx.pop("subtitle_lead", None)
    subtitle = t("subtitle", lang, days=f"{days:g}" if isinstance(days, (int, float)) else "?", reps=reps, date=date)
    if lead is not None:
        subtitle = t("subtitle_plan", lang, lead=lead, date=date)
    source = ctx.pop("source", None)  # the scenario's file, under a title that names the scenario in words
    if source:
        subtitle = f"{source} · {subtitle}"
    return env.get_template("report.html.j2").render(lang=lang, css=css, subtitle=subtitle,
                                                     footer=t("footer", lang, folder=folder.name),
                                                     contents=t("contents", lang), **ctx)


__all__ = ["STAGES", "ReportError", "render"]

"""Pictures for the page as SVG text: the static map, the moving overlay, small charts.

The town's static map is drawn once per town and language; the moving overlay goes out as
compact rows.

The browser draws SVG, so a frame costs the server only the few rows that moved (dots and
crews), not a raster image. Coordinates are kilometres scaled by ``UNIT`` (y up on the map,
so y is flipped). Nothing here imports solara.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.dashboard import labels as L
from sim.vocabulary import Stage

UNIT = 100.0  # SVG units per km
MARGIN = 0.35  # km of paper round the town (room for labels and the scale bar)

# Zones are pale, cool tints; stages are saturated and warm-to-green, so neither can be
# mistaken for the other (checked against the zone tints: no shared hue family).
ZONE_TINTS: tuple[str, ...] = (
    "#dbe7f3", "#e6e0f0", "#dcefe9", "#efe6da", "#e3ecd6", "#eadbe5", "#d9e3e8", "#ece8d4",
)
ZONE_EDGES: tuple[str, ...] = (
    "#4e79a7", "#7b5ea7", "#3f8f7f", "#9c755f", "#6b8e23", "#a0527d", "#4f6d7a", "#8c7d3a",
)
# the furthest stage a case reached (Incident.stage), in the loop's order
STAGES: tuple[Stage, ...] = (Stage.OCCURRED, Stage.REPORTED, Stage.DISPATCHED, Stage.ARRIVED, Stage.RESOLVED,
                             Stage.CLOSED)
STAGE_COLOURS: dict[Stage, str] = {
    Stage.OCCURRED: "#757575",   # grey: nobody knows yet
    Stage.REPORTED: "#ffb300",   # amber: waiting
    Stage.DISPATCHED: "#f4511e",  # orange-red: on the way
    Stage.ARRIVED: "#d81b60",    # magenta: at work on scene
    Stage.RESOLVED: "#00897b",   # teal: fixed, being verified
    Stage.CLOSED: "#2e7d32",     # green: closed (fades out)
}
OVERDUE_COLOUR = "#b71c1c"
SELECTED_COLOUR = "#ffd600"
NO_TIER = -1  # a case nobody has noticed yet: no tier holds it; the map draws it as a ring


def zone_edge(k: int) -> str:
    """Edge colour of squad zone ``k``, the palette repeating for many zones."""
    return ZONE_EDGES[k % len(ZONE_EDGES)]


def zone_tint(k: int) -> str:
    """Fill tint of squad zone ``k``, light enough to read grid lines over it."""
    return ZONE_TINTS[k % len(ZONE_TINTS)]


@dataclass(frozen=True)
class Frame:
    """The paper: town extent in km and the SVG viewBox that holds it."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def view_box(self) -> str:
        """The SVG viewBox holding the town with a margin and room for the scale bar."""
        w, h = self.x1 - self.x0 + 2 * MARGIN, self.y1 - self.y0 + 2 * MARGIN + 0.5
        return f"0 0 {w * UNIT:.0f} {h * UNIT:.0f}"

    def sx(self, x: float) -> float:
        """Turn km east into SVG units."""
        return round((x - self.x0 + MARGIN) * UNIT, 1)

    def sy(self, y: float) -> float:
        """Turn km north into SVG units (SVG's y runs down)."""
        return round((self.y1 - y + MARGIN) * UNIT, 1)


def town_frame(model) -> Frame:
    """Find the extent of villages and squad bases: the map's paper."""
    xs = [b for v in model.town.villages for b in (v.box.x0, v.box.x1)] + [s.base[0] for s in model.squads]
    ys = [b for v in model.town.villages for b in (v.box.y0, v.box.y1)] + [s.base[1] for s in model.squads]
    return Frame(min(xs), min(ys), max(xs), max(ys))


def _poly(f: Frame, pts: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{f.sx(x)},{f.sy(y)}" for x, y in pts)


def _outline_d(f: Frame, box) -> str:
    """Give the SVG path data of a village or grid.

    Every ring of every part of a real polygon, or the lattice rectangle.
    """
    geom = getattr(box, "geometry", None)
    if geom is None:
        return f"M{_poly(f, box.polygon)}Z"
    out = []
    for part in getattr(geom, "geoms", [geom]):
        if part.geom_type != "Polygon":
            continue
        for ring in (part.exterior, *part.interiors):
            out.append(f"M{_poly(f, list(ring.coords)[:-1])}Z")
    return "".join(out)


def _nice_km(span: float) -> float:
    """Pick a round scale-bar length near a fifth of the town's width."""
    target = max(span / 5, 0.1)
    p = 10 ** math.floor(math.log10(target))
    return next(m * p for m in (5, 2, 1) if m * p <= target)


MAJOR_ROADS = frozenset({"motorway", "trunk", "primary", "secondary"})


def _roads(f: Frame, roads) -> list[str]:
    """Draw the road network as on a street map, so roads are not taken for village borders.

    White streets and cream major roads, each with a grey casing, so they read on every zone
    tint.
    """
    minor: list[str] = []
    major: list[str] = []
    for cls, line in zip(roads.edges.highway, roads.lines, strict=True):
        (major if cls in MAJOR_ROADS else minor).append("M" + " ".join(f"{f.sx(x)},{f.sy(y)}" for x, y in line))
    out = []
    for d, width, colour, cls in (("".join(minor), 4.0, "#ffffff", "minor"), ("".join(major), 7.0, "#fff3c4", "major")):
        if d:
            out.append(f'<path d="{d}" fill="none" stroke="#9e9e9e" stroke-width="{width + 3:g}" '
                       f'stroke-linecap="round" stroke-linejoin="round"/>'
                       f'<path d="{d}" fill="none" stroke="{colour}" stroke-width="{width:g}" stroke-linecap="round" '
                       f'stroke-linejoin="round" class="gs-roads gs-roads-{cls}"/>')
    return out


def zone_owner(model) -> dict[int, int]:
    """Village index → index of the squad whose zone holds it."""
    return {v: k for k, sq in enumerate(model.squads) for v in sq.zone}


def static_map_svg(model, lang: str) -> str:
    """Draw the parts of the map that do not move, once per town and language.

    Villages tinted by squad zone, grid lines, village names, squad bases, km ticks and a
    scale bar.
    """
    f = town_frame(model)
    town = model.town
    owner = zone_owner(model)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{f.view_box}" class="gs-static" '
           'preserveAspectRatio="xMidYMid meet" font-family="Noto Sans CJK SC, Noto Sans, sans-serif">']
    out.append('<rect x="0" y="0" width="100%" height="100%" fill="#fafafa"/>')
    for v in town.villages:
        k = owner.get(v.index)
        fill = zone_tint(k) if k is not None else "#f0f0f0"
        out.append(f'<path d="{_outline_d(f, v.box)}" fill="{fill}" fill-rule="evenodd" stroke="none"/>')
    grid_paths = "".join(_outline_d(f, g.box) for g in town.grids)
    out.append(f'<path d="{grid_paths}" fill="none" stroke="#b0b0b0" stroke-width="1.2"/>')
    if town.roads is not None:
        out.extend(_roads(f, town.roads))
    for v in town.villages:
        k = owner.get(v.index)
        dash = ' stroke-dasharray="8 4"' if v.land_use == "core" else ""
        out.append(f'<path d="{_outline_d(f, v.box)}" fill="none" stroke="#455a64" stroke-width="3"{dash}/>')
    size = max(14.0, min(30.0, 0.09 * UNIT * min(min(v.box.x1 - v.box.x0, v.box.y1 - v.box.y0)
                                                     for v in town.villages) * 2.2))
    for v in town.villages:
        cx, cy = v.box.centroid
        name = v.name  # an identifier (V01…) or the scenario's own village name
        out.append(f'<text x="{f.sx(cx)}" y="{f.sy(cy)}" font-size="{size:.0f}" text-anchor="middle" '
                   f'dominant-baseline="middle" fill="#37474f" stroke="#fafafa" stroke-width="4" '
                   f'paint-order="stroke" class="gs-village-name">{html.escape(name)}</text>')
    for k, sq in enumerate(model.squads):
        x, y = f.sx(sq.base[0]), f.sy(sq.base[1])
        out.append(f'<rect x="{x - 14}" y="{y - 14}" width="28" height="28" fill="{zone_edge(k)}" '
                   f'stroke="#111" stroke-width="2"/>')
        out.append(f'<text x="{x}" y="{y - 20}" font-size="22" font-weight="700" text-anchor="middle" '
                   f'fill="{zone_edge(k)}" stroke="#fff" stroke-width="4" paint-order="stroke">'
                   f'{html.escape(sq.squad_id)}</text>')
    # km ticks on the bottom edge and the left edge, and a scale bar
    step = _nice_km(f.x1 - f.x0)
    ybase = f.sy(f.y0) + 0.12 * UNIT
    km = L.t("km", lang)
    x = math.ceil(f.x0 / step) * step
    while x <= f.x1 + 1e-9:
        out.append(f'<line x1="{f.sx(x)}" y1="{ybase - 8}" x2="{f.sx(x)}" y2="{ybase}" stroke="#555" stroke-width="2"/>'
                   f'<text x="{f.sx(x)}" y="{ybase + 20}" font-size="18" text-anchor="middle" fill="#555">{x:g}</text>')
        x += step
    y = math.ceil(f.y0 / step) * step
    while y <= f.y1 + 1e-9:
        xl = f.sx(f.x0) - 0.06 * UNIT
        out.append(f'<text x="{xl}" y="{f.sy(y)}" font-size="18" text-anchor="end" dominant-baseline="middle" '
                   f'fill="#555">{y:g}</text>')
        y += step
    bar_y = ybase + 0.38 * UNIT
    bx = f.sx(f.x0)
    out.append(f'<rect x="{bx}" y="{bar_y}" width="{step * UNIT:.0f}" height="10" fill="#212121"/>'
               f'<text x="{bx + step * UNIT + 10:.0f}" y="{bar_y + 10}" font-size="20" fill="#212121" '
               f'class="gs-scale">{step:g} {html.escape(km)}</text>'
               f'<text x="{f.sx(f.x1)}" y="{ybase + 20}" font-size="18" text-anchor="end" fill="#555" dx="40">'
               f'{html.escape(km)}</text>')
    out.append("</svg>")
    return "".join(out)


# ---- series ----------------------------------------------------------------------------------
def series_svg(xs: Sequence[float], ys: Sequence[float], colour: str, x_label: str, y_label: str,
               title: str = "", width: int = 420, height: int = 150, max_points: int = 240) -> str:
    """Draw a small line chart with labelled axes (x: days, y: count), thinned to ``max_points``."""
    n = len(xs)
    if n > max_points:
        stride = math.ceil(n / max_points)
        idx = list(range(0, n, stride))
        if idx[-1] != n - 1:
            idx.append(n - 1)
        xs = [xs[i] for i in idx]
        ys = [ys[i] for i in idx]
    left, right, top, bottom = 46, 10, 22 if title else 8, 34
    pw, ph = width - left - right, height - top - bottom
    xmax = max(float(xs[-1]) if len(xs) else 0.0, 0.05)
    ymax = max(max(ys) if len(ys) else 0, 1)
    ytop = _nice_ceiling(ymax)

    def px(x: float) -> float:
        return left + pw * x / xmax

    def py(y: float) -> float:
        return top + ph * (1 - y / ytop)

    pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=False))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
           f'class="gs-series-svg" font-family="Noto Sans CJK SC, Noto Sans, sans-serif" font-size="11">']
    for k in range(5):
        yv = ytop * k / 4
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{py(yv):.1f}" y2="{py(yv):.1f}" stroke="#e0e0e0"/>'
                   f'<text x="{left - 4}" y="{py(yv) + 4:.1f}" text-anchor="end" fill="#555">{yv:g}</text>')
    for k in range(5):
        xv = xmax * k / 4
        out.append(f'<text x="{px(xv):.1f}" y="{top + ph + 14}" text-anchor="middle" fill="#555">{xv:.1f}</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + ph}" stroke="#777"/>'
               f'<line x1="{left}" x2="{left + pw}" y1="{top + ph}" y2="{top + ph}" stroke="#777"/>')
    if title:
        out.append(f'<text x="{left}" y="14" font-size="13" font-weight="600" fill="#222">{html.escape(title)}</text>')
    if pts:
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
    out.append(f'<text x="{left + pw / 2}" y="{height - 3}" text-anchor="middle" fill="#333">{html.escape(x_label)}</text>'
               f'<text x="12" y="{top + ph / 2}" text-anchor="middle" fill="#333" '
               f'transform="rotate(-90 12 {top + ph / 2})">{html.escape(y_label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _nice_ceiling(v: float) -> float:
    p = 10 ** math.floor(math.log10(v))
    return next(m * p for m in (1, 2, 2.5, 4, 5, 8, 10) if m * p >= v)

"""Reading a real town's layers: villages, level-2 grids, household/enterprise points.

Files are read with geopandas/pyogrio (GeoJSON, GeoPackage, Shapefile, anything GDAL
reads), checked (features, geometry types, attribute columns, households, overlaps,
validity) and reprojected into one local metric CRS: the UTM zone that contains the town.
The model works in km from the south-west corner of the villages' bounds, so
:class:`TownLayers` keeps that CRS and origin to write results back in real coordinates.
Every refusal is a :class:`GeoError` naming the file; every repair is a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim import limits
from sim.config.geo import Gis, GridLayer, PointLayer, VillageLayer
from sim.geo.errors import GeoError
from sim.vocabulary import LandUse
from sim.warnings import RunWarning

if TYPE_CHECKING:
    import geopandas as gpd

LAND_USES = tuple(u.value for u in LandUse)
_POLYGONAL = ("Polygon", "MultiPolygon")
_PUNCTUAL = ("Point", "MultiPoint")
# Villages may share borders; an overlap larger than this (m²) is a data error, not rounding.
_OVERLAP_M2 = 1.0


@dataclass
class TownLayers:
    """A real town's layers in the model's frame: km east/north of ``origin_m`` in ``crs``."""

    crs: str
    origin_m: tuple[float, float]
    villages: gpd.GeoDataFrame  # name, households, enterprises (or NaN), land_use, residents (or NaN)
    grids: gpd.GeoDataFrame | None = None  # name, village, households (or NaN)
    points: gpd.GeoDataFrame | None = None  # households, enterprises weights
    warnings: list[RunWarning] = field(default_factory=list)

    def to_local(self, geoms: gpd.GeoSeries) -> gpd.GeoSeries:
        """Metric CRS coordinates → model km."""
        return geoms.affine_transform([1e-3, 0, 0, 1e-3, -self.origin_m[0] * 1e-3, -self.origin_m[1] * 1e-3])


def to_real(frame: gpd.GeoDataFrame, crs: str, origin_m: tuple[float, float]) -> gpd.GeoDataFrame:
    """Place a frame in model km back in the metric CRS it came from."""
    out = frame.copy()
    out.geometry = frame.geometry.affine_transform([1e3, 0, 0, 1e3, origin_m[0], origin_m[1]])
    return out.set_crs(crs, allow_override=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# Features a layer may hold: the model's bounds (sim/limits.py), checked from the file's
# header before anything is read, so an absurd file is refused at once.
MAX_FEATURES = {"village": limits.MAX_VILLAGES, "grid": limits.MAX_RUN_GRIDS, "point": limits.MAX_POINTS,
                "candidate site": limits.MAX_CANDIDATE_SITES}


# The scenario field that names each kind of layer's file, for a refusal that says where to fix it.
LAYER_FIELDS = {"village": "town.gis.villages.path", "grid": "town.gis.grids.path", "point": "town.gis.points.path",
                "candidate site": "plan.site_layer.path"}


def read_layer(path: Path, layer: str | None, what: str, assume_crs: str | None) -> gpd.GeoDataFrame:
    """One vector layer, refused in one line when missing, unreadable, too large, empty or without CRS."""
    import geopandas as gpd
    import pyogrio

    if not path.exists():
        raise GeoError(f"{LAYER_FIELDS[what]}: {what} file not found: {path}")
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        raise GeoError(f"{path}: {what} path is a folder, not a file")
    if path.is_file() and path.stat().st_size == 0:  # as an empty scenario file is refused, not GDAL's words
        raise GeoError(f"{LAYER_FIELDS[what]}: {path}: the file is empty (no {what} layer in it)")
    try:
        if layer is not None:
            names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
            if layer not in names:
                raise GeoError(f"{path}: no layer {layer!r} (layers: {', '.join(names)})")
        count = int(pyogrio.read_info(path, layer=layer).get("features", -1))
        if count > MAX_FEATURES[what]:
            raise GeoError(f"{path}: the {what} layer has {count:,} features, beyond the limit of"
                           f" {MAX_FEATURES[what]:,} (sim/limits.py)")
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
    except GeoError:
        raise
    except Exception as exc:  # pyogrio/GDAL raise many kinds; the user needs the file and the reason
        reason = _first_line(exc)
        if "not recognized as being in a supported file format" in reason:  # GDAL's, with a driver hint
            reason = "not a vector format GDAL reads (GeoJSON, GeoPackage, Shapefile, …)"
        raise GeoError(f"{LAYER_FIELDS[what]}: {path}: cannot read the {what} layer: {reason}") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or "geometry" not in gdf or len(gdf) == 0:
        raise GeoError(f"{path}: {what} layer has no features")
    if gdf.crs is None:
        if assume_crs is None:
            raise GeoError(f"{path}: the CRS of the {what} layer cannot be determined"
                           " (no .prj / CRS in the file; set town.gis.assume_crs)")
        try:
            gdf = gdf.set_crs(assume_crs)
        except Exception as exc:
            raise GeoError(f"{path}: town.gis.assume_crs {assume_crs!r} is not a CRS: {_first_line(exc)}") from None
    return gdf


def _geometry_types(gdf: gpd.GeoDataFrame, path: Path, what: str, allowed: tuple[str, ...]) -> None:
    missing = gdf.geometry.isna() | gdf.geometry.is_empty
    if missing.any():
        raise GeoError(f"{path}: {what} feature {int(np.flatnonzero(missing.to_numpy())[0]) + 1} has no geometry")
    bad = sorted(set(gdf.geom_type) - set(allowed))
    if bad:
        raise GeoError(f"{path}: wrong geometry type {', '.join(bad)} for {what} (expected {' or '.join(allowed)})")


def _column(gdf: gpd.GeoDataFrame, col: str, path: Path, what: str) -> pd.Series:
    if col not in gdf.columns or col == "geometry":
        cols = ", ".join(c for c in gdf.columns if c != "geometry")
        raise GeoError(f"{path}: unknown attribute column {col!r} for {what} (columns: {cols})")
    return gdf[col]


def _numbers(s: pd.Series, path: Path, what: str, names: pd.Series, positive: bool) -> np.ndarray:
    v = pd.to_numeric(s, errors="coerce").to_numpy(float)
    bad = ~np.isfinite(v) | ((v <= 0) if positive else (v < 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = "> 0" if positive else ">= 0"
        raise GeoError(f"{path}: {what} must be a number {rule}, got {s.iloc[i]} for {names.iloc[i]!r}")
    return v


def _repair(gdf: gpd.GeoDataFrame, path: Path, what: str, names: pd.Series, mode: str,
            warnings: list[RunWarning]) -> gpd.GeoDataFrame:
    """Invalid polygons are made valid (keeping their polygonal part) with a warning, or refused."""
    import shapely

    invalid = ~gdf.geometry.is_valid.to_numpy()
    if not invalid.any():
        return gdf
    first = int(np.flatnonzero(invalid)[0])
    reason = shapely.is_valid_reason(gdf.geometry.iloc[first])
    if mode == "refuse":
        raise GeoError(f"{path}: invalid {what} geometry for {names.iloc[first]!r}: {reason}")
    fixed = []
    for g, bad in zip(gdf.geometry, invalid, strict=True):
        if bad:
            g = shapely.make_valid(g)
            if g.geom_type == "GeometryCollection":
                g = shapely.union_all([p for p in g.geoms if p.geom_type in _POLYGONAL])
        fixed.append(g)
    out = gdf.copy()
    out.geometry = fixed
    empty = out.geometry.is_empty.to_numpy() | ~out.geom_type.isin(_POLYGONAL).to_numpy()
    if empty.any():
        raise GeoError(f"{path}: invalid {what} geometry for {names.iloc[int(np.flatnonzero(empty)[0])]!r}"
                       " has no area left after repair")
    warnings.append(RunWarning("geometry_repaired", {
        "file": str(path), "count": int(invalid.sum()), "layer": what, "first": str(names.iloc[first]), "reason": reason}))
    return out


def _overlaps(gdf: gpd.GeoDataFrame, path: Path) -> None:
    import shapely

    geoms = gdf.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    keep = left < right
    for i, j in zip(left[keep], right[keep], strict=True):
        area = shapely.intersection(geoms[i], geoms[j]).area
        if area > _OVERLAP_M2:
            raise GeoError(f"{path}: villages {gdf['name'].iloc[i]!r} and {gdf['name'].iloc[j]!r} overlap"
                           f" ({area:,.0f} m²)")


def _villages(cfg: VillageLayer, path: Path, gis: Gis, warnings: list[RunWarning]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    raw = read_layer(path, cfg.layer, "village", gis.assume_crs)
    _geometry_types(raw, path, "villages", _POLYGONAL)
    names = _column(raw, cfg.name, path, "village name").astype(str).str.strip()
    if (names == "").any() or names.isna().any():
        raise GeoError(f"{path}: a village has an empty name (column {cfg.name!r})")
    dup = names[names.duplicated()]
    if len(dup):
        raise GeoError(f"{path}: village name {dup.iloc[0]!r} appears twice")
    hh = _numbers(_column(raw, cfg.households, path, "households"), path, "households", names, positive=True)
    ent = (_numbers(_column(raw, cfg.enterprises, path, "enterprises"), path, "enterprises", names, positive=False)
           if cfg.enterprises else np.full(len(raw), np.nan))
    res = (_numbers(_column(raw, cfg.residents, path, "residents"), path, "residents", names, positive=True)
           if cfg.residents else np.full(len(raw), np.nan))
    if cfg.land_use:
        lu = _column(raw, cfg.land_use, path, "land use").astype(str).str.strip().str.lower()
        bad = ~lu.isin(LAND_USES)
        if bad.any():
            raise GeoError(f"{path}: land use {lu[bad].iloc[0]!r} for {names[bad].iloc[0]!r} is not one of"
                           f" {', '.join(LAND_USES)}")
    else:
        lu = pd.Series(["rural"] * len(raw))
    gdf = gpd.GeoDataFrame(
        {"name": names.to_numpy(), "households": hh, "enterprises": ent, "land_use": lu.to_numpy(),
         "residents": res},
        geometry=raw.geometry.to_numpy(), crs=raw.crs,
    )
    return _repair(gdf, path, "village", gdf["name"], gis.invalid, warnings)


def _grids(cfg: GridLayer, path: Path, gis: Gis, villages: gpd.GeoDataFrame,
           warnings: list[RunWarning]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    raw = read_layer(path, cfg.layer, "grid", gis.assume_crs)
    _geometry_types(raw, path, "grids", _POLYGONAL)
    names = _column(raw, cfg.name, path, "grid name").astype(str).str.strip()
    dup = names[names.duplicated()]
    if len(dup):
        raise GeoError(f"{path}: grid name {dup.iloc[0]!r} appears twice")
    village = _column(raw, cfg.village, path, "grid village").astype(str).str.strip()
    known = set(villages["name"])
    unknown = village[~village.isin(known)]
    if len(unknown):
        raise GeoError(f"{path}: grid {names[~village.isin(known)].iloc[0]!r} names unknown village {unknown.iloc[0]!r}")
    without = [v for v in villages["name"] if v not in set(village)]
    if without:
        raise GeoError(f"{path}: village {without[0]!r} has no level-2 grid in the grid layer")
    hh = (_numbers(_column(raw, cfg.households, path, "grid households"), path, "grid households", names, positive=True)
          if cfg.households else np.full(len(raw), np.nan))
    gdf = gpd.GeoDataFrame({"name": names.to_numpy(), "village": village.to_numpy(), "households": hh},
                           geometry=raw.geometry.to_numpy(), crs=raw.crs)
    return _repair(gdf, path, "grid", gdf["name"], gis.invalid, warnings)


def _points(cfg: PointLayer, path: Path, gis: Gis) -> gpd.GeoDataFrame:
    import geopandas as gpd

    raw = read_layer(path, cfg.layer, "point", gis.assume_crs)
    _geometry_types(raw, path, "household/enterprise points", _PUNCTUAL)
    raw = raw.explode(index_parts=False).reset_index(drop=True)
    label = pd.Series([f"point {i + 1}" for i in range(len(raw))])
    hh = (_numbers(_column(raw, cfg.households, path, "point households"), path, "point households", label, False)
          if cfg.households else np.ones(len(raw)))
    ent = (_numbers(_column(raw, cfg.enterprises, path, "point enterprises"), path, "point enterprises", label, False)
           if cfg.enterprises else np.ones(len(raw)))
    return gpd.GeoDataFrame({"households": hh, "enterprises": ent}, geometry=raw.geometry.to_numpy(), crs=raw.crs)


def local_utm(gdf: gpd.GeoDataFrame, path: Path) -> str:
    """Find the UTM zone containing the layer's centre, as ``EPSG:nnnnn``."""
    try:
        crs = gdf.estimate_utm_crs()
    except Exception as exc:
        raise GeoError(f"{path}: cannot place the villages on Earth to pick a UTM zone: {_first_line(exc)}") from None
    return crs.to_string()


def read_town_layers(gis: Gis, base: Path) -> TownLayers:
    """Read, check and reproject every layer named in ``[town.gis]`` (paths relative to ``base``)."""
    warnings: list[RunWarning] = []
    vpath = base / gis.villages.path
    villages = _villages(gis.villages, vpath, gis, warnings)
    crs = local_utm(villages, vpath)
    villages = _project(villages, crs, vpath)
    _overlaps(villages, vpath)
    minx, miny, _, _ = villages.total_bounds
    origin = (float(math.floor(minx)), float(math.floor(miny)))
    layers = TownLayers(crs, origin, villages, warnings=warnings)
    if gis.grids is not None:
        gpath = base / gis.grids.path
        grids = _project(_grids(gis.grids, gpath, gis, villages, warnings), crs, gpath)
        _grids_inside(grids, villages, gpath)
        layers.grids = grids
    if gis.points is not None:
        ppath = base / gis.points.path
        points = _project(_points(gis.points, ppath, gis), crs, ppath)
        inside = points.geometry.within(villages.geometry.union_all())
        if not inside.any():
            raise GeoError(f"{ppath}: no household/enterprise point lies inside a village")
        if not inside.all():
            warnings.append(RunWarning("points_outside_villages", {
                "file": str(ppath), "outside": int((~inside).sum()), "total": len(points)}))
        layers.points = points[inside.to_numpy()].reset_index(drop=True)
    layers.villages = _localise(layers, layers.villages)
    if layers.grids is not None:
        layers.grids = _localise(layers, layers.grids)
    if layers.points is not None:
        layers.points = _localise(layers, layers.points)
    return layers


def _localise(layers: TownLayers, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = frame.copy()
    out.geometry = layers.to_local(frame.geometry)
    return out.set_crs(None, allow_override=True)


def _project(gdf: gpd.GeoDataFrame, crs: str, path: Path) -> gpd.GeoDataFrame:
    try:
        out = gdf.to_crs(crs)
    except Exception as exc:
        raise GeoError(f"{path}: cannot reproject to {crs}: {_first_line(exc)}") from None
    bad = ~np.isfinite(out.geometry.bounds.to_numpy()).all(axis=1)
    if bad.any():
        raise GeoError(f"{path}: coordinates do not reproject to {crs} (wrong CRS for this file?)")
    return out


def _grids_inside(grids: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, path: Path) -> None:
    """Each given grid must lie in its village (1% slack for digitising)."""
    shape = dict(zip(villages["name"], villages.geometry, strict=True))
    for name, v, g in zip(grids["name"], grids["village"], grids.geometry, strict=True):
        inside = g.intersection(shape[v]).area
        if inside < 0.99 * g.area:
            raise GeoError(f"{path}: grid {name!r} lies {100 * (1 - inside / g.area):.0f}% outside its village {v!r}")

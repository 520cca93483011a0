"""``gridsim map`` (choropleths of a run) and ``gridsim town`` (a town written out as layers)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from sim.console import check_lang, fail, out_console, output_file, output_folder

# The per-grid measures a run's grids.gpkg holds (sim.measures.grid_table and the layers' own columns),
# listed for --help without loading them; tests/test_geo.py holds the list equal to a run's columns.
MAP_MEASURES = ("discovery_p50_min", "share_within_15min", "closure_on_time_share", "workload",
                "response_on_time_share", "verified_first_time_share", "incidents", "incidents_per_month", "score",
                "households", "staff", "area_km2", "street_km")


def register(app: typer.Typer) -> None:
    """Add ``gridsim map`` and ``gridsim town`` to the gridsim command."""

    @app.command("map")
    def map_cmd(
        run_dir: Annotated[Path, typer.Argument(help="A folder written by gridsim run")],
        measure: Annotated[list[str] | None, typer.Option(
            help=f"Per-grid measure (repeatable): {', '.join(MAP_MEASURES)}; default: the first four")] = None,
        lang: Annotated[str | None, typer.Option(callback=check_lang, help=(
            "zh or en: the maps' labels (default: the scenario's meta.language)"))] = None,
        out: Annotated[Path | None, typer.Option(help="Output folder (default: RUN_DIR/maps)")] = None,
        force: Annotated[bool, typer.Option("--force", help=(
            "Write into a folder that also holds files gridsim did not write (they are left alone)"))] = False,
    ) -> None:
        """Choropleth maps (PNG and SVG) of a run's per-grid measures, with squads and roads."""
        from sim.geo.maps import MapError, map_run
        from sim.outputs import record_derived

        if not run_dir.is_dir():
            fail(f"{run_dir}: no such run folder")
        folder = out or run_dir / "maps"
        existed = folder.exists()
        try:
            with output_folder(folder, "gridsim map", force) as tmp:
                written = [folder / p.name for p in map_run(run_dir, measure or None, lang, tmp)]
        except MapError as exc:
            if not existed:  # the folder made for the maps, now empty: leave no trace of a refusal
                shutil.rmtree(folder, ignore_errors=True)
            fail(str(exc))
        record_derived(folder, run_dir)  # the run's next results replace its maps
        for p in written:
            out_console.print(f"wrote {p}")

    @app.command("town")
    def town_cmd(
        scenario: Annotated[str, typer.Argument(help="Scenario TOML file")],
        out: Annotated[Path, typer.Option(help="GeoPackage to write (villages and grids layers)")] = Path("town.gpkg"),
    ) -> None:
        """Write a scenario's villages and level-2 grids as a GeoPackage that [town.gis] reads back."""
        from sim.config import ScenarioError, load_scenario
        from sim.geo.export import export_town
        from sim.town import build_town

        try:
            sc = load_scenario(scenario)
        except ScenarioError as exc:
            fail(str(exc))
        if out.suffix.lower() != ".gpkg":
            fail(f"--out: {out}: must end in .gpkg")
        if out.exists():
            fail(f"--out: {out}: already exists (remove it first)")
        town = build_town(sc)
        with output_file(out) as tmp:
            export_town(town, tmp)
        out_console.print(f"wrote {out} ({len(town.villages)} villages, {len(town.grids)} grids, {town.crs})")

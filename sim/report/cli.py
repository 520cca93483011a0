"""``gridsim report DIR``: the folder of a run, compare, sweep or plan as one HTML document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sim.console import fail, out_console, output_file


def report(
    directory: Annotated[Path, typer.Argument(help="Output folder of gridsim run, compare, sweep or plan")],
    lang: Annotated[str | None, typer.Option(help="zh or en (default: the scenario's meta.language)")] = None,
    out: Annotated[Path | None, typer.Option(help="HTML file to write (default: DIR/report.html)")] = None,
    appendix: Annotated[bool, typer.Option("--appendix", help=(
        "Add the appendix: every measure, and the assumptions the compared fields do not touch"))] = False,
) -> None:
    """Write one self-contained HTML report (figures embedded, prints to clean A4 pages)."""
    from sim.outputs import record_derived
    from sim.report.build import render
    from sim.report.data import ReportError

    if lang is not None and lang not in ("zh", "en"):
        fail(f"--lang: must be zh or en, got {lang!r}")
    target = out or Path(directory) / "report.html"
    if target.is_dir():
        fail(f"--out {target}: is a folder; give a file name")
    try:
        html = render(Path(directory), lang, appendix)  # type: ignore[arg-type]
    except ReportError as exc:
        fail(str(exc))
    with output_file(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
    record_derived(target, Path(directory))  # the folder's next results replace the report
    out_console.print(f"report written to {target} ({len(html) / 1e6:.1f} MB)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``gridsim report`` to the gridsim command (kept beside the command it registers)."""
    app.command()(report)

"""Terminal output shared by every gridsim command: consoles, refusals, progress, numbers."""

from __future__ import annotations

import sys
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

out_console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)


def fail(message: str) -> None:
    """One line on stderr, exit 2."""
    err_console.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def warn(entries: list[dict[str, Any]], prefix: str = "") -> None:
    """Each warning entry as one line on stderr, in English (the outputs keep the codes)."""
    from sim.warnings import text

    for w in entries:
        runs = f" ({w['replications']} replication(s))" if "replications" in w else ""
        err_console.print(f"warning: {prefix}{text(w)}{runs}", markup=False, highlight=False, soft_wrap=True)


def progress_bar(enabled: bool) -> Progress:
    """Runs done, bar, time left; on stderr, and only when someone is watching a terminal."""
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(), console=err_console,
                    transient=True, disable=not enabled)


def fmt(v: Any, pct: bool | str = False) -> str:
    """A number for a table: a share as %, a Gini to 3 places, a mean with its CI in brackets."""
    if isinstance(v, dict) and "mean" in v:
        m, (lo, hi) = v["mean"], v["ci95"]
        if m is None:
            return "–"
        if lo is None:
            return fmt(m, pct)
        return f"{fmt(m, pct)}  [{fmt(lo, pct)}, {fmt(hi, pct)}]"
    if v is None or (isinstance(v, float) and v != v):
        return "–"
    if pct is False and isinstance(v, float) and abs(v) < 10:
        return f"{v:.3f}"
    if pct == "gini":
        return f"{v:.3f}"
    if pct:
        return f"{100 * v:.1f}%"
    return f"{v:,.1f}" if isinstance(v, float) else f"{v:,}"



"""``gridsim dashboard``: serve the training page with ``solara run`` on this machine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from sim.console import Stopped, fail

APP = Path(__file__).with_name("app.py")
DEFAULT = Path("scenarios/xuxiake_1plus4.toml")
# Solara warns, on every page it serves over plain http from a host not named "localhost", that it
# sets its session cookie SameSite=Lax rather than None (None needs https, and matters only for a
# page embedded in another site's iframe; solara/server/starlette.py). The trainers open the page
# itself at http://127.0.0.1, where Lax is the right cookie: nothing to act on, so exactly that
# warning, from that module, is filtered in the server (a -W filter: the message's start, literally).
COOKIE_WARNING = "ignore:Cookies with samesite=none require https:UserWarning:solara.server.starlette"


def server_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """Build the ``solara run`` command line for the dashboard page."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--port", str(port), "--host", host,
            "--no-open", "--production"]


def server_env(scenario: Path) -> dict[str, str]:
    """Environment for the server: the scenario, no telemetry, JS from solara-assets (no CDN)."""
    from sim.dashboard.app import SCENARIO_ENV

    env = dict(os.environ)
    env[SCENARIO_ENV] = str(scenario.resolve())
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"  # no "runs on Solara" badge over the charts
    # a closed tab's page kernel goes after a minute; the viewer's run goes with its last page
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "60s")
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONWARNINGS"] = ",".join(filter(None, (env.get("PYTHONWARNINGS"), COOKIE_WARNING)))
    return env


def register(app: typer.Typer) -> None:
    """Add ``gridsim dashboard`` to the command line."""
    @app.command()
    def dashboard(
        scenario: Annotated[Path, typer.Argument(help="Scenario TOML file")] = DEFAULT,
        port: Annotated[int, typer.Option(help="Port on 127.0.0.1 to serve the page on")] = 8765,
    ) -> None:
        """Serve the training dashboard (map, live measures, policies) at http://127.0.0.1:PORT."""
        from sim.config import ScenarioError, load_scenario

        if not 0 < port < 65536:  # first: a bad port is wrong wherever the command is run from
            fail(f"--port: must be between 1 and 65535, got {port}")
        try:
            load_scenario(scenario)
        except ScenarioError as exc:
            fail(str(exc))
        try:
            import solara  # noqa: F401
        except ImportError:
            fail("the dashboard needs solara: pip install 'gridsim[dashboard]'")
        typer.echo(f"dashboard for {scenario} at http://127.0.0.1:{port}  (Ctrl+C stops it)", err=True)
        signals: list[int] = []
        code = serve(server_command(port), server_env(scenario), stopped=signals)
        if signals:  # one line, as every command stopped by the user (sim.cli.main prints it)
            how = "Ctrl-C" if signals[0] == signal.SIGINT else signal.Signals(signals[0]).name
            stop = Stopped(how, 130 if signals[0] == signal.SIGINT else 128 + signals[0])
            stop.add_note(f"the dashboard server at http://127.0.0.1:{port} is stopped; nothing was written")
            raise stop
        raise typer.Exit(code)


def serve(cmd: list[str], env: dict[str, str], grace_s: float = 5.0, stopped: list[int] | None = None) -> int:
    """Run the server until it exits, and stop it when we are stopped, so the port is free after.

    SIGINT, SIGTERM or SIGHUP to us stops it (SIGKILL after ``grace_s`` if it lingers); the
    signals that stopped it are appended to ``stopped``.
    """
    # its own session: a terminal's Ctrl-C reaches only us, and we stop it in order (a server
    # interrupted while it starts would print its own traceback)
    proc = subprocess.Popen(cmd, env=env, start_new_session=True)
    stopping: list[int] = [] if stopped is None else stopped

    def stop(signum: int, _frame: object) -> None:
        stopping.append(signum)
        if proc.poll() is None:
            proc.terminate()

    old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    deadline: float | None = None
    try:
        while True:
            try:
                code = proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if stopping and deadline is None:
                    deadline = time.monotonic() + grace_s
                elif deadline is not None and time.monotonic() > deadline:
                    proc.kill()
    finally:
        for s, h in old.items():
            signal.signal(s, h)
    return 0 if stopping else code

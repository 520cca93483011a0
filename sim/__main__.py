"""``python -m sim`` and the ``gridsim`` command.

The imports take a moment; a Ctrl-C or SIGTERM in that time stops the command with one
line, not a traceback from deep inside an import (sim.cli then takes over).

A bad scenario in the plain ``gridsim run SCENARIO`` is refused here, before typer and the
command line load (:func:`refused_early`).
"""

import gc
import os
import signal
import sys


def _stopped_while_starting(signum: int, frame: object) -> None:
    sys.stderr.write(f"stopped ({'Ctrl-C' if signum == signal.SIGINT else signal.Signals(signum).name}) "
                     "while starting: nothing was written\n")
    sys.exit(130 if signum == signal.SIGINT else 128 + signum)


def refused_early(argv: list[str]) -> str | None:
    """Give the refusal line of ``run SCENARIO`` (no options) when the scenario is bad, else None.

    Typer and the CLI's options cost ≈ 1.7x ``import numpy`` before a command starts (typer
    builds a pydantic adapter per option), more than the whole check of a scenario with the kept
    schema (sim.config.schema_cache). ``run`` with no options does nothing before loading its
    scenario, so loading it here refuses with the very line and exit status the command would
    give. Options, other commands and a good scenario go to the command line, which loads the
    file again (milliseconds) and reads a real town's layers (left to it here: they are slow).
    """
    if len(argv) != 2 or argv[0] != "run" or argv[1].startswith("-"):
        return None
    from sim.config.base import ScenarioError
    from sim.config.io import load_scenario
    from sim.console import refusal

    try:
        load_scenario(argv[1], town_files=False)
    except ScenarioError as exc:
        return refusal(str(exc))
    return None


def main() -> None:
    """Run the gridsim command; a Ctrl-C or SIGTERM while the heavy imports load still ends in one line."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stopped_while_starting)
    # gridsim uses no pydantic plugin; looking for them reads every installed package's metadata,
    # a sixth of a refusal's start-up. A value the user set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # Arrow's buffers (row groups of the incident log, frames written or converted) from the C
    # allocator rather than Arrow's own pool, which keeps what it frees for reuse: then what a
    # run frees can be given back before the end (sim.runner.release_memory). Set before
    # pyarrow loads; a value the user set is kept.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        if (line := refused_early(sys.argv[1:])) is not None:
            sys.stderr.write(line)
            sys.exit(2)
        from sim.cli import main as cli_main

        cli_main()
    finally:
        # The interpreter's last collection at exit scans every object the imports made (typer,
        # pydantic, the scenario's schema): ≈ 20-40 ms, a fifth of a refusal. The process ends,
        # so there is nothing to reclaim: freezing them hides them from it. atexit handlers and
        # the flushing of open files still run.
        gc.freeze()


if __name__ == "__main__":
    main()

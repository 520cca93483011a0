"""``python -m sim`` and the ``gridsim`` command.

The imports take a second or two; a Ctrl-C or SIGTERM in that time stops the command
with one line, not a traceback from deep inside an import (sim.cli then takes over).
"""

import os
import signal
import sys


def _stopped_while_starting(signum: int, frame: object) -> None:
    sys.stderr.write(f"stopped ({'Ctrl-C' if signum == signal.SIGINT else signal.Signals(signum).name}) "
                     "while starting: nothing was written\n")
    sys.exit(130 if signum == signal.SIGINT else 128 + signum)


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
    from sim.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()

"""``python -m sim`` is the ``gridsim`` command."""

from sim.cli import main

main()

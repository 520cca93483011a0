"""gridsim: an agent-based simulation of Jiangsu's '1+4' town governance model."""

from sim.deferred import defer_unused_imports, name_mesa_loggers_cheaply

# before anything imports Mesa (sim/deferred.py says why)
defer_unused_imports()
name_mesa_loggers_cheaply()

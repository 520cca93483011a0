"""Modules that ``import mesa`` loads but a run never uses, imported only when first used.

Mesa's package imports its discrete spaces (SciPy's spatial and sparse modules), its
experimental continuous space (SciPy again) and, through ``mesa.space``, NetworkX, although
gridsim uses only ``Model``, ``Agent``, ``DataCollector`` and ``mesa.space.ContinuousSpace``.
That was ≈ 0.6 s of CPU and ≈ 40 MB on every run's start-up (``python -X importtime``).

Each is registered as a stand-in module before Mesa is imported. The first attribute read
from it (``nx.Graph``, ``from mesa.discrete_space import Cell``) imports the real module and
copies its namespace into the stand-in, so code that does use them — osmnx and road
networks, a notebook using Mesa's grids — gets the real thing, only later.
"""

from __future__ import annotations

import importlib
import sys
import types

DEFERRED = ("networkx", "mesa.discrete_space", "mesa.experimental.continuous_space")
# Dunders that mean "use the module": importing a submodule reads the package's __path__.
# Others (__file__, __wrapped__, …) are what tools probe on every module in sys.modules
# (inspect.getmodule, which Mesa calls at import): they must not import it.
_USE = frozenset({"__path__", "__all__", "__version__"})


class Deferred(types.ModuleType):
    """A module imported on first use: until then an empty module of the same name."""

    def __getattr__(self, attr: str) -> object:
        if attr.startswith("__") and attr not in _USE:
            raise AttributeError(attr)
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)  # later reads find the attributes without this hook
        return getattr(real, attr)


def defer_unused_imports() -> None:
    """Register the stand-ins for the modules in ``DEFERRED`` not imported yet."""
    for name in DEFERRED:
        if name not in sys.modules:
            sys.modules[name] = Deferred(name)

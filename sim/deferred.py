"""What ``import mesa`` and ``import scipy.special`` do at import that a run never uses.

Mesa's package imports its discrete spaces (SciPy's spatial and sparse modules), its
experimental continuous space (SciPy again) and, through ``mesa.space``, NetworkX, although
gridsim uses only ``Model``, ``Agent``, ``DataCollector`` and ``mesa.space.ContinuousSpace``.
That was ≈ 0.6 s of CPU and ≈ 40 MB on every run's start-up (``python -X importtime``).

Each is registered as a stand-in module before Mesa is imported. The first attribute read
from it (``nx.Graph``, ``from mesa.discrete_space import Cell``) imports the real module and
copies its namespace into the stand-in, so code that does use them — osmnx and road
networks, a notebook using Mesa's grids — gets the real thing, only later.

Two more costs of the same kind, each measured on a 30-day ``gridsim run``:

* ``mesa.model`` names its logger by walking the whole call stack with ``inspect.stack()``,
  which reads the source of every frame and searches ``sys.modules`` for each: inside the
  command (typer's frames, ≈ 900 modules loaded) 0.07–0.13 s of CPU for a name the caller's
  frame holds. :func:`name_mesa_loggers_cheaply` gives Mesa's ``create_module_logger`` that
  name from the caller's frame instead (the same name: the module whose code calls it).
* SciPy's array-API layer clones NumPy's namespace when ``scipy.special`` loads
  (``from numpy import *`` and a read of every name), which imports NumPy's lazily loaded
  submodules: ``numpy.f2py`` (the Fortran wrapper generator), ``numpy.testing`` (unittest,
  argparse) and ``numpy.polynomial``, ≈ 0.06 s of the ≈ 0.19 s that ``scipy.special`` costs a
  run (its service hall's log-normal inverse CDF). :func:`scipy_special` defers them.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from collections.abc import Sequence

DEFERRED = ("networkx", "mesa.discrete_space", "mesa.experimental.continuous_space")
NUMPY_UNUSED = ("numpy.f2py", "numpy.testing", "numpy.polynomial")
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


class _MesaLoggingLoader(importlib.machinery.SourceFileLoader):
    """Mesa's own ``mesa/mesa_logging.py``, with ``create_module_logger`` naming a logger by its caller's frame."""

    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)
        by_stack = module.__dict__["create_module_logger"]

        def create_module_logger(name: str | None = None) -> object:
            # Mesa's version takes inspect.getmodule(inspect.stack()[1][0]).__name__: the
            # module of the calling frame, which that frame's globals name directly.
            return by_stack(sys._getframe(1).f_globals["__name__"] if name is None else name)

        create_module_logger.__doc__ = by_stack.__doc__
        module.__dict__["create_module_logger"] = create_module_logger


class _MesaLoggingFinder:
    """Finds ``mesa.mesa_logging`` once, as Python would, and loads it with :class:`_MesaLoggingLoader`."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "mesa.mesa_logging":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader or spec.origin is None:
            return spec  # not a plain source install: Mesa's own version
        spec.loader = _MesaLoggingLoader(fullname, spec.origin)
        return spec


def name_mesa_loggers_cheaply() -> None:
    """Before Mesa is imported, have its module loggers named without ``inspect.stack()``."""
    if "mesa.mesa_logging" not in sys.modules and not any(isinstance(f, _MesaLoggingFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _MesaLoggingFinder())


def scipy_special() -> types.ModuleType:
    """``scipy.special``, imported without the NumPy submodules in ``NUMPY_UNUSED`` (stand-ins until used)."""
    if "scipy.special" not in sys.modules:
        import numpy

        for name in NUMPY_UNUSED:
            if name not in sys.modules:
                stand_in = Deferred(name)
                sys.modules[name] = stand_in
                setattr(numpy, name.rpartition(".")[2], stand_in)  # numpy.__getattr__ would import it
    import scipy.special

    return scipy.special

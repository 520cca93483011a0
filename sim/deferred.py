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

* ``mesa.model`` names its logger, and the class its ``Model.__init__`` logs, by walking the
  whole call stack twice with ``inspect.stack()`` and ``inspect.getouterframes()``, which read
  the source around every frame and search ``sys.modules`` for frozen ones: inside the command
  (typer's frames, ≈ 900 modules loaded) 0.07–0.13 s of CPU each, for a module name and a
  function name the calling frame holds. :func:`name_mesa_loggers_cheaply` has Mesa's logging
  read them from the frames (:class:`_FramesByName`): the same names.
* SciPy's array-API layer clones NumPy's namespace when ``scipy.special`` loads
  (``from numpy import *`` and a read of every name), which imports NumPy's lazily loaded
  submodules: ``numpy.f2py`` (the Fortran wrapper generator), ``numpy.testing`` (unittest,
  argparse) and ``numpy.polynomial``, ≈ 0.06 s of the ≈ 0.19 s that ``scipy.special`` costs a
  run (its service hall's log-normal inverse CDF); its ufuncs need one extension module of
  ``scipy.linalg`` (LAPACK's function pointers), which imports the whole package first,
  ≈ 0.04 s more. :func:`scipy_special` defers them: 0.19 → 0.085 s.

Why this is safe (``tests/test_deferred.py`` checks each):

* Only modules not imported yet get a stand-in: a process that imported NetworkX, Mesa or
  SciPy before ``sim`` (osmnx first, a notebook) has the real ones and only pays their cost.
* Every process that imports ``sim`` — a Dask worker or a pytest-xdist worker unpickling a
  task, the sweep's forkserver — gets its own stand-ins, and each becomes the real module on
  first use there. They hold no state and draw no random numbers, so results per seed do not
  depend on which process ran what; unpickling a NetworkX or Mesa object imports its module
  by name, which is the submodule case below.
* A submodule imported first (``from mesa.discrete_space.cell import Cell``) is the same
  module its package uses, not a second copy (:class:`Deferred`).
* Mesa's logging is answered from the frames only for the Mesa ``pyproject.toml`` pins
  (3.5): a Mesa that asks ``inspect`` for more fails the logger test, not silently.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import importlib.abc  # typing only: at run time it would load importlib.resources on every start-up

DEFERRED = ("networkx", "mesa.discrete_space", "mesa.experimental.continuous_space")
NUMPY_UNUSED = ("numpy.f2py", "numpy.testing", "numpy.polynomial")
# scipy.special's ufuncs load one extension module of scipy.linalg (cython_lapack's LAPACK
# pointers), which runs the whole linear-algebra package first
SCIPY_UNUSED = ("scipy.linalg",)
# Dunders that mean "use the module": importing a submodule reads the package's __path__.
# Others (__file__, __wrapped__, …) are what tools probe on every module in sys.modules
# (inspect.getmodule, which Mesa calls at import): they must not import it.
_USE = frozenset({"__path__", "__all__", "__version__"})


class Deferred(types.ModuleType):
    """A module imported on first use: until then an empty module of the same name.

    ``import networkx.classes`` (a submodule first) reads the stand-in's ``__path__``: that
    imports the real package, whose own ``__init__`` imports the submodule; the import system
    then goes on to find and run the submodule again, and its classes would exist twice
    (``isinstance`` failing across them). :class:`_AlreadyRun` hands it the module already run.
    """

    def __getattr__(self, attr: str) -> object:
        if attr.startswith("__") and attr not in _USE:
            raise AttributeError(attr)
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        self.__dict__.update(real.__dict__)  # later reads find the attributes without this hook
        if attr == "__path__":
            sys.meta_path.insert(0, _AlreadyRun(name))
        return getattr(real, attr)


class _AlreadyRun:
    """Asked first for the submodule being imported through a stand-in: the one its package ran, if any.

    The import system asks the finders right after reading the parent's ``__path__``, so
    this is asked once, for that submodule, and then leaves ``sys.meta_path``.
    """

    def __init__(self, package: str) -> None:
        self.package = package
        self.spec: importlib.machinery.ModuleSpec | None = None

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        module = sys.modules.get(fullname)
        if module is None or fullname.rpartition(".")[0] != self.package:
            return None  # not run yet: found and run as usual
        self.spec = module.__spec__
        return importlib.machinery.ModuleSpec(fullname, cast("importlib.abc.Loader", self))

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        module.__spec__ = self.spec  # the import system set ours: give back the module's own


def defer_unused_imports() -> None:
    """Register the stand-ins for the modules in ``DEFERRED`` not imported yet."""
    for name in DEFERRED:
        if name not in sys.modules:
            sys.modules[name] = Deferred(name)


class _FramesByName:
    """What Mesa's logging reads from ``inspect``, without reading source files.

    ``mesa.mesa_logging`` calls ``inspect.stack()``, ``inspect.getmodule(frame)``,
    ``inspect.getouterframes(inspect.currentframe())`` and reads from them a frame, its module's
    name and its function's name. ``inspect`` also reads the source lines around every frame of
    the stack (and, for a frame of frozen code, searches every loaded module for its file); these
    give the same frames and names from the frames themselves (source lines left out: Mesa
    never reads them).
    """

    @staticmethod
    def currentframe() -> types.FrameType:
        return sys._getframe(1)

    @staticmethod
    def getouterframes(frame: types.FrameType | None, context: int = 1) -> list[tuple[Any, ...]]:
        frames: list[tuple[Any, ...]] = []
        while frame is not None:
            frames.append((frame, frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, None, None))
            frame = frame.f_back
        return frames

    @staticmethod
    def stack(context: int = 1) -> list[tuple[Any, ...]]:
        return _FramesByName.getouterframes(sys._getframe(1), context)

    @staticmethod
    def getmodule(frame: types.FrameType) -> types.ModuleType | None:
        return sys.modules.get(frame.f_globals.get("__name__", ""))


class _MesaLoggingLoader(importlib.machinery.SourceFileLoader):
    """Mesa's own ``mesa/mesa_logging.py``, its stack walks answered by :class:`_FramesByName`."""

    def exec_module(self, module: types.ModuleType) -> None:
        super().exec_module(module)
        module.__dict__["inspect"] = _FramesByName  # read when its functions are called, after this


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


class DeferredPackage(Deferred):
    """A package whose submodules may be imported before the package itself runs (its ``__path__`` is known).

    When the package is used it is imported, and the submodules imported meanwhile become its
    attributes as they would have been.
    """

    def __init__(self, name: str, path: list[str]) -> None:
        super().__init__(name)
        self.__path__ = path

    def __getattr__(self, attr: str) -> object:
        early = {k: v for k, v in self.__dict__.items()
                 if isinstance(v, types.ModuleType) and v.__name__ == f"{self.__name__}.{k}"}
        value = super().__getattr__(attr)
        real = sys.modules[self.__name__]
        for k, v in early.items():
            real.__dict__.setdefault(k, v)
        return value


def scipy_special() -> types.ModuleType:
    """``scipy.special``, imported without what ``SCIPY_UNUSED`` and ``NUMPY_UNUSED`` name (stand-ins until used)."""
    if "scipy.special" not in sys.modules:
        import numpy
        import scipy

        for name in NUMPY_UNUSED:
            if name not in sys.modules:
                stand_in = Deferred(name)
                sys.modules[name] = stand_in
                setattr(numpy, name.rpartition(".")[2], stand_in)  # numpy.__getattr__ would import it
        for name in SCIPY_UNUSED:
            if name not in sys.modules:
                sys.modules[name] = DeferredPackage(name, [os.path.join(scipy.__path__[0], name.rpartition(".")[2])])
    import scipy.special

    return scipy.special

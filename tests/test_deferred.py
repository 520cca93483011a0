"""Modules Mesa imports but a run never uses are imported only when used (sim/deferred.py)."""

from __future__ import annotations

from conftest import python_last_line

_RUN = """
import sys
from sim.config import load_scenario
from sim.model import TownModel
m = TownModel(load_scenario("scenarios/xuxiake_1plus4.toml"), days=2)
m.run(); m.finish()
print(len(m.log) > 0, sorted(n for n in ("scipy.spatial", "scipy.sparse", "networkx.classes",
                                         "mesa.discrete_space.grid") if n in sys.modules))
"""

_USE = """
import sim.model
import networkx.algorithms.shortest_paths
from networkx.algorithms import bipartite
import networkx as nx
import mesa
from mesa.discrete_space import OrthogonalMooreGrid
from mesa.experimental.continuous_space import ContinuousSpace
g = nx.path_graph(4)
print(g.number_of_edges(), nx.shortest_path_length(g, 0, 3), mesa.discrete_space.OrthogonalMooreGrid is OrthogonalMooreGrid,
      ContinuousSpace.__module__, type(nx.Graph()).__name__)
"""


_SUBMODULE_FIRST = """
import random, sys
import sim
from mesa.discrete_space.cell import Cell
from networkx.classes.digraph import DiGraph
import mesa.discrete_space as ds
import networkx as nx
grid = ds.OrthogonalMooreGrid((2, 2), random=random.Random(1))
print(Cell is ds.Cell, isinstance(next(iter(grid.all_cells)), Cell), DiGraph is nx.DiGraph,
      type(ds.cell.__spec__.loader).__name__, [type(f).__name__ for f in sys.meta_path].count("_AlreadyRun"))
"""


def test_a_submodule_imported_first_is_the_one_its_package_uses():
    """Not a second copy of it, whose classes ``isinstance`` would tell apart from the package's."""
    assert python_last_line(_SUBMODULE_FIRST) == "True True True SourceFileLoader 0"


def test_a_run_imports_neither_scipy_spatial_nor_networkx():
    assert python_last_line(_RUN) == "True []"


def test_a_deferred_module_is_the_real_one_when_used():
    assert python_last_line(_USE) == "3 3 True mesa.experimental.continuous_space.continuous_space Graph"


_LOGGERS = """
import inspect, logging, sys
if {with_sim}:
    import sim
    inspect.stack = inspect.getouterframes = None  # Mesa must not walk the stack to name its loggers
import mesa
import mesa.mesa_logging as ml
records = []
logging.getLogger("MESA").addHandler(logging.Handler())
logging.getLogger("MESA").handlers[0].emit = records.append
logging.getLogger("MESA").setLevel(logging.DEBUG)
mesa.Model(rng=1)
print(sorted(ml._module_loggers), ml._module_loggers["mesa.model"] is logging.getLogger("MESA.mesa.model"),
      [r.name + " " + r.getMessage()[:24] for r in records])
"""


def test_mesa_names_its_loggers_as_it_would_without_walking_the_stack():
    plain = python_last_line(_LOGGERS.format(with_sim=False))
    assert plain == "['mesa.mesa_logging', 'mesa.model'] True ['MESA.mesa.model calling Model.__init__ w']"
    assert python_last_line(_LOGGERS.format(with_sim=True)) == plain


_SPECIAL = """
import sys
import numpy as np
import sim.model
from sim.deferred import NUMPY_UNUSED, SCIPY_UNUSED, scipy_special
special = scipy_special()
before = [type(sys.modules[n]).__name__ for n in (*NUMPY_UNUSED, *SCIPY_UNUSED)]
values = (special.ndtri(0.975), special.gammaincinv(2.0, 0.3))
import scipy.linalg
import scipy.special
import scipy.stats
import numpy.testing as npt
from numpy.f2py import run_main
from scipy.linalg import solve
npt.assert_equal(values, (scipy.stats.norm.ppf(0.975), scipy.stats.gamma.ppf(0.3, 2.0)))
print(before, special is scipy.special, np.polynomial.Polynomial([1, 2])(2), callable(run_main),
      np.testing.assert_allclose is npt.assert_allclose, type(sys.modules["numpy.testing"]).__name__,
      solve(np.eye(2), np.ones(2)).tolist(), scipy.linalg.cython_lapack.__name__, scipy.linalg.lapack.__name__)
"""


def test_scipy_special_leaves_unused_numpy_and_scipy_modules_until_used():
    assert python_last_line(_SPECIAL) == ("['Deferred', 'Deferred', 'Deferred', 'DeferredPackage'] True 5.0 True True "
                                          "module [1.0, 1.0] scipy.linalg.cython_lapack scipy.linalg.lapack")

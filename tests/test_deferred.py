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


def test_a_run_imports_neither_scipy_spatial_nor_networkx():
    assert python_last_line(_RUN) == "True []"


def test_a_deferred_module_is_the_real_one_when_used():
    assert python_last_line(_USE) == "3 3 True mesa.experimental.continuous_space.continuous_space Graph"

"""The ``[plan]`` section: where ``gridsim plan bases`` may put squad bases.

A town knows sites a base could use (a police post, a town-hall annex, a rented yard);
``[[plan.sites]]`` lists them in model km, ``[plan.site_layer]`` reads them from a point
layer of a real town. ``candidates`` says which kinds of site the location models choose
from; by default the listed sites when there are any, else the village centroids and,
when the town has a road network, its intersections. Only the shape is checked here;
whether a site lies inside the town is checked against the built town
(:mod:`sim.plan.sites`).
"""

from typing import Literal, Self

from pydantic import Field, model_validator

from sim import limits
from sim.config.base import Strict

CandidateKind = Literal["listed", "villages", "road_nodes"]


class CandidateSite(Strict):
    """A place a squad could be based, in km like ``squads.units.base``."""

    name: str = Field(min_length=1, max_length=80)
    x: float = Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)
    y: float = Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)


class SiteLayer(Strict):
    """Candidate sites as a point layer of a real town; ``name`` is the column with their names."""

    path: str
    layer: str | None = None
    name: str = "name"


class Plan(Strict):
    """Candidate squad bases: listed sites, a site layer, and which kinds the models choose from."""

    sites: list[CandidateSite] = Field(default_factory=list, max_length=limits.MAX_CANDIDATE_SITES)
    site_layer: SiteLayer | None = None
    # Kinds of candidate site; None: the listed sites if any, else villages (and road nodes with roads).
    candidates: list[CandidateKind] | None = None
    # Road intersections (nodes where at least this many streets meet) are thinned to at most
    # this many, spread evenly over the town (farthest-point order).
    max_road_sites: int = Field(default=60, ge=1, le=limits.MAX_CANDIDATE_SITES)
    min_road_degree: int = Field(default=3, ge=1, le=10)

    @model_validator(mode="after")
    def _names(self) -> Self:
        names = [s.name for s in self.sites]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f".sites: duplicate site name {dup[0]!r}")
        if self.candidates is not None:
            if not self.candidates:
                raise ValueError(".candidates: give at least one of listed, villages, road_nodes")
            if len(set(self.candidates)) != len(self.candidates):
                raise ValueError(".candidates: a kind is listed twice")
            if "listed" in self.candidates and not self.sites and self.site_layer is None:
                raise ValueError(".candidates: 'listed' needs [[plan.sites]] or [plan.site_layer]")
        return self

"""Dispatch rules: which idle crew the command centre sends to a case.

Each rule is one class here and owns everything about itself: its scenario settings (the
class is the ``command_centre.dispatch_rule`` table, chosen by its ``rule`` name), the
choice in the simulation (``choose``), the same choice as a fixed preference order for
Larson's hypercube (``preferences``) and a plain-words description (``explain``). Adding a
rule means adding a class to this file and to ``DispatchRuleConfig``.

A scenario may name a rule with a bare string (``dispatch_rule = "home_zone_first"``) or
as a table (``[command_centre.dispatch_rule] rule = "home_zone_first"``). Travel times come
from the town's travel model through ``minutes_to``, so a road graph changes every rule.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol

from pydantic import BeforeValidator, Field, SerializerFunctionWrapHandler, model_serializer

from sim.config.base import Strict

if TYPE_CHECKING:  # numpy loads when the hypercube asks for preferences, not when a scenario is read
    import numpy as np

    from sim.records import Incident


class MinutesTo(Protocol):
    """How a rule learns a crew's minutes to a case, from whatever travel model the town uses."""

    def __call__(self, crew: Any, inc: Incident) -> float:
        """Minutes until ``crew`` could be at ``inc`` (dispatch overhead plus the trip)."""


class DispatchRule(Strict, ABC):
    """What every rule offers; ``label`` is its (zh, en) name. Abstract: a rule defines ``rank``."""

    rule: str
    label: ClassVar[tuple[str, str]]
    explanation: ClassVar[tuple[str, str]]

    @model_serializer(mode="wrap")
    def _name_if_bare(self, handler: SerializerFunctionWrapHandler) -> Any:
        """Write a rule without settings of its own back as its bare name, as files give it."""
        data = handler(self)
        return self.rule if set(data) == {"rule"} else data

    @abstractmethod
    def rank(self, home: bool, minutes: float) -> tuple[float, ...]:
        """Sort key of a crew for a case (lower is sent first); ties go to the first listed."""

    def choose(self, idle: Sequence[Any], inc: Incident, minutes_to: MinutesTo) -> Any:
        """Pick the idle crew to send (each crew has ``.squad.zone``).

        Shortcut: with one idle crew there is nothing to compare (its trip is timed when it sets off).
        """
        if len(idle) == 1:
            return idle[0]
        return min(idle, key=lambda c: self.rank(inc.village in c.squad.zone, minutes_to(c, inc)))

    def preferences(self, travel: np.ndarray, unit_zone: Sequence[set[int]],
                    atom_village: Sequence[int]) -> np.ndarray:
        """Give the hypercube's preference lists: for each atom, the units in this rule's order.

        An atom is a grid and a unit a crew; the order is the one this rule would send them in if
        all were free. ``travel`` is units × atoms in minutes, ``unit_zone`` each unit's zone
        (village numbers), ``atom_village`` each atom's village.
        """
        import numpy as np

        n_units, n_atoms = travel.shape
        return np.array([
            sorted(range(n_units), key=lambda n: (*self.rank(atom_village[j] in unit_zone[n], travel[n, j]), n))
            for j in range(n_atoms)
        ])

    def explain(self, lang: str) -> str:
        """Say what the rule does, in plain words (the dashboard shows it)."""
        from sim.labels import pick

        return pick(self.explanation, lang)

    def name(self, lang: str) -> str:
        """Give the rule's name in ``lang`` (the dashboard's control and reports)."""
        from sim.labels import pick

        return pick(self.label, lang)


class NearestIdle(DispatchRule):
    """Send the idle crew that can arrive first, whatever its zone: the textbook hypercube's rule."""

    rule: Literal["nearest_idle"] = "nearest_idle"
    label = ("最近空闲", "Nearest idle")
    explanation = (
        "派最快能到场的空闲车组，不论它属于哪个中队的辖区。",
        "Send the idle crew that can be on scene soonest, whichever squad's zone the case is in.",
    )

    def rank(self, home: bool, minutes: float) -> tuple[float, ...]:
        """Rank by minutes to the case alone."""
        return (minutes,)


class HomeZoneFirst(DispatchRule):
    """Send the home squad's nearest idle crew; another squad only backs up when the home squad is busy."""

    rule: Literal["home_zone_first"] = "home_zone_first"
    label = ("本辖区优先", "Home zone first")
    explanation = (
        "先派案件所在辖区中队的最近空闲车组；本中队全忙时，才由最近的其他中队跨区支援。",
        "Send the nearest idle crew of the squad whose zone holds the case; only when all its "
        "crews are busy does the nearest crew of another squad cross over.",
    )

    def rank(self, home: bool, minutes: float) -> tuple[float, ...]:
        """Rank home-zone crews before all others, then by minutes to the case."""
        return (0.0 if home else 1.0, minutes)

    def choose(self, idle: Sequence[Any], inc: Incident, minutes_to: MinutesTo) -> Any:
        """Pick as ``rank`` orders them: the nearest idle home crew, else the nearest of all.

        Shortcut: the same crew as the minimum over ``rank`` (ties to the first listed), but
        trips are timed only for the crews compared: the home ones when one is idle, none
        when there is one to compare.
        """
        if len(idle) == 1:
            return idle[0]
        compared = [c for c in idle if inc.village in c.squad.zone] or idle
        if len(compared) == 1:
            return compared[0]
        return min(compared, key=lambda c: minutes_to(c, inc))


def _by_name(value: object) -> object:
    """Read a bare rule name as its table; refuse an unknown name by name."""
    name = value if isinstance(value, str) else value.get("rule") if isinstance(value, dict) else None
    if isinstance(name, str) and name not in DISPATCH_RULES:
        raise ValueError(f"unknown rule {name!r} (known: {', '.join(DISPATCH_RULES)})")
    return {"rule": value} if isinstance(value, str) else value


DISPATCH_RULES: dict[str, type[DispatchRule]] = {"nearest_idle": NearestIdle, "home_zone_first": HomeZoneFirst}
DispatchRuleConfig = Annotated[
    NearestIdle | HomeZoneFirst, BeforeValidator(_by_name), Field(discriminator="rule")
]

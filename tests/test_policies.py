"""Policies own their knowledge: settings, the choice, the hypercube's preferences, plain words."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import pytest
from conftest import DEFAULT

from sim.config import ScenarioError, apply_overrides, read_scenario_data, validate_scenario
from sim.policies import DISPATCH_RULES, ESCALATION_POLICIES
from sim.policies.dispatch import DispatchRule, HomeZoneFirst, NearestIdle
from sim.policies.escalation import EscalationPolicy, ThresholdEscalation


def _with(overrides):
    return validate_scenario(apply_overrides(read_scenario_data(DEFAULT), overrides), source="s.toml")


def test_a_rule_loads_by_bare_name_or_as_a_table():
    assert isinstance(_with({"command_centre.dispatch_rule": "nearest_idle"}).command_centre.dispatch_rule,
                      NearestIdle)
    table = _with({"command_centre.dispatch_rule": {"rule": "home_zone_first"}})
    assert isinstance(table.command_centre.dispatch_rule, HomeZoneFirst)
    esc = _with({"escalation": {"severity_to_village": 3}}).escalation  # no `policy`: thresholds
    assert isinstance(esc, ThresholdEscalation) and esc.severity_to_village == 3
    dumped = table.model_dump(mode="json")  # written back as files give it, and read again
    assert dumped["command_centre"]["dispatch_rule"] == "home_zone_first"
    assert dumped["escalation"]["policy"] == "threshold"
    assert validate_scenario(dumped) == table


@pytest.mark.parametrize("overrides, words", [
    ({"command_centre.dispatch_rule": "teleport"}, "command_centre.dispatch_rule: unknown rule 'teleport'"),
    ({"escalation.policy": "lottery"}, "escalation: unknown policy 'lottery'"),
    ({"escalation.severity_to_town": 9}, "escalation.severity_to_town: Input should be less than or equal to 6"),
])
def test_unknown_or_bad_policy_is_refused_in_one_line(overrides, words):
    with pytest.raises(ScenarioError) as e:
        _with(overrides)
    assert str(e.value) == f"s.toml: {words}" or str(e.value).startswith(f"s.toml: {words}"), str(e.value)


@pytest.mark.parametrize("name", list(DISPATCH_RULES))
def test_preferences_order_units_as_the_rule_chooses(name):
    """The hypercube's preference list is the order ``choose`` would send free crews in."""
    rule = DISPATCH_RULES[name].model_validate({})
    rng = np.random.default_rng(7)
    travel = rng.uniform(1, 30, size=(5, 8))
    zones = [{0, 1}, {2, 3}, {4, 5}, {6}, set()]

    class Squad:
        def __init__(self, zone):
            self.zone = zone

    class Crew:
        def __init__(self, n):
            self.n, self.squad = n, Squad(zones[n])

    class Case:
        def __init__(self, village):
            self.village = village

    prefs = rule.preferences(travel, zones, list(range(8)))
    for j in range(8):
        free = [Crew(n) for n in range(5)]
        order = []
        while free:  # take the chosen crew out and choose again: the full order
            c = rule.choose(free, cast(Any, Case(j)), lambda crew, inc, j=j: travel[crew.n, j])
            order.append(c.n)
            free.remove(c)
        assert order == list(prefs[j])


def test_every_policy_explains_itself_in_both_languages():
    for rule in DISPATCH_RULES.values():
        p = rule.model_validate({})
        assert p.explain("zh") and p.explain("en") and p.name("zh") and p.name("en")
    for policy in ESCALATION_POLICIES.values():
        q = policy.model_validate({})
        zh, en = q.explain("zh"), q.explain("en")
        assert "4" in zh and "4" in en  # the default threshold to the village is in the words
        assert not any("a" <= ch <= "z" for ch in zh)


@pytest.mark.parametrize("base, concrete, name_field", [
    (DispatchRule, DISPATCH_RULES, "rule"), (EscalationPolicy, ESCALATION_POLICIES, "policy"),
])
def test_the_bases_are_abstract_and_every_rule_and_policy_is_complete(base, concrete, name_field):
    """A base cannot be built; a class that forgets a hook fails at once, not mid-run."""
    with pytest.raises(TypeError, match="abstract"):
        base(**{name_field: "x"})
    for cls in concrete.values():
        made = cls()
        assert isinstance(made, base) and made.name("zh") and made.name("en")
        assert made.explain("zh") and made.explain("en")

    class Forgetful(base):  # type: ignore[valid-type, misc]
        pass

    with pytest.raises(TypeError, match="abstract"):
        Forgetful(**{name_field: "x"})

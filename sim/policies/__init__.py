"""Policies chosen by name in a scenario: how the centre dispatches and how cases escalate.

Each policy is a pydantic model that is both its scenario section and its behaviour.
"""

from sim.policies.dispatch import DISPATCH_RULES, DispatchRule, DispatchRuleConfig
from sim.policies.escalation import (
    ESCALATION_POLICIES,
    EscalationConfig,
    EscalationPolicy,
    IntakeNote,
)

__all__ = [
    "DISPATCH_RULES",
    "ESCALATION_POLICIES",
    "DispatchRule",
    "DispatchRuleConfig",
    "EscalationConfig",
    "EscalationPolicy",
    "IntakeNote",
]

"""Policies chosen by name in a scenario: how the centre dispatches and how cases escalate."""

from sim.policies.dispatch import DISPATCH_RULES
from sim.policies.escalation import ESCALATION_POLICIES

__all__ = ["DISPATCH_RULES", "ESCALATION_POLICIES"]

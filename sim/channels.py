"""How a problem becomes known: patrol, the 12345 hotline, cameras, Party centre households.

The first to notice wins. Each channel's time is computed from the incident's own uniforms
when it occurs, so the winner and the delay are the same under any policy that does not
change the channel.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.incidents import U
from sim.vocabulary import Channel

if TYPE_CHECKING:
    from sim.agents.grid_staff import GridStaffMember
    from sim.agents.protocols import World
    from sim.config import Scenario
    from sim.records import Incident

def party_notice_prob(config: Scenario, category: str) -> float:
    """Chance that at least one of the grid's centre households notices (0 if the effect is off)."""
    party = config.party
    if not party.eyes or category not in party.eyes_categories:
        return 0.0
    return 1.0 - (1.0 - party.notice_prob_per_household) ** party.centre_households_per_grid


def first_notice(model: World, inc: Incident) -> tuple[float, Channel, GridStaffMember | None]:
    """(calendar time, channel, finding staff member) of the first report; inf if never."""
    cat = model.categories[inc.category]
    cfg = model.config
    u = inc.u
    t_patrol, finder = model.teams[inc.grid].patrol_finds(
        inc.occurred_at, u[U.BEAT], u[U.PATROL], cat.patrol_detect_prob, cat.domain
    )
    best, channel = t_patrol, Channel.PATROL
    if u[U.HOTLINE] < cat.hotline_prob:
        t = inc.occurred_at + cat.hotline_delay_min.draw(u[U.HOTLINE_DELAY])
        if t < best:
            best, channel = t, Channel.HOTLINE
    if cat.camera:
        land_use = model.town.grids[inc.grid].land_use
        if u[U.CAMERA] < cfg.channels.camera_coverage.get(land_use, 0.0):
            t = inc.occurred_at + cfg.channels.camera_delay_min.draw(u[U.CAMERA_DELAY])
            if t < best:
                best, channel = t, Channel.CAMERA
    if u[U.PARTY] < model.party_notice[inc.category]:
        t = inc.occurred_at + cfg.party.report_delay_min.draw(u[U.PARTY_DELAY])
        if t < best:
            best, channel = t, Channel.PARTY
    if math.isinf(best):
        return best, Channel.NONE, None
    return best, channel, finder if channel == Channel.PATROL else None

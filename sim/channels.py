"""How a problem becomes known: patrol, the 12345 hotline, cameras. The first to notice wins.

Each channel's time is computed from the incident's own uniforms when it occurs, so the
winner and the delay are the same under any policy that does not change the channel.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.incidents import U
from sim.records import CHANNELS

if TYPE_CHECKING:
    from sim.agents.grid_staff import GridStaffMember
    from sim.model import TownModel
    from sim.records import Incident

PATROL, HOTLINE, CAMERA, NONE = (CHANNELS.index(c) for c in ("patrol", "hotline", "camera", "none"))


def first_notice(model: "TownModel", inc: "Incident") -> tuple[float, int, "GridStaffMember | None"]:
    """(calendar time, channel, finding staff member) of the first report; inf if never."""
    cat = model.categories[inc.category]
    u = inc.u
    t_patrol, finder = model.teams[inc.grid].patrol_finds(
        inc.occurred_at, float(u[U.BEAT]), float(u[U.PATROL]), cat.patrol_detect_prob
    )
    best, channel = t_patrol, PATROL
    if u[U.HOTLINE] < cat.hotline_prob:
        t = inc.occurred_at + cat.hotline_delay_min.draw(u[U.HOTLINE_DELAY])
        if t < best:
            best, channel = t, HOTLINE
    if cat.camera:
        land_use = model.town.grids[inc.grid].land_use
        if u[U.CAMERA] < model.config.channels.camera_coverage.get(land_use, 0.0):
            t = inc.occurred_at + model.config.channels.camera_delay_min.draw(u[U.CAMERA_DELAY])
            if t < best:
                best, channel = t, CAMERA
    if math.isinf(best):
        return best, NONE, None
    return best, channel, finder if channel == PATROL else None

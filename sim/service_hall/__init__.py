"""The service hall (审批服务一窗口): windows, queue, online and proxy channels.

``sim.scenario`` and ``sim.service_hall.config`` import each other (the scenario holds a
``ServiceHall`` section, the section reuses ``Shift``). Importing ``sim.scenario`` here
first makes either import order work: the scenario module defines ``Shift`` before it
imports the section back.
"""

import sim.scenario  # noqa: F401  (see above: fixes the import order)

"""Upper bounds on what a user may ask for, each far beyond what a real study needs.

They exist so that a typo (``1e9`` days, ``1e12`` replications) is refused in one line
instead of hanging the machine or exhausting its memory. Each bound says why it is safe.
"""

from __future__ import annotations

# A study horizon: ten years of simulated time. A Xu Xiake year takes ≈ 11 s, so the
# longest run is minutes; nobody plans a town's governance further ahead.
MAX_DAYS = 3650.0

# Replications of one command (`run`, `compare`, `analytic --check`, `validate`): a 95% CI
# narrows as 1/sqrt(R), so 1,000 replications already give a CI 30× narrower than 1;
# larger studies belong in a resumable `gridsim sweep`.
MAX_REPLICATIONS = 1000

# Local worker processes: more than the cores of any single machine gridsim runs on.
MAX_WORKERS = 256

# Seeds feed numpy's SeedSequence and are stored as 64-bit integers with ``seed + k``
# added; 32 bits leave room for every replication and are more streams than any study uses.
MAX_SEED = 2**32 - 1

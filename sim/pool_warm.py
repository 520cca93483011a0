"""The local pool's forkserver imports this after the job's module: what a run imports on first use.

Workers are forked from the server (sim.pool), so what is imported here is imported once,
not once in every worker on its first run: ≈ 0.11 CPU s a worker, a run's 0.5 (issue 14),
paid again by every new pool of a sweep or replications. Nothing here runs a model.
"""

import pyarrow.pandas_compat  # noqa: F401  (pandas loads it when it makes its first Arrow string column)

from sim.deferred import scipy_special

scipy_special()  # the service hall's log-normal inverse CDF (sim.distributions), without SciPy's unused parts

"""The incident log's measured fields as NumPy columns, one column at a time, for the end-of-run measures.

The measures used to read a pandas frame of every case's measured fields, then copies of
it (the warm-up filter, a label per case for grouping): ≈ 20–30 MB a simulated year at the
end of a run, so a 3-year run peaked 1.23× a year's (issue 14). A column here is the
log's own column (a view, no copy) or, after the warm-up filter, one filtered copy made
when a measure asks for it and let go when that measure is done. Names stay codes
(category and grid indices, ``Channel`` and ``Tier`` codes): no string per case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from sim.vocabulary import Channel, Tier

if TYPE_CHECKING:
    import pandas as pd

    from sim.records import IncidentLog

CHUNK = 1 << 16  # cases per chunk: what per-case arithmetic holds at once, whatever the horizon
TIME_FIELDS = ("occurred_at", "reported_at", "arrived_at", "closed_at", "queued_at", "squad_wait")


class CaseColumns:
    """Measured fields of a run's cases (``sim.records.MEASURED``), read by name, optionally narrowed to some cases."""

    def __init__(self, read: Callable[[str], np.ndarray], keep: np.ndarray | None = None) -> None:
        self._read = read
        self._keep = keep  # which cases count (a boolean mask), or None for all

    @classmethod
    def of_log(cls, log: IncidentLog) -> CaseColumns:
        """Read the log's columns in place (call after the run; see ``IncidentLog.measured``)."""
        return cls(log.measured)

    @classmethod
    def of_frame(cls, frame: pd.DataFrame, categories: list[str], grids: list[str]) -> CaseColumns:
        """Read a records frame as ``IncidentLog.frame()`` gives it (names as labels), e.g. one built in a test.

        ``categories`` and ``grids`` are the model's names in order: a name's code is its place there.
        """
        codes: dict[str, list[str]] = {"category": categories, "grid": grids, "channel": list(Channel.keys()),
                                       "tier": list(Tier.keys())}

        def read(name: str) -> np.ndarray:
            if name in codes:  # missing (a tier not reached) is -1, as in the log
                index = {label: k for k, label in enumerate(codes[name])}
                return np.array([index.get(str(v), -1) if v == v else -1 for v in frame[name]], dtype=np.int32)
            if name in TIME_FIELDS:
                return frame[name].to_numpy(dtype=float, na_value=np.nan)
            return frame[name].to_numpy()

        return cls(read)

    def __getitem__(self, name: str) -> np.ndarray:
        column = self._read(name)
        return column if self._keep is None else column[self._keep]

    def __len__(self) -> int:
        return len(self["occurred_at"])

    def since(self, t0: float) -> CaseColumns:
        """Narrow to the cases that occurred at or after ``t0`` (the warm-up's end); itself when that is all of them."""
        keep = self["occurred_at"] >= t0
        if keep.all():
            return self
        if self._keep is not None:
            outer = self._keep.copy()
            outer[outer] = keep
            keep = outer
        return CaseColumns(self._read, keep)

    def chunks(self, size: int = CHUNK) -> Iterator[CaseColumns]:
        """Consecutive slices of ``size`` cases in the log's order (at least one, maybe empty), each read like the whole.

        Counts added up over the chunks equal the counts over all cases; arithmetic per case
        then holds one chunk's temporaries, not the whole run's.
        """
        n = len(self._read("occurred_at"))
        for lo in range(0, max(n, 1), size):
            part = slice(lo, lo + size)
            yield CaseColumns(self._slice_reader(part), None if self._keep is None else self._keep[part])

    def _slice_reader(self, part: slice) -> Callable[[str], np.ndarray]:
        def read(name: str) -> np.ndarray:
            return self._read(name)[part]

        return read

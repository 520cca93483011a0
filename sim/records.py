"""The closed-loop record of every incident, kept in compact columns and streamed to Parquet.

An :class:`Incident` is the live object while a case is open; when it closes (or the run
ends) its fields are appended to :class:`IncidentLog` columns (8 bytes a field, no object
kept) and, when an output file is given, written out in row groups as they fill.
"""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.history import Actor, StoryEntry
from sim.vocabulary import Channel, Reason, Stage, Tier

NAN = math.nan
TIMES: tuple[str, ...] = (
    "occurred_at", "reported_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at"
)


class Incident:
    """One problem's journey: occurred → reported → dispatched → on scene → resolved → closed."""

    __slots__ = (
        "id", "category", "village", "grid", "x", "y", "u",
        "occurred_at", "reported_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at",
        "channel", "tier", "handler", "escalations", "reworks", "alarms", "history",
        "queued_at", "squad_wait",
    )

    def __init__(self, id: int, category: int, village: int, grid: int, x: float, y: float,
                 occurred_at: float, u: np.ndarray) -> None:
        self.id = id
        self.category = category
        self.village = village
        self.grid = grid
        self.x = x
        self.y = y
        self.u = u
        self.occurred_at = occurred_at
        self.reported_at = NAN
        self.dispatched_at = NAN
        self.arrived_at = NAN
        self.resolved_at = NAN
        self.closed_at = NAN
        self.channel = Channel.NONE  # until someone notices
        self.tier = -1  # a Tier code once resolved
        self.handler = ""
        self.escalations = 0
        self.reworks = 0
        self.alarms = 0
        self.history: list[StoryEntry] | None = None  # kept only when a viewer asked for stories
        self.queued_at = NAN  # when the centre asked for a squad
        self.squad_wait = NAN  # minutes it waited for a free crew (0: one was idle)

    def note(self, t: float, stage: Stage, reason: Reason = Reason.NONE, actor: Actor | None = None,
             tier: Tier | None = None, limit_min: float | None = None, **values: int | float | str) -> None:
        """Keep a stage of the case's story as codes (only when a viewer asked for stories)."""
        if self.history is not None:
            self.history.append(StoryEntry(t, stage, reason, actor, tier, limit_min, values))

    @property
    def stage(self) -> Stage:
        """Furthest stage of the loop reached, for maps and lists."""
        for stage, at in ((Stage.CLOSED, self.closed_at), (Stage.RESOLVED, self.resolved_at),
                          (Stage.ARRIVED, self.arrived_at), (Stage.DISPATCHED, self.dispatched_at),
                          (Stage.REPORTED, self.reported_at)):
            if not math.isnan(at):
                return stage
        return Stage.OCCURRED


_FLOAT_COLS = ("x", "y") + TIMES + ("queued_at", "squad_wait")
_INT_COLS = ("id", "category", "village", "grid", "channel", "tier", "escalations", "reworks", "alarms")


class IncidentLog:
    """Columns of finished records; optionally streamed to a Parquet file in row groups."""

    def __init__(self, categories: list[str], villages: list[str], grids: list[str],
                 path: Path | None = None, row_group: int = 65_536) -> None:
        self.categories = categories
        self.villages = villages
        self.grids = grids
        self._f = {c: array("d") for c in _FLOAT_COLS}
        self._i = {c: array("q") for c in _INT_COLS}
        self._handlers: list[str] = []
        self._path = path
        self._writer: pq.ParquetWriter | None = None
        self._written = 0
        self._row_group = row_group

    def __len__(self) -> int:
        return len(self._i["id"])

    def add(self, inc: Incident) -> None:
        for c in _FLOAT_COLS:
            self._f[c].append(getattr(inc, c))
        for c in _INT_COLS:
            self._i[c].append(getattr(inc, c))
        self._handlers.append(inc.handler)
        if self._path is not None and len(self) - self._written >= self._row_group:
            self._flush()

    def _table(self, lo: int, hi: int) -> pa.Table:
        i = {c: np.frombuffer(self._i[c], dtype=np.int64)[lo:hi] for c in _INT_COLS}
        f = {c: np.frombuffer(self._f[c], dtype=np.float64)[lo:hi] for c in _FLOAT_COLS}
        tier = i["tier"]
        cols: dict[str, pa.Array] = {
            "id": pa.array(i["id"]),
            "category": pa.DictionaryArray.from_arrays(i["category"].astype(np.int32), self.categories),
            "village": pa.DictionaryArray.from_arrays(i["village"].astype(np.int32), self.villages),
            "grid": pa.DictionaryArray.from_arrays(i["grid"].astype(np.int32), self.grids),
            "x_km": pa.array(f["x"]),
            "y_km": pa.array(f["y"]),
            "channel": pa.DictionaryArray.from_arrays(i["channel"].astype(np.int32), list(Channel.keys())),
            "tier": pa.DictionaryArray.from_arrays(
                pa.array(tier.astype(np.int32), mask=tier < 0), list(Tier.keys())
            ),
            "handler": pa.array(self._handlers[lo:hi], type=pa.string()),
        }
        for c in TIMES + ("queued_at", "squad_wait"):
            v = f[c]
            cols[c] = pa.array(v, mask=np.isnan(v))
        for c in ("escalations", "reworks", "alarms"):
            cols[c] = pa.array(i[c].astype(np.int32))
        return pa.table(cols)

    def _flush(self) -> None:
        assert self._path is not None
        table = self._table(self._written, len(self))
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._path, table.schema)
        self._writer.write_table(table)
        self._written = len(self)

    def close(self) -> None:
        """Write what is left and finish the file (the run's end)."""
        if self._path is None:
            return
        if self._writer is None or self._written < len(self):
            self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def frame(self) -> pd.DataFrame:
        """All records as a DataFrame (categoricals for names, NaN for stages not reached)."""
        return self._table(0, len(self)).to_pandas()

"""The closed-loop record of every incident, kept in compact columns and streamed to Parquet.

An :class:`Incident` is the live object while a case is open; when it closes (or the run
ends) its fields are appended to :class:`IncidentLog` columns (8 bytes a field, no object
kept) and, when an output file is given, written out in row groups as they fill.
"""

from __future__ import annotations

import bisect
import math
import operator
from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.history import Actor, StoryEntry
from sim.vocabulary import Channel, Reason, Stage, Tier

NAN = math.nan
_TIME = operator.attrgetter("time")
TIMES: tuple[str, ...] = (
    "occurred_at", "reported_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at"
)


class Incident:
    """One problem's journey: occurred → reported → dispatched → on scene → resolved → closed."""

    __slots__ = (
        "alarms",
        "arrived_at",
        "category",
        "channel",
        "closed_at",
        "dispatched_at",
        "escalations",
        "grid",
        "handler",
        "history",
        "id",
        "occurred_at",
        "queued_at",
        "reported_at",
        "resolved_at",
        "reworks",
        "squad_wait",
        "tier",
        "u",
        "village",
        "x",
        "y",
    )

    def __init__(self, id: int, category: int, village: int, grid: int, x: float, y: float,
                 occurred_at: float, u: Sequence[float] | np.ndarray) -> None:
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
        """Keep a stage of the case's story as codes (only when a viewer asked for stories).

        Kept in time order: an overdue alarm is stamped at its due time but raised at the next
        tick, after stages that happened in between.
        """
        if self.history is not None:
            bisect.insort_right(self.history, StoryEntry(t, stage, reason, actor, tier, limit_min, values),
                                key=_TIME)

    @property
    def stage(self) -> Stage:
        """Furthest stage of the loop reached, for maps and lists."""
        for stage, at in ((Stage.CLOSED, self.closed_at), (Stage.RESOLVED, self.resolved_at),
                          (Stage.ARRIVED, self.arrived_at), (Stage.DISPATCHED, self.dispatched_at),
                          (Stage.REPORTED, self.reported_at)):
            if not math.isnan(at):
                return stage
        return Stage.OCCURRED


_FLOAT_COLS = ("x", "y", *TIMES, "queued_at", "squad_wait")
# Integer fields and their array typecodes: 4 bytes for indices, 1 for small counts and codes.
_INT_COLS = {"id": "q", "category": "i", "village": "i", "grid": "i", "channel": "b", "tier": "b",
             "escalations": "b", "reworks": "b", "alarms": "b"}
# What the end-of-run measures read (sim.measures); kept for the whole run. The other fields
# of rows already written to the file are dropped, so memory grows by ≈ 60 bytes an incident.
MEASURED = ("occurred_at", "reported_at", "arrived_at", "closed_at", "queued_at", "squad_wait",
            "category", "grid", "channel", "tier", "reworks")
_DTYPE = {"d": np.float64, "q": np.int64, "i": np.int32, "b": np.int8}
# Columns of few distinct values, dictionary-encoded in the Parquet file; the others (ids, places, times)
# are nearly all distinct and written plain. Issue 14: pyarrow's default tries a dictionary on every
# column and falls back page by page, which made writing a row 0.73 µs against 0.38 (same values read
# back; the file ≈ 16% smaller: a 60-day Xu Xiake log 1.52 → 1.28 MB).
_DICTIONARY_COLS = ["category", "village", "grid", "channel", "tier", "handler", "escalations", "reworks", "alarms"]
_BATCH = 4096  # closed cases held as tuples before they join the columns (divides the row group)
# Rows per Parquet row group. Writing one holds every field of its rows a second time in
# Arrow buffers and the encoder's pages: 65,536 rows raised a year's peak by ≈ 25 MB more
# than 16,384 (bench_memory.py), and readers gain nothing from larger groups at this size.
ROW_GROUP = 16_384


class IncidentLog:
    """Columns of finished records; optionally streamed to a Parquet file in row groups.

    With a file, the fields no measure needs are dropped from memory once written
    (``frame()`` then reads the file back after ``close()``); without one, all stay.
    """

    def __init__(self, categories: list[str], villages: list[str], grids: list[str],
                 path: Path | None = None, row_group: int = ROW_GROUP, measured_only: bool = False) -> None:
        if measured_only and path is not None:
            raise ValueError("a log streamed to a file keeps every field")
        self.categories = categories
        self.villages = villages
        self.grids = grids
        # ``measured_only``: a run whose records are neither written nor shown (a sweep's or a
        # replication's, which returns its summary) keeps only the fields its measures read,
        # 11 of 21 (issue 14: the rest were copied into columns for nothing, ≈ 2% of a 30-day run).
        self._measured_only = measured_only
        self._cols = ({c: array("d") for c in _FLOAT_COLS if not measured_only or c in MEASURED}
                      | {c: array(t) for c, t in _INT_COLS.items() if not measured_only or c in MEASURED})
        self._handlers: list[str] = []
        # Shortcut: a closed case is taken as one tuple (one C call) and the tuples are moved
        # into the columns a batch at a time (a transpose in C), not field by field.
        self._fields = operator.attrgetter(*self._cols, *(() if measured_only else ("handler",)))
        self._rows: list[tuple] = []
        self._path = path
        self._writer: pq.ParquetWriter | None = None
        self._written = 0
        self._dropped = 0  # leading rows of the unmeasured fields already written and let go
        self._closed = False
        self._row_group = row_group
        self._batch = min(_BATCH, row_group)

    def __len__(self) -> int:
        return len(self._cols["occurred_at"]) + len(self._rows)

    def add(self, inc: Incident) -> None:
        """Take a finished case; batched so the per-case cost is one C call, not one per field."""
        self._rows.append(self._fields(inc))
        if len(self._rows) >= self._batch:
            self._settle()

    def _settle(self) -> None:
        """Move the cases added since the last call into the columns; write full row groups."""
        if self._rows:
            fields = zip(*self._rows, strict=False)
            for col, values in zip(self._cols.values(), fields, strict=False):
                col.extend(values)
            if not self._measured_only:
                self._handlers.extend(next(fields))
            self._rows.clear()
        if self._path is not None and len(self) - self._written >= self._row_group:
            self._flush()

    def _column(self, c: str, lo: int, hi: int) -> np.ndarray:
        col = self._cols[c]
        off = 0 if c in MEASURED else self._dropped
        return np.frombuffer(col, dtype=_DTYPE[col.typecode])[lo - off:hi - off]

    def _table(self, lo: int, hi: int) -> pa.Table:
        i = {c: self._column(c, lo, hi) for c in _INT_COLS}
        f = {c: self._column(c, lo, hi) for c in _FLOAT_COLS}
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
            "handler": pa.array(self._handlers[lo - self._dropped:hi - self._dropped], type=pa.string()),
        }
        for c in (*TIMES, "queued_at", "squad_wait"):
            v = f[c]
            cols[c] = pa.array(v, mask=np.isnan(v))
        for c in ("escalations", "reworks", "alarms"):
            cols[c] = pa.array(i[c].astype(np.int32))
        return pa.table(cols)

    def _flush(self) -> None:
        assert self._path is not None
        table = self._table(self._written, len(self))
        if self._writer is None:
            self._writer = pq.ParquetWriter(self._path, table.schema, use_dictionary=_DICTIONARY_COLS)
        self._writer.write_table(table)
        self._written = len(self)
        del table
        pa.default_memory_pool().release_unused()  # give the group's buffers back, not keep them pooled
        for c, col in self._cols.items():  # written: let go of what no measure reads
            if c not in MEASURED:  # a new array: the writer may still hold a view of the old one
                self._cols[c] = array(col.typecode)
        self._handlers.clear()
        self._dropped = self._written

    def close(self) -> None:
        """Write what is left and finish the file (the run's end)."""
        self._settle()
        if self._path is None:
            return
        if self._writer is None or self._written < len(self):
            self._flush()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._closed = True

    def release(self) -> None:
        """Let go of every column once the measures are computed and the file is closed (the log is empty after)."""
        self._settle()
        self._cols = {c: array(col.typecode) for c, col in self._cols.items()}
        self._handlers = []
        self._written = self._dropped = 0

    def frame(self) -> pd.DataFrame:
        """All records as a DataFrame (categoricals for names, NaN for stages not reached)."""
        if self._measured_only:
            raise RuntimeError("this incident log keeps only the measured fields: read them with measured()")
        self._settle()
        if self._dropped:
            if not self._closed:
                raise RuntimeError("the incident log is streaming to a file: its frame is ready after close()")
            assert self._path is not None
            return pq.read_table(self._path).to_pandas()
        return self._table(0, len(self)).to_pandas()

    def measured(self, name: str) -> np.ndarray:
        """One measured field of every record, as a NumPy view of its column (no copy).

        Names are codes (category and grid index, ``Channel`` and ``Tier`` codes, tier -1 while
        unresolved), times are minutes with NaN for stages not reached. A view pins the column:
        drop it before more cases are added (the end-of-run measures read these after ``close()``).
        """
        if name not in MEASURED:
            raise KeyError(f"{name} is not a measured field of the incident log")
        self._settle()
        return self._column(name, 0, len(self))

    def measure_frame(self) -> pd.DataFrame:
        """Return the fields the measures read, for every record, as in ``frame()`` (kept in memory all run)."""
        self._settle()
        tier = self._column("tier", 0, len(self))
        cols: dict[str, pa.Array] = {
            "category": pa.DictionaryArray.from_arrays(self._column("category", 0, len(self)), self.categories),
            "grid": pa.DictionaryArray.from_arrays(self._column("grid", 0, len(self)), self.grids),
            "channel": pa.DictionaryArray.from_arrays(
                self._column("channel", 0, len(self)).astype(np.int32), list(Channel.keys())),
            "tier": pa.DictionaryArray.from_arrays(pa.array(tier.astype(np.int32), mask=tier < 0), list(Tier.keys())),
            "reworks": pa.array(self._column("reworks", 0, len(self)).astype(np.int32)),
        }
        for c in ("occurred_at", "reported_at", "arrived_at", "closed_at", "queued_at", "squad_wait"):
            v = self._column(c, 0, len(self))
            cols[c] = pa.array(v, mask=np.isnan(v))
        return pa.table(cols).to_pandas()

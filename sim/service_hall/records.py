"""The service hall's records as compact columns: one row per case and one per visit.

A year of the default hall is ≈ 120,000 cases and ≈ 70,000 visits. Kept as objects or
tuples they cost ≈ 150 bytes a row and grow with the run; here every field is a slot in a
NumPy column (8 bytes for times, 1–2 for codes), rows are added a day at a time, and the
measures and ``hall.parquet`` are computed from the columns directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.service_hall.arrivals import CHANNELS

ROW_GROUP = 65_536  # visits per row group of hall.parquet: what writing holds at once


class Columns:
    """Parallel NumPy columns that grow by whole batches (capacity doubles) and allow updates in place."""

    def __init__(self, dtypes: dict[str, type | np.dtype], capacity: int = 4096) -> None:
        self.n = 0
        self._cols = {k: np.zeros(capacity, dtype=dt) for k, dt in dtypes.items()}

    def __len__(self) -> int:
        return self.n

    def extend(self, **values: np.ndarray) -> int:
        """Append rows (every column given, same length); returns the index of the first new row."""
        m = len(next(iter(values.values())))
        need = self.n + m
        cap = len(next(iter(self._cols.values())))
        if need > cap:
            cap = max(need, 2 * cap)
            for k, col in self._cols.items():
                grown = np.zeros(cap, dtype=col.dtype)
                grown[: self.n] = col[: self.n]
                self._cols[k] = grown
        for k, v in values.items():
            self._cols[k][self.n:need] = v
        first, self.n = self.n, need
        return first

    def __getitem__(self, name: str) -> np.ndarray:
        """Give the filled part of a column (a view: writing to it updates the records)."""
        return self._cols[name][: self.n]


def case_columns() -> Columns:
    """Make the case columns: when requested and done (NaN: not yet), type, channel, complexity, trips needed and made."""
    return Columns({"requested_at": np.float64, "done_at": np.float64, "case_type": np.int16,
                    "channel": np.int8, "complex": np.bool_, "visits_needed": np.int8, "visits": np.int8})


def visit_columns() -> Columns:
    """Make the visit columns: its case, which trip it is, arrival, service start and end, and the window (hall-wide index)."""
    return Columns({"case_id": np.int64, "visit": np.int8, "arrival": np.float64, "service_start": np.float64,
                    "service_end": np.float64, "window": np.int16})


def window_tallies(visits: Columns, windows: int, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Busy minutes within the horizon and visits served, per window.

    ``np.bincount`` adds the weights in row order, so each window's total is the same sum,
    in the same order, as adding visit by visit while booking.
    """
    w = visits["window"].astype(np.int64)
    start, end = visits["service_start"], visits["service_end"]
    busy = np.maximum(0.0, np.minimum(end, horizon) - start)
    return np.bincount(w, weights=busy, minlength=windows), np.bincount(w, minlength=windows)


def case_frame(cases: Columns, type_names: list[str], dept_of_type: np.ndarray, departments: list[str]) -> pd.DataFrame:
    """One row per case: type, department, channel, complexity, requested and done, visits needed and made."""
    codes = cases["case_type"].astype(np.int64)
    return pd.DataFrame({
        "case_id": np.arange(len(cases), dtype=np.int64),
        "case_type": pd.Categorical.from_codes(codes, type_names),
        "department": pd.Categorical.from_codes(dept_of_type[codes], departments),
        "channel": pd.Categorical.from_codes(cases["channel"].astype(np.int64), list(CHANNELS)),
        "complex": cases["complex"].copy(),
        "requested_at": cases["requested_at"].copy(),
        "done_at": cases["done_at"].copy(),
        "visits_needed": cases["visits_needed"].astype(np.int64),
        "visits": cases["visits"].astype(np.int64),
    })


def _dictionary(codes: np.ndarray, names: list[str]) -> pa.DictionaryArray:
    """Codes and their names as an Arrow dictionary column, with the index type pandas gives a categorical."""
    width = np.int8 if len(names) < 2**7 else np.int16 if len(names) < 2**15 else np.int32
    return pa.DictionaryArray.from_arrays(codes.astype(width), names)


def write_visits(path: Path, visits: Columns, cases: Columns, type_names: list[str], dept_of_type: np.ndarray,
                 departments: list[str], window_ids: list[str], row_group: int = ROW_GROUP) -> None:
    """Write hall.parquet (the columns of ``visit_frame``) a row group at a time, straight from the columns.

    A frame of every visit and its Arrow copy made a 3-year hall's end ≈ 30 MB taller;
    here each group's columns are made, written and let go.
    """
    with pq.ParquetWriter(path, _visit_schema(type_names, departments, window_ids)) as writer:
        for lo in range(0, max(len(visits), 1), row_group):
            case_id = visits["case_id"][lo:lo + row_group]
            codes = cases["case_type"][case_id].astype(np.int64)
            writer.write_table(pa.table({
                "case_id": case_id,
                "case_type": _dictionary(codes, type_names),
                "department": _dictionary(dept_of_type[codes], departments),
                "channel": _dictionary(cases["channel"][case_id], list(CHANNELS)),
                "visit": visits["visit"][lo:lo + row_group].astype(np.int64),
                **{c: visits[c][lo:lo + row_group] for c in ("arrival", "service_start", "service_end")},
                "window": _dictionary(visits["window"][lo:lo + row_group], window_ids),
            }))


def _visit_schema(type_names: list[str], departments: list[str], window_ids: list[str]) -> pa.Schema:
    def names(n: list[str]) -> pa.DataType:
        return _dictionary(np.zeros(0, dtype=np.int64), n).type

    return pa.schema([("case_id", pa.int64()), ("case_type", names(type_names)), ("department", names(departments)),
                      ("channel", names(list(CHANNELS))), ("visit", pa.int64()), ("arrival", pa.float64()),
                      ("service_start", pa.float64()), ("service_end", pa.float64()), ("window", names(window_ids))])


def visit_frame(visits: Columns, cases: Columns, type_names: list[str], dept_of_type: np.ndarray,
                departments: list[str], window_ids: list[str]) -> pd.DataFrame:
    """One row per visit (hall.parquet), with its case's type, department and channel."""
    case_id = visits["case_id"]
    codes = cases["case_type"][case_id].astype(np.int64)
    return pd.DataFrame({
        "case_id": case_id.copy(),
        "case_type": pd.Categorical.from_codes(codes, type_names),
        "department": pd.Categorical.from_codes(dept_of_type[codes], departments),
        "channel": pd.Categorical.from_codes(cases["channel"][case_id].astype(np.int64), list(CHANNELS)),
        "visit": visits["visit"].astype(np.int64),
        "arrival": visits["arrival"].copy(),
        "service_start": visits["service_start"].copy(),
        "service_end": visits["service_end"].copy(),
        "window": pd.Categorical.from_codes(visits["window"].astype(np.int64), window_ids),
    })

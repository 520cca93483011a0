"""The results store of a sweep: one small Parquet file per finished run, and a DuckDB view.

Each run is written under a temporary name and renamed into ``runs/<run_key>.parquet``, so
a sweep killed at any instant leaves only whole runs; resuming skips the keys present.
``results.duckdb`` is rebuilt from those files (tables ``runs``, ``summary``, ``design``).

One sweep at a time writes into a folder: it holds a lock on ``.sweep.lock`` (released by
the kernel when the process dies, even by ``kill -9``). Only the lock's holder removes
temporary files, so a second sweep refused at the door touches nothing of the first.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.checks import threshold_warnings, town_warnings, utilisation_warnings
from sim.stats import measure_ci
from sim.sweep.experiment import ExperimentError, Plan
from sim.town import build_town

META = "experiment.json"
DATABASE = "results.duckdb"
LOCK = ".sweep.lock"

_held: dict[Path, int] = {}  # folders whose lock this process holds → nesting depth


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_key(point: int, replication: int) -> str:
    """Zero-padded so that sorting file names sorts runs by point, then replication."""
    return f"p{point:06d}_r{replication:05d}"


def design_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per design point: factor columns plus the staff it fields (for the trade-off figure)."""
    rows = []
    for p, sc in zip(plan.points, plan.scenarios, strict=True):
        crews = sc.squads.total_crews
        per_grid = sum(r.count for r in sc.grid_staff.roles.values())
        rows.append({"point": p.index, **{plan.columns[k]: v for k, v in p.values.items()},
                     "squad_crews": crews, "grid_staff_per_grid": per_grid})
    return rows


class Store:
    """A sweep's output folder."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.runs_dir = self.out / "runs"
        self.database = self.out / DATABASE

    # --- who writes ----------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the folder's lock (re-entrant within this process); refuse if another sweep does."""
        key = self.out.resolve()
        if key in _held:
            _held[key] += 1
            try:
                yield
            finally:
                _held[key] -= 1
            return
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ExperimentError(f"--out {self.out}: cannot write there ({exc.strerror or exc})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise ExperimentError(f"{self.out}: another sweep (pid {holder}) is writing into this folder; "
                                  "wait for it to finish or use another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        _held[key] = 1
        try:
            self._remove_stale()
            yield
        finally:
            del _held[key]
            os.close(fd)  # releases the lock

    def _remove_stale(self) -> None:
        """Remove temporary files of writers that are gone.

        Any run file (only the lock holder writes runs), and database builds of processes no
        longer alive (queries build too).
        """
        if self.runs_dir.is_dir():
            for stale in self.runs_dir.glob("*.tmp-*"):
                stale.unlink(missing_ok=True)
        for stale in self.out.glob(f".{DATABASE}.tmp-*"):
            pid = stale.name.removeprefix(f".{DATABASE}.tmp-").split(".", 1)[0]
            if not pid.isdigit() or not _pid_alive(int(pid)):
                stale.unlink(missing_ok=True)

    # --- the experiment the folder belongs to -------------------------------------------
    def init(self, plan: Plan) -> None:
        """Record the experiment, or check that the folder was made by this same experiment.

        Call it while holding :meth:`writing`.
        """
        meta_path = self.out / META
        if not meta_path.exists():
            foreign = sorted(p.name for p in self.out.iterdir()
                             if p.name != LOCK and not (p == self.runs_dir and not any(p.iterdir())))
            if foreign:
                raise ExperimentError(f"--out {self.out}: holds files that are not a sweep's "
                                      f"({', '.join(foreign[:3])}); use an empty or new folder")
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        if meta_path.exists():
            old = self.meta()
            if old.get("fingerprint") != plan.fingerprint:
                raise ExperimentError(
                    f"{self.out}: holds results of a different experiment or scenario "
                    f"({old.get('name')!r}); use another --out")
            return
        exp = plan.experiment
        meta = {
            "name": exp.experiment.name,
            "fingerprint": plan.fingerprint,
            "source": str(plan.source),
            "scenario": str(plan.scenario_path),
            "replications": exp.experiment.replications,
            "base_seed": exp.experiment.base_seed,
            "days": exp.experiment.days,
            "factors": [{"path": f.path, "column": f.column, "low": f.low, "high": f.high,
                         "levels": f.levels} for f in exp.factors],
            "design": exp.design.model_dump(mode="json"),
            "analysis": exp.analysis.model_dump(mode="json"),
            "points": design_rows(plan),
            "scenario_warnings": scenario_warnings(plan),
            "sample": None if plan.sample is None else plan.sample.tolist(),
        }
        tmp = meta_path.with_name(f".{META}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, meta_path)

    def meta(self) -> dict[str, Any]:
        """Read the experiment recorded in the folder; a missing or damaged record is refused."""
        path = self.out / META
        if not self.out.is_dir():
            raise ExperimentError(f"{self.out}: no such folder")
        if not path.is_file():
            raise ExperimentError(f"{self.out}: not a sweep output folder (no {META})")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ExperimentError(f"{path}: damaged ({str(exc).splitlines()[0]}); "
                                  "remove the folder to start the sweep again") from None
        required = {"fingerprint": str, "factors": list, "points": list, "analysis": dict}
        for key, kind in required.items():
            if not isinstance(data, dict) or not isinstance(data.get(key), kind):
                raise ExperimentError(f"{path}: damaged (no valid {key!r}); "
                                      "remove the folder to start the sweep again")
        return data

    # --- runs ----------------------------------------------------------------------------
    def done_keys(self) -> set[str]:
        """Keys of the runs already written: what a resumed sweep skips."""
        return {p.name.removesuffix(".parquet") for p in self.runs_dir.glob("*.parquet")}

    def write_run(self, point: int, replication: int, seed: int, factors: dict[str, Any],
                  measures: dict[str, float]) -> None:
        """Write one finished run atomically: temp file, fsync, rename."""
        n = len(measures)
        cols: dict[str, Any] = {"point": np.full(n, point, dtype=np.int64),
                                "replication": np.full(n, replication, dtype=np.int64),
                                "seed": np.full(n, seed, dtype=np.int64)}
        for name, v in factors.items():
            cols[name] = [v] * n
        cols["measure"] = list(measures)
        cols["value"] = np.array(list(measures.values()), dtype=float)
        table = pa.Table.from_pandas(pd.DataFrame(cols), preserve_index=False)  # NaN → null
        key = run_key(point, replication)
        final = self.runs_dir / f"{key}.parquet"
        tmp = self.runs_dir / f"{key}.parquet.tmp-{os.getpid()}"
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, final)

    def read_runs(self) -> pd.DataFrame:
        """All runs, one row per run and measure, ordered by point, replication, measure order."""
        files = sorted(self.runs_dir.glob("*.parquet"))
        if not files:
            return pd.DataFrame(columns=["point", "replication", "seed", "measure", "value"])
        tables = []
        for f in files:
            try:
                tables.append(pq.read_table(f))
            except (OSError, pa.ArrowException) as exc:
                raise ExperimentError(f"{f}: damaged run file ({str(exc).splitlines()[0]}); "
                                      "remove it and run the sweep again to redo that run") from None
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()

    # --- the database --------------------------------------------------------------------
    def build_database(self, force: bool = False) -> Path:
        """(Re)build results.duckdb from the run files; skipped when it is already up to date."""
        if not self.runs_dir.is_dir():
            raise ExperimentError(f"{self.out}: not a sweep output folder (no runs/)")
        if (not force and self.database.exists()
                and self.database.stat().st_mtime_ns >= self.runs_dir.stat().st_mtime_ns):
            return self.database
        meta = self.meta()
        runs = self.read_runs()
        factor_cols = [f["column"] for f in meta["factors"]]
        design = pd.DataFrame(meta["points"])
        summary = summary_table(runs, factor_cols)
        warnings = pd.DataFrame(
            [{"point": w.get("point"), "code": w["code"], "values": json.dumps(w["values"], ensure_ascii=False)}
             for w in sweep_warnings(meta, runs, summary)],
            columns=["point", "code", "values"])
        tmp = self.out / f".{DATABASE}.tmp-{os.getpid()}"
        wal = tmp.with_name(tmp.name + ".wal")
        tmp.unlink(missing_ok=True)
        import duckdb  # here, not at the top: `gridsim run` imports this module and needs no database

        try:
            con = duckdb.connect(str(tmp))
            try:
                for name, df in (("runs", runs), ("summary", summary), ("design", design), ("warnings", warnings)):
                    con.register("frame", df)
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
                    con.unregister("frame")
            finally:
                con.close()
            os.replace(tmp, self.database)
        except BaseException:
            tmp.unlink(missing_ok=True)
            wal.unlink(missing_ok=True)
            raise
        return self.database

    def read_warnings(self) -> list[dict[str, Any]]:
        """Read the sweep's warnings as entries (point, code, values) from the database."""
        import duckdb  # here, not at the top: see build_database

        con = duckdb.connect(str(self.build_database()), read_only=True)
        try:
            rows = con.execute("SELECT point, code, \"values\" FROM warnings").fetchall()
        finally:
            con.close()
        return [{"point": None if p is None or p != p else int(p), "code": c, "values": json.loads(v)} for p, c, v in rows]


def scenario_warnings(plan: Plan) -> list[dict[str, Any]]:
    """Collect what each design point's scenario warns of before it runs (grid sizes, thresholds)."""
    out = []
    for p, sc in zip(plan.points, plan.scenarios, strict=True):
        for w in town_warnings(sc, build_town(sc)) + threshold_warnings(sc):
            out.append({"point": p.index, **w.as_dict()})
    return out


def sweep_warnings(meta: dict[str, Any], runs: pd.DataFrame, summary: pd.DataFrame) -> list[dict[str, Any]]:
    """Collect every warning of a sweep, per point and per factor.

    Per point: scenario checks and mean utilisation ≥ 1; per factor: levels that give identical
    results in every measure and replication.
    """
    out = list(meta.get("scenario_warnings", []))
    util = summary[summary.measure.str.endswith("utilisation") & (summary["mean"] >= 1.0)]
    for row in util.itertuples():
        for w in utilisation_warnings({str(row.measure): float(row.mean)}):
            out.append({"point": int(row.point), **w.as_dict()})
    factor_cols = [f["column"] for f in meta["factors"]]
    for f in meta["factors"]:
        col = f["column"]
        if runs.empty or runs[col].nunique() < 2:
            continue
        others = [c for c in factor_cols if c != col]
        wide = runs.pivot_table(index=[*others, "replication", "measure"], columns=col, values="value",
                                aggfunc="first", dropna=False)
        wide = wide[wide.notna().sum(axis=1) >= 2]  # rows where two levels can be compared
        if wide.empty:
            continue  # no two points differ in this factor alone (e.g. a sampled design)
        first = wide.iloc[:, 0]
        same = wide.apply(lambda c, first=first: np.isclose(c, first, rtol=0, atol=0, equal_nan=True) | c.isna())
        if bool(same.to_numpy().all()):
            out.append({"point": None, "code": "factor_without_effect",
                        "values": {"factor": col, "levels": sorted(runs[col].dropna().unique().tolist(), key=str)}})
    return out


def summary_table(runs: pd.DataFrame, factor_cols: list[str]) -> pd.DataFrame:
    """Per design point and measure: mean, 95% CI over replications, and n (non-missing)."""
    cols = ["point", *factor_cols, "measure", "mean", "ci_low", "ci_high", "n"]
    if runs.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for (point, measure), g in runs.groupby(["point", "measure"], sort=False):
        v = g["value"].to_numpy(dtype=float)
        m, lo, hi = measure_ci(str(measure), v)
        first = g.iloc[0]
        rows.append({"point": point, **{c: first[c] for c in factor_cols}, "measure": measure,
                     "mean": m, "ci_low": lo, "ci_high": hi, "n": int(np.count_nonzero(~np.isnan(v)))})
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("point", kind="stable").reset_index(drop=True)

"""Reading a scenario: TOML, ``extends``, overrides by dotted path, the one-line error.

Loading refuses anything doubtful with a :class:`ScenarioError` that names the file and
the field, so the CLI can print one line and exit 2 before anything runs.
"""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.config.base import ScenarioError
from sim.config.geo import resolve_paths
from sim.config.scenario import Scenario
from sim.config.schema_cache import scenario_validator
from sim.config.size import check_run_size


def field_path(loc: tuple[Any, ...], data: dict[str, Any], labels: tuple[str, ...] = ("name", "id")) -> str:
    """Turn pydantic's error location into a dotted path through the user's own table.

    List items are named by their first label key (``[illegal_parking]``); keys that are
    not in the table but lead further down are pydantic's union tags, not fields, and are
    skipped.
    """
    parts: list[str] = []
    node: Any = data
    for i, key in enumerate(loc):
        if isinstance(key, int) and isinstance(node, list) and key < len(node):
            item = node[key]
            label = next((item[k] for k in labels if isinstance(item, dict) and item.get(k)), None)
            parts.append(f"[{label}]" if label else f"[{key}]")
            node = item
            continue
        last = i == len(loc) - 1
        if isinstance(node, dict) and key not in node and not last:
            continue  # a union tag such as "lognormal"
        parts.append(f".{key}" if parts else str(key))
        node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)


def one_line(exc: ValidationError, data: dict[str, Any], source: str,
             labels: tuple[str, ...] = ("name", "id")) -> str:
    """Turn the first validation error into ``source: field: what is wrong``, the CLI's one line."""
    err = exc.errors()[0]
    field = field_path(tuple(err["loc"]), data, labels)
    msg = {
        "extra_forbidden": "unknown field",
        "missing": "missing field",
        "finite_number": "must be a finite number (no NaN or inf)",
    }.get(err["type"], err["msg"].removeprefix("Value error, "))
    if not field:  # a check across sections names its own fields
        return f"{source}: {msg.removeprefix('.')}"
    if msg.startswith("."):  # a sub-field's own path (NoCoercion)
        return f"{source}: {field}{msg}"
    return f"{source}: {field}: {msg.removeprefix('.')}"


def validate_scenario(data: dict[str, Any], source: str = "<scenario>", days: float | None = None,
                      days_from: str = "--days") -> Scenario:
    """Validate a parsed TOML table; raise ScenarioError naming the first bad field.

    The run-size check uses ``days`` when the command runs that long (named ``days_from`` in
    the refusal), else the file's ``run.days``.
    """
    try:
        scenario = scenario_validator().validate_python(data)
    except ValidationError as exc:
        raise ScenarioError(one_line(exc, data, source)) from None
    except (TypeError, KeyError) as exc:  # malformed nesting pydantic cannot locate
        raise ScenarioError(f"{source}: {exc}") from None
    except RecursionError:
        raise ScenarioError(f"{source}: nested too deeply") from None
    if days is None:
        check_run_size(scenario, scenario.run.days, source, "run.days")
    else:
        check_run_size(scenario, days, source, days_from)
    return scenario


# A scenario or experiment is a few kilobytes of text; a file beyond this is not one.
MAX_FILE_BYTES = 5_000_000


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, turning every way it can fail into a one-line ScenarioError."""
    p = Path(path)
    if not p.exists():
        raise ScenarioError(f"{p}: no such file")
    if p.is_dir():
        raise ScenarioError(f"{p}: is a directory, not a scenario file")
    if not p.is_file():  # a FIFO or a device would block or never end
        raise ScenarioError(f"{p}: not a regular file")
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError(f"{p}: larger than {MAX_FILE_BYTES // 1_000_000} MB; not a scenario file")
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: not valid TOML: not UTF-8 text") from None
    except RecursionError:
        raise ScenarioError(f"{p}: not valid TOML: nested too deeply") from None
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot be read ({exc.strerror or exc})") from None


def _merge(base: Any, over: Any) -> Any:
    """Deep merge: tables merge, lists of named tables merge by name/id, the rest replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    items = base + over if isinstance(base, list) and isinstance(over, list) else []
    key = next((k for k in ("name", "id") if items and all(isinstance(x, dict) and isinstance(x.get(k), str)
                                                            for x in items)), None)
    if over and key is not None:  # items without a text name are not merged: validation names them
        merged = {x[key]: x for x in base}
        for x in over:
            merged[x[key]] = _merge(merged[x[key]], x) if x[key] in merged else x
        return list(merged.values())
    return over


def read_scenario_data(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read the scenario's table, with ``extends = "other.toml"`` resolved (variants of a preset)."""
    p = Path(path)
    data = resolve_paths(read_toml(p), p.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{p}: extends: must be a file name")
    base_path = (p.parent / parent).resolve()
    if base_path in _seen:
        raise ScenarioError(f"{p}: extends: circular reference to {parent}")
    if not base_path.exists():
        raise ScenarioError(f"{p}: extends: no such file {parent}")
    return _merge(read_scenario_data(base_path, (*_seen, p.resolve())), data)


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None, days: float | None = None,
                  days_from: str = "--days", town_files: bool = True) -> Scenario:
    """Read and validate a scenario file, after applying ``{"a.b.c": value}`` overrides.

    ``days``: the run length the command will use, if not the file's ``run.days`` (sized by it).
    ``town_files=False`` leaves a real town's layers unread (sim.__main__'s early check: the
    command reads them).
    """
    data = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    scenario = validate_scenario(data, source=str(path), days=days, days_from=days_from)
    if town_files:
        check_town_files(scenario, str(path))
    return scenario


def check_town_files(scenario: Scenario, source: str = "<scenario>") -> None:
    """Read and check a real town's layers and roads now, so a bad file is refused before any run.

    Squad zones must name villages of the layer (the scenario check cannot know them).
    """
    if scenario.town.gis is None and scenario.town.roads is None:
        return
    from sim.geo.errors import GeoError
    from sim.town import build_town

    try:
        town = build_town(scenario)
    except GeoError as exc:
        raise ScenarioError(str(exc)) from None
    if scenario.town.gis is None:
        return
    names = {v.name for v in town.villages}
    for u in scenario.squads.units:
        for v in u.zone or []:
            if v not in names:
                raise ScenarioError(f"{source}: squads.units.{u.id}.zone: unknown village {v!r} (not in"
                                    f" {scenario.town.gis.villages.path}; villages are {', '.join(sorted(names)[:3])}, …)")


def apply_overrides(
    data: dict[str, Any], overrides: dict[str, Any], source: str = "<scenario>"
) -> dict[str, Any]:
    """Set fields by dotted path; list items are addressed by their name or id.

    ``incidents.categories.illegal_parking.share`` sets the share of the category named
    ``illegal_parking``. Unknown paths raise ScenarioError (sweeps must not silently vary
    nothing).
    """
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ScenarioError(f"{source}: {path}: must be a finite number")
        node: Any = out
        keys = path.split(".")
        for i, key in enumerate(keys):
            last = i == len(keys) - 1
            if isinstance(node, list):
                match = [it for it in node if isinstance(it, dict) and key in (it.get("name"), it.get("id"))]
                if not match:
                    raise ScenarioError(f"{source}: {path}: no list item named {key!r}")
                if last:
                    raise ScenarioError(f"{source}: {path}: cannot replace a whole list item")
                node = match[0]
            elif isinstance(node, dict):
                if last:
                    node[key] = value
                elif key in node:
                    node = node[key]
                else:
                    node[key] = {}
                    node = node[key]
            else:
                raise ScenarioError(f"{source}: {path}: {key!r} is not a table")
    return out

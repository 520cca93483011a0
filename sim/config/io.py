"""Reading a scenario: TOML, ``extends``, overrides by dotted path, the one-line error.

Loading refuses anything doubtful with a :class:`ScenarioError` that names the file and
the field, so the CLI can print one line and exit 2 before anything runs.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

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


def did_you_mean(word: str, known: Collection[str]) -> str:
    """`` (did you mean X?)`` when one of ``known`` is close to ``word`` (difflib), else nothing."""
    import difflib  # here: only a refusal needs it (1 ms of a refusal's start-up otherwise)

    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _models(annotation: Any) -> list[type[BaseModel]]:
    """Give the models a field's annotation can hold at this level (through Annotated, unions, None)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _models(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [m for a in get_args(annotation) for m in _models(a)]
    return [annotation] if isinstance(annotation, type) and issubclass(annotation, BaseModel) else []


def _inner(annotation: Any, key: Any) -> list[Any]:
    """Give the annotations one step down ``key`` (a field, a list index, a dict key) from ``annotation``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _inner(get_args(annotation)[0], key)
    if origin in (Union, UnionType):
        return [a for arg in get_args(annotation) for a in _inner(arg, key)]
    if isinstance(key, int) and origin in (list, tuple):
        return [get_args(annotation)[0]]
    if isinstance(key, str) and origin is dict:
        return [get_args(annotation)[1]]
    if isinstance(key, str) and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if key in annotation.model_fields:
            return [annotation.model_fields[key].annotation]
        tags = [a for f in annotation.model_fields.values() if get_origin(f.annotation) is Literal
                for a in get_args(f.annotation)]
        return [annotation] if key in tags else []  # a union's tag (``lognormal``): this member, one step on
    return []


def field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> set[str]:
    """Give the field names the table at ``loc`` may hold, following the model's annotations."""
    here: list[Any] = [model]
    for key in loc:
        here = [a for ann in here for a in _inner(ann, key)]
    return {f for ann in here for m in _models(ann) for f in m.model_fields}


# A list of named tables, as its items are called in a refusal.
ITEM_NOUNS = {"incidents.categories": "category", "squads.units": "squad unit", "service_hall.case_types": "case type"}


def _new_item(exc: ValidationError, data: dict[str, Any], source: str, labels: tuple[str, ...],
              inherited: Mapping[str, Collection[str]]) -> str | None:
    """Refuse an incomplete named item that the ``extends`` file lacks (a typo, most often), in one line.

    ``inherited``: the named lists of the file the scenario extends, by dotted path. None when the
    first error is not a missing field of such an item.
    """
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    if err["type"] != "missing":
        return None
    at = next((i for i, k in enumerate(loc) if isinstance(k, int)), None)
    if at is None or at + 2 != len(loc):
        return None
    where = field_path(loc[:at], data, labels)
    item = field_path(loc[:at + 1], data, labels)[len(where):]
    name = item[1:-1]
    if where not in inherited or name in inherited[where] or item == f"[{loc[at]}]":
        return None
    missing = [str(e["loc"][-1]) for e in exc.errors()
               if e["type"] == "missing" and tuple(e["loc"][:-1]) == loc[:-1]]
    noun = ITEM_NOUNS.get(where, "item")
    return (f"{source}: {where}{item}: unknown {noun}{did_you_mean(name, inherited[where])}; "
            f"a new {noun} needs every field (missing: {', '.join(missing)})")


def _tables_for_list(err: Any, data: dict[str, Any], source: str, labels: tuple[str, ...],
                     model: type[BaseModel] | None) -> str | None:
    """Refuse ``[incidents.categories.X]`` (a table of tables) where an array of tables belongs, saying how to write it.

    None unless the first error is a list of named tables given as a table of tables.
    """
    loc = tuple(err["loc"])
    given = err.get("input")
    if err["type"] != "list_type" or not isinstance(given, dict) or not given or model is None:
        return None
    if not all(isinstance(v, dict) for v in given.values()):
        return None
    key = next((k for k in labels if k in field_names(model, (*loc, 0))), None)
    if key is None:  # a list of plain values, or of tables without a name
        return None
    where = field_path(loc, data, labels)
    first = next(iter(given))
    noun = ITEM_NOUNS.get(where, "item")
    return (f"{source}: {where}: write each {noun} as [[{where}]] with {key} = \"{first}\" "
            f"(an array of tables), not as [{where}.{first}]")


def one_line(exc: ValidationError, data: dict[str, Any], source: str,
             labels: tuple[str, ...] = ("name", "id"), model: type[BaseModel] | None = None,
             inherited: Mapping[str, Collection[str]] | None = None) -> str:
    """Turn the first validation error into ``source: field: what is wrong``, the CLI's one line.

    With ``model``, an unknown field suggests the nearest field of its table; with ``inherited``
    (the ``extends`` file's named lists), an incomplete item of a name that file lacks is called
    unknown, with the nearest name it has.
    """
    if inherited and (line := _new_item(exc, data, source, labels, inherited)) is not None:
        return line
    err = exc.errors()[0]
    if (line := _tables_for_list(err, data, source, labels, model)) is not None:
        return line
    loc = tuple(err["loc"])
    field = field_path(loc, data, labels)
    msg = {
        "extra_forbidden": "unknown field",
        "missing": "missing field",
        "finite_number": "must be a finite number (no NaN or inf)",
    }.get(err["type"], err["msg"].removeprefix("Value error, "))
    if err["type"] == "extra_forbidden" and model is not None and loc:
        msg += did_you_mean(str(loc[-1]), field_names(model, loc[:-1]))
    if not field:  # a check across sections names its own fields
        return f"{source}: {msg.removeprefix('.')}"
    if msg.startswith("."):  # a sub-field's own path (NoCoercion)
        return f"{source}: {field}{msg}"
    return f"{source}: {field}: {msg.removeprefix('.')}"


def named_lists(data: Any, where: str = "") -> dict[str, list[str]]:
    """Give the names of each list of named tables in ``data``, by dotted path (``incidents.categories``)."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out |= named_lists(v, f"{where}.{k}" if where else str(k))
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        key = next((k for k in ("name", "id") if all(isinstance(x.get(k), str) for x in data)), None)
        if key is not None:
            out[where] = [x[key] for x in data]
    return out


def validate_scenario(data: dict[str, Any], source: str = "<scenario>", days: float | None = None,
                      days_from: str = "--days",
                      inherited: Callable[[], Mapping[str, Collection[str]]] | None = None) -> Scenario:
    """Validate a parsed TOML table; raise ScenarioError naming the first bad field.

    The run-size check uses ``days`` when the command runs that long (named ``days_from`` in
    the refusal), else the file's ``run.days``. ``inherited`` gives the named lists of the
    file ``data`` extends (read only for a refusal): see :func:`one_line`.
    """
    try:
        scenario = scenario_validator().validate_python(data)
    except ValidationError as exc:
        raise ScenarioError(one_line(exc, data, source, model=Scenario,
                                     inherited=inherited() if inherited else None)) from None
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
    """Parse a TOML file, turning every way it can fail into a one-line ScenarioError.

    A UTF-8 byte-order mark (Windows Notepad writes one) is dropped: the text is UTF-8 all the same.
    """
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
        text = p.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: {toml_error(str(exc), text)}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: not valid TOML: not UTF-8 text") from None
    except RecursionError:
        raise ScenarioError(f"{p}: not valid TOML: nested too deeply") from None
    except OSError as exc:
        raise ScenarioError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise ScenarioError(f"{p}: the file is empty (no settings in it)")
    return data


_AT = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def toml_error(message: str, text: str) -> str:
    """Word tomllib's error for a user: a key or table given twice is named, with its line.

    tomllib says only ``Cannot overwrite a value (at line 4, column 11)``; the key is the
    line's text before ``=``, its table the last header above it. Other errors keep tomllib's words.
    """
    at = _AT.search(message)
    if at is None:
        return f"not valid TOML: {message}"
    line_no = int(at.group(1))
    what = message[:at.start()]
    lines = text.splitlines()
    if what == "Cannot overwrite a value" and 0 < line_no <= len(lines) and "=" in lines[line_no - 1]:
        key = lines[line_no - 1].split("=", 1)[0].strip()
        table = next((m.group(1) for ln in reversed(lines[:line_no - 1]) if (m := _HEADER.match(ln))), None)
        return f"{f'{table}.{key}' if table else key}: given twice (the second time at line {line_no}); keep one"
    if (twice := re.fullmatch(r"Cannot declare \((.*)\) twice", what)) is not None:
        table = ".".join(part.strip().strip("'\"") for part in twice.group(1).split(",") if part.strip())
        return f"[{table}]: table declared twice (the second time at line {line_no}); merge them into one"
    return f"not valid TOML: {message}"


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


def extended_lists(path: str | Path) -> dict[str, list[str]]:
    """Give the named lists (categories, squad units) of the file ``path`` extends (none if it extends none)."""
    p = Path(path)
    parent = read_toml(p).get("extends")
    if not isinstance(parent, str):
        return {}
    return named_lists(read_scenario_data(p.parent / parent))


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
    merged = _merge(read_scenario_data(base_path, (*_seen, p.resolve())), data)
    own, meta, town = data.get("meta"), merged.get("meta"), data.get("town")
    own = own if isinstance(own, dict) else {}
    if isinstance(meta, dict) and isinstance(town, dict) and "gis" in town:
        # A file that brings its own town (GIS layers) is not the town it extends: named by its
        # file unless it names itself, and without the parent's description (another town's).
        merged["meta"] = {**meta, "name": own.get("name", p.stem)}
        if "description" not in own:
            merged["meta"].pop("description", None)
    return merged


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
    scenario = validate_scenario(data, source=str(path), days=days, days_from=days_from,
                                 inherited=lambda: extended_lists(path))
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
        raise ScenarioError(f"{source}: {exc}") from None  # the scenario that names the file, then the file
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
                    names = [n for it in node if isinstance(it, dict) for n in (it.get("name"), it.get("id"))
                             if isinstance(n, str)]
                    raise ScenarioError(f"{source}: {path}: no list item named {key!r}{did_you_mean(key, names)}")
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

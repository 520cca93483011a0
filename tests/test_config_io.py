"""Reading scenario files: ``extends`` chains and cycles, overrides by dotted path, list
merging by name, and the one-line error that names the file and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import DEFAULT
from pydantic import ValidationError
from typer.testing import CliRunner

from sim.cli import app
from sim.config import (
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    one_line,
    read_scenario_data,
)
from sim.config.io import _merge, field_path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_extends_chain_applies_the_nearest_file_last(tmp_path):
    _write(tmp_path / "mid.toml", f'extends = "{DEFAULT}"\n[squads]\ncount = 2\n[run]\ndays = 9\n')
    leaf = _write(tmp_path / "leaf.toml", 'extends = "mid.toml"\n[run]\ndays = 4\n')
    sc = load_scenario(leaf)
    base = load_scenario(DEFAULT)
    assert sc.run.days == 4 and sc.squads.count == 2
    assert sc.run.seed == base.run.seed and sc.town.area_km2 == base.town.area_km2
    assert "extends" not in read_scenario_data(leaf)


@pytest.mark.parametrize("cycle", ["self", "pair", "triangle"])
def test_extends_cycle_is_refused_in_one_line(tmp_path, cycle):
    names = {"self": ["a"], "pair": ["a", "b"], "triangle": ["a", "b", "c"]}[cycle]
    for here, there in zip(names, names[1:] + names[:1], strict=True):
        _write(tmp_path / f"{here}.toml", f'extends = "{there}.toml"\n[run]\ndays = 3\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(tmp_path / "a.toml")
    msg = str(err.value)
    assert "\n" not in msg and "extends: circular reference to" in msg and ".toml" in msg
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(tmp_path / "a.toml"), "--out", str(out)])
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0, r.stderr
    assert "circular reference" in r.stderr and "Traceback" not in r.stderr and not out.exists()


def test_extends_a_missing_file_or_not_a_name(tmp_path):
    _write(tmp_path / "a.toml", 'extends = "nowhere.toml"\n')
    with pytest.raises(ScenarioError, match=r"a\.toml: extends: no such file nowhere\.toml"):
        read_scenario_data(tmp_path / "a.toml")
    _write(tmp_path / "b.toml", "extends = 3\n")
    with pytest.raises(ScenarioError, match=r"b\.toml: extends: must be a file name"):
        read_scenario_data(tmp_path / "b.toml")


def test_lists_of_named_tables_merge_by_name():
    base: dict[str, Any] = {"cats": [{"name": "a", "share": 1, "limit": 5}, {"name": "b", "share": 2}], "x": {"y": 1, "z": 2}}
    over = {"cats": [{"name": "b", "share": 7}, {"name": "c", "share": 3}], "x": {"z": 9}}
    merged = _merge(base, over)
    assert merged == {"cats": [{"name": "a", "share": 1, "limit": 5}, {"name": "b", "share": 7},
                               {"name": "c", "share": 3}], "x": {"y": 1, "z": 9}}
    assert _merge({"l": [1, 2]}, {"l": [3]}) == {"l": [3]}  # plain lists replace
    assert base["cats"][1] == {"name": "b", "share": 2}  # the inputs are left alone


def test_overrides_reach_named_list_items_and_new_tables():
    data = read_scenario_data(DEFAULT)
    out = apply_overrides(data, {"incidents.categories.illegal_parking.share": 0.5, "squads.count": 4,
                                 "town.grid_division.households_per_grid": 300})
    sc = Scenario.model_validate(out)
    assert next(c for c in sc.incidents.categories if c.name == "illegal_parking").share == 0.5
    assert sc.squads.count == 4 and sc.town.grid_division.households_per_grid == 300
    original: list[dict] = data["incidents"]["categories"]
    assert next(c for c in original if c["name"] == "illegal_parking")["share"] == 0.18


@pytest.mark.parametrize(("path", "value", "words"), [
    ("incidents.categories.jaywalking.share", 1.0, "no list item named 'jaywalking'"),
    ("incidents.categories.ilegal_parking.share", 1.0,
     "no list item named 'ilegal_parking' (did you mean illegal_parking?)"),
    ("incidents.categories.illegal_parking", 1.0, "cannot replace a whole list item"),
    ("run.days.half", 1.0, "'half' is not a table"),
    ("run.days", float("nan"), "must be a finite number"),
])
def test_bad_override_is_refused_naming_the_path(path, value, words):
    with pytest.raises(ScenarioError) as err:
        apply_overrides(read_scenario_data(DEFAULT), {path: value}, source="x.toml")
    assert str(err.value) == f"x.toml: {path}: {words}"


def _first_error(data: dict) -> str:
    with pytest.raises(ValidationError) as err:
        Scenario.model_validate(data)
    return one_line(err.value, data, "town.toml", model=Scenario)


def test_error_formatter_names_file_and_field_through_named_items():
    data = apply_overrides(read_scenario_data(DEFAULT), {"incidents.categories.street_vending.share": -1})
    assert _first_error(data) == ("town.toml: incidents.categories[street_vending].share: "
                                  "Input should be greater than 0")
    data = apply_overrides(read_scenario_data(DEFAULT), {"squads.colour": "red"})
    assert _first_error(data) == "town.toml: squads.colour: unknown field"
    data = read_scenario_data(DEFAULT)
    del data["incidents"]["categories"][0]["work_min"]
    assert _first_error(data) == "town.toml: incidents.categories[exposed_garbage].work_min: missing field"


def test_an_unknown_field_suggests_the_nearest_field_of_its_own_table():
    data = apply_overrides(read_scenario_data(DEFAULT), {"squads.cuont": 2})
    assert _first_error(data) == "town.toml: squads.cuont: unknown field (did you mean count?)"
    data = apply_overrides(read_scenario_data(DEFAULT), {"incidents.categories.illegal_parking.sevrity": 2})
    assert _first_error(data) == ("town.toml: incidents.categories[illegal_parking].sevrity: "
                                  "unknown field (did you mean severity?)")
    # inside a distribution: the fields of the one its tag names (lognormal: mean, cv)
    data = apply_overrides(read_scenario_data(DEFAULT), {"incidents.categories.illegal_parking.work_min.cvv": 2})
    assert _first_error(data).endswith("incidents.categories[illegal_parking].work_min.cvv: "
                                       "unknown field (did you mean cv?)")
    data = apply_overrides(read_scenario_data(DEFAULT), {"squads.wibble": 2})
    assert _first_error(data) == "town.toml: squads.wibble: unknown field"  # nothing close: no guess


def _variant(tmp_path: Path, text: str) -> str:
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path / "variant.toml", f'extends = "{DEFAULT}"\n{text}'))
    return str(err.value)


def test_an_incomplete_category_the_base_lacks_is_unknown_with_the_nearest_name(tmp_path):
    line = _variant(tmp_path, '[[incidents.categories]]\nname = "illegal_parkng"\nshare = 3.0\n')
    assert line == (f"{tmp_path / 'variant.toml'}: incidents.categories[illegal_parkng]: unknown category"
                    " (did you mean illegal_parking?); a new category needs every field"
                    " (missing: severity, respond_limit_min, close_limit_min, work_min)")
    line = _variant(tmp_path, '[[incidents.categories]]\nname = "meteor_strike"\nshare = 3.0\nseverity = 2\n')
    assert line.endswith(": incidents.categories[meteor_strike]: unknown category; a new category needs every"
                         " field (missing: respond_limit_min, close_limit_min, work_min)")


def test_a_variant_may_still_add_a_whole_new_category_and_change_a_known_one(tmp_path):
    new = ('[[incidents.categories]]\nname = "illegal_parking_night"\nshare = 0.1\nseverity = 1\n'
           'respond_limit_min = 30\nclose_limit_min = 120\nwork_min = { dist = "exponential", mean = 20 }\n'
           '[[incidents.categories]]\nname = "illegal_parking"\nshare = 0.3\n')
    sc = load_scenario(_write(tmp_path / "variant.toml", f'extends = "{DEFAULT}"\n{new}'))
    shares = {c.name: c.share for c in sc.incidents.categories}
    assert shares["illegal_parking_night"] == 0.1 and shares["illegal_parking"] == 0.3
    assert len(shares) == len(load_scenario(DEFAULT).incidents.categories) + 1


@pytest.mark.parametrize(("table", "item", "key", "noun"), [
    ("incidents.categories", "illegal_parking", "name", "category"),
    ("squads.units", "S1", "id", "squad unit"),
    ("service_hall.case_types", "health", "name", "case type"),
])
def test_a_named_list_written_as_tables_says_how_to_write_it(tmp_path, table, item, key, noun):
    """``[incidents.categories.X]`` (TOML's table of tables) where an array of tables belongs: how to write it."""
    line = _variant(tmp_path, f"[{table}.{item}]\nshare = 0.3\n")
    assert line == (f'{tmp_path / "variant.toml"}: {table}: write each {noun} as [[{table}]] with {key} = "{item}" '
                    f"(an array of tables), not as [{table}.{item}]")
    data = read_scenario_data(DEFAULT)  # the same in a file of its own, without extends
    data["incidents"]["categories"] = {c["name"]: c for c in data["incidents"]["categories"]}
    assert _first_error(data) == ('town.toml: incidents.categories: write each category as [[incidents.categories]] '
                                  'with name = "exposed_garbage" (an array of tables), not as '
                                  "[incidents.categories.exposed_garbage]")


def test_a_list_of_plain_values_given_a_table_keeps_pydantics_words():
    data = read_scenario_data(DEFAULT)
    data["command_centre"]["fifteen_minute_rule"] = {"a": {"b": 1}}
    assert _first_error(data) == "town.toml: command_centre.fifteen_minute_rule: Input should be a valid list"


def test_an_incomplete_category_of_a_file_without_extends_is_a_missing_field():
    data = read_scenario_data(DEFAULT)
    del data["incidents"]["categories"][0]["severity"]
    assert _first_error(data) == "town.toml: incidents.categories[exposed_garbage].severity: missing field"


def test_field_path_skips_union_tags_and_numbers_unnamed_items():
    data = {"a": [{"x": 1}, {"name": "n", "d": {"dist": "lognormal"}}]}
    assert field_path(("a", 0, "x"), data) == "a[0].x"
    assert field_path(("a", 1, "d", "lognormal", "cv"), data) == "a[n].d.cv"



# --- the kept scenario schema (fast start, issue 13) ---------------------------------------------
_BAD_FIELDS: list[tuple[str, str, Any]] = [
    ("run", "days", -5), ("squads", "count", "two"), ("command_centre", "triage_min", {"dist": "gamma"}),
    ("town", "area_km2", float("nan")), ("party", "nope", 1), ("escalation", "policy", "other"),
    ("command_centre", "dispatch_rule", "fastest"), ("run", "seed", True),
]


def test_the_kept_schema_validates_and_refuses_as_pydantic_does(tmp_path, monkeypatch):
    """Kept, read back and used: same scenario, same one-line refusal as ``Scenario.model_validate``."""
    import copy

    from pydantic_core import SchemaValidator

    from sim.config import schema_cache

    monkeypatch.setattr(schema_cache, "FOLDER", tmp_path)
    monkeypatch.setattr(schema_cache, "_validator", None)
    monkeypatch.setattr(schema_cache.sys, "dont_write_bytecode", False)
    first = schema_cache.scenario_validator()
    kept = list(tmp_path.glob("scenario-schema.*.pickle"))
    assert len(kept) == 1 and kept[0].name == f"scenario-schema.{schema_cache.key()}.pickle"
    monkeypatch.setattr(schema_cache, "_validator", None)
    monkeypatch.setattr(schema_cache, "built_schema", lambda: pytest.fail("the kept schema was not used"))
    read_back = schema_cache.scenario_validator()
    assert isinstance(read_back, SchemaValidator) and read_back is not first

    data = read_scenario_data(DEFAULT)
    ours, theirs = read_back.validate_python(data), Scenario.model_validate(data)
    assert type(ours) is Scenario and ours == theirs
    assert ours.model_dump(mode="json") == theirs.model_dump(mode="json")
    for section, field, value in _BAD_FIELDS:
        bad = copy.deepcopy(data)
        bad[section][field] = value
        with pytest.raises(ValidationError) as ours_err:
            read_back.validate_python(bad)
        with pytest.raises(ValidationError) as theirs_err:
            Scenario.model_validate(bad)
        assert one_line(ours_err.value, bad, "s") == one_line(theirs_err.value, bad, "s")
        assert ours_err.value.errors(include_context=False) == theirs_err.value.errors(include_context=False)


def test_a_stale_or_broken_kept_schema_is_rebuilt(tmp_path, monkeypatch):
    from sim.config import schema_cache

    monkeypatch.setattr(schema_cache, "FOLDER", tmp_path)
    monkeypatch.setattr(schema_cache, "_validator", None)
    monkeypatch.setattr(schema_cache.sys, "dont_write_bytecode", False)
    (tmp_path / "scenario-schema.0123.pickle").write_bytes(b"old")  # another key: dropped
    (tmp_path / f"scenario-schema.{schema_cache.key()}.pickle").write_bytes(b"not a pickle")
    v = schema_cache.scenario_validator()
    assert v.validate_python(read_scenario_data(DEFAULT)).run.days > 0
    assert [p.name for p in tmp_path.iterdir()] == [f"scenario-schema.{schema_cache.key()}.pickle"]


def test_no_section_is_built_at_import_and_defaults_are_tables():
    """Importing the schema builds no model (defer_build; defaults as tables, not instances)."""
    code = ("import sys, pydantic, sim.config.io\n"
            "built = sorted({f'{c.__module__}.{c.__qualname__}' for m in list(sys.modules.values()) if m\n"
            "  for c in vars(m).values() if isinstance(c, type) and issubclass(c, pydantic.BaseModel)\n"
            "  and c is not pydantic.BaseModel and c.__dict__.get('__pydantic_complete__')})\n"
            "print(built, 'pydantic.plugin._loader' in sys.modules)")
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert r.stdout.strip() == "[] False", r.stdout + r.stderr[-500:]


def test_a_file_with_a_byte_order_mark_loads_as_the_same_scenario(tmp_path):
    """Windows Notepad saves UTF-8 with a BOM: still UTF-8 text, the same scenario."""
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + DEFAULT.read_bytes())
    assert read_scenario_data(bom) == read_scenario_data(DEFAULT)


@pytest.mark.parametrize(("text", "words"), [
    ("", "the file is empty"),
    ("# only a note\n\n", "the file is empty"),
    ('[meta]\nname = "a"\nlanguage = "zh"\nname = "b"\n', "meta.name: given twice (the second time at line 4)"),
    ("[run]\ndays = 3\n[run]\nseed = 2\n", "[run]: table declared twice (the second time at line 3)"),
    ("days = 3\ndays = 4\n", "days: given twice (the second time at line 2)"),
])
def test_an_empty_file_or_a_key_given_twice_is_named_in_one_line(tmp_path, text, words):
    path = _write(tmp_path / "s.toml", text)
    with pytest.raises(ScenarioError) as err:
        read_scenario_data(path)
    assert str(err.value).startswith(f"{path}: ") and words in str(err.value)
    assert "\n" not in str(err.value)

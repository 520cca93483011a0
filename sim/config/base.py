"""The leaf every scenario section builds on: the strict base model, the shift, the error.

Nothing here imports another part of the simulation, so sections, policies and the service
hall can all build on it without an import cycle.
"""

from collections.abc import Callable
from functools import partial
from types import UnionType
from typing import Annotated, Any, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim import limits


class ScenarioError(Exception):
    """A scenario that cannot be run; the message is one line naming file and field."""


def _no_coercion(annotation: Any, value: Any, where: str) -> None:
    """Refuse text or a boolean where a number is expected, and a non-boolean for a switch.

    Pydantic's lax mode would read "110" as 110 and true as 1, hiding a typo in the file.
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        _no_coercion(get_args(annotation)[0], value, where)
    elif origin in (Union, UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if value is None:
            return
        if len(args) == 1:
            _no_coercion(args[0], value, where)
        elif all(a in (int, float) for a in args):
            _no_coercion(float, value, where)
    elif annotation is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: must be true or false, not {value!r}")
    elif annotation in (int, float):
        if isinstance(value, (bool, str)):
            raise ValueError(f"{where}: must be a number, not {value!r}")
    elif origin is dict and isinstance(value, dict):
        for k, v in value.items():
            _no_coercion(get_args(annotation)[1], v, f"{where}.{k}")
    elif origin in (list, tuple) and isinstance(value, (list, tuple)):
        parts = get_args(annotation)
        for i, v in enumerate(value):
            item = parts[0] if origin is list or parts[-1] is Ellipsis else parts[min(i, len(parts) - 1)]
            _no_coercion(item, v, f"{where}[{i}]")


class NoCoercion(BaseModel):
    """A model whose numbers and switches are taken only as written (no "110", no true as 1).

    The error text starts with the field's own path (``.area_km2: …``), which the one-line
    error formatter appends to the model's path.
    """

    model_config = ConfigDict(defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _as_written(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, field in cls.model_fields.items():
                if name in data:
                    _no_coercion(field.annotation, data[name], f".{name}")
        return data


# Field types shared by the sections: relative weights, street densities, coordinates.
Weight = Annotated[float, Field(ge=0, le=limits.MAX_WEIGHT)]
StreetDensity = Annotated[float, Field(gt=0, le=limits.MAX_STREET_KM_PER_KM2)]
Coord = Annotated[float, Field(ge=-limits.MAX_COORD_KM, le=limits.MAX_COORD_KM)]


def table[M: BaseModel](model: type[M], **values: Any) -> Callable[[], M]:
    """Give a section's default as the table a scenario file would hold, validated with the file.

    Sections are built lazily (``defer_build``), so a refused file need not build them: a
    default made by calling ``model`` would build its validator at import; a table is turned
    into ``model`` by the scenario's own validator (``validate_default``) and pickles with
    the kept schema (``sim.config.schema_cache``).
    """
    del model  # for the type only
    return partial(dict, **values)  # type: ignore[return-value]  # validate_default makes it a model


class Strict(NoCoercion):
    """A section of a scenario: unknown fields, NaN, inf, text for numbers refused; frozen once loaded.

    Every number has an upper bound from ``sim.limits`` (each with its reason there).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True,
                              defer_build=True)


class NamedItem(Strict):
    """An item of a scenario's named list (an incident category, a hall case type) and its display names.

    ``name`` is the code the records and measures keep; ``label_zh`` and ``label_en`` are what
    reports, terminal tables and the dashboard show in Chinese and English
    (``sim.labels.category``), the code in words when the scenario gives none.
    """

    name: str
    label_zh: str = ""
    label_en: str = ""


class Shift(Strict):
    """Daily on-duty window in hours; end > 24 wraps past midnight, [0, 24] is round the clock."""

    start_h: float = Field(default=8, ge=0, lt=24)
    end_h: float = Field(default=17.5, gt=0, le=48)

    @model_validator(mode="after")
    def _length(self) -> Self:
        if not 0 < self.end_h - self.start_h <= 24:
            raise ValueError("end_h must be after start_h and at most 24 h later")
        return self

"""The scenario's validator, kept between runs, so a refused file does not wait for 44 models.

Most of the start-up of a refused scenario was pydantic turning the sections' classes into
its core schema; pydantic-core builds a validator from that schema in about a millisecond.
So the schema is kept, pickled, in ``sim/config/__pycache__`` like bytecode (and, like
bytecode, not written when ``PYTHONDONTWRITEBYTECODE`` is set), under a key made of the
size and time of every source file of ``sim`` and the versions of Python, pydantic and
pydantic-core: any change to either makes a new one. The sections are declared with
``defer_build`` and their defaults as tables (``sim.config.base.table``), so importing them
builds nothing; pydantic builds its own validators and serializers when a loaded scenario is
used (a run), never for a refusal. The validator is pydantic's own schema, so a scenario
validates, and is refused, exactly as ``Scenario.model_validate`` would (tests check it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic_core import SchemaValidator

SIM = Path(__file__).resolve().parents[1]
FOLDER = SIM / "config" / "__pycache__"
_validator: SchemaValidator | None = None


def key() -> str:
    """Hash the size and time of every source file of ``sim`` and the versions the schema rests on."""
    import pydantic
    import pydantic_core

    parts = [sys.version, pydantic.VERSION, pydantic_core.__version__]
    for folder, dirs, files in os.walk(SIM):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


def _without_metadata(node: Any) -> Any:
    """Drop pydantic's ``metadata`` entries: JSON-schema hooks, not picklable, unused by validation."""
    if isinstance(node, dict):
        return {k: _without_metadata(v) for k, v in node.items() if k != "metadata"}
    if isinstance(node, list):
        return [_without_metadata(v) for v in node]
    return node


def built_schema() -> Any:
    """Build the whole scenario's core schema the slow way (pydantic), ready to pickle."""
    from sim.config.scenario import Scenario

    Scenario.model_rebuild()
    return _without_metadata(Scenario.__pydantic_core_schema__)


def scenario_validator() -> SchemaValidator:
    """Give the validator of a whole scenario: from the kept schema, else built and kept."""
    global _validator
    if _validator is None:
        from pydantic_core import SchemaValidator

        path = FOLDER / f"scenario-schema.{key()}.pickle"
        schema = _read(path)
        if schema is None:
            schema = built_schema()
            if not sys.dont_write_bytecode:
                _keep(path, schema)
        _validator = SchemaValidator(schema)
    return _validator


def _read(path: Path) -> Any:
    """Read a kept schema; None when there is none or it cannot be read."""
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None


def _keep(path: Path, schema: Any) -> None:
    """Write the schema atomically next to the bytecode, dropping older ones; a read-only folder keeps none."""
    tmp = None
    try:
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob("scenario-schema.*.pickle"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(schema, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, AttributeError, TypeError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)

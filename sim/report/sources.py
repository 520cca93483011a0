"""The scenario files behind a result: kept beside the outputs, compared field by field.

``gridsim run`` and ``compare`` write ``scenario.json``: the path given, every file of its
``extends`` chain as text, and the resolved table. A report can then list the differences
between options and the ``# assumption`` values they rest on even when the files have moved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Comment, Table, Whitespace

from sim.config import read_scenario_data, read_toml
from sim.config.geo import resolve_paths

SNAPSHOT = "scenario.json"
# A comment that marks its value as an assumption says so in English or Chinese.
_ASSUMPTION = re.compile(r"\bassumption\b|假设", re.IGNORECASE)
# Its Chinese follows its English after " | " (``# assumption: office hours | 假设：办公时间``).
_CHINESE_PART = re.compile(r"\s+\|\s+(?=[^|]*[\u4e00-\u9fff][^|]*$)")
MISSING = object()


def chain(path: str | Path) -> list[Path]:
    """List the scenario file and the files it extends, base first."""
    files: list[Path] = []
    p: Path | None = Path(path).resolve()
    while p is not None and p not in files:
        files.append(p)
        parent = read_toml(p).get("extends")
        p = (p.parent / parent).resolve() if isinstance(parent, str) else None
    return files[::-1]


def snapshot(path: str | Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Collect what the report needs of a scenario: its path, its files' text, the resolved table."""
    from sim.config import apply_overrides

    data = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    return {
        "path": str(path),
        "files": [{"path": str(f), "text": f.read_text(encoding="utf-8")} for f in chain(path)],
        "overrides": overrides or {},
        # layer and road files absolute: the same file written relative or absolute is one value
        "resolved": json.loads(json.dumps(resolve_paths(data, Path.cwd()), default=str)),
    }


def write_snapshot(folder: Path, path: str | Path, overrides: dict[str, Any] | None = None) -> None:
    """Keep the scenario beside the results, so a report still reads it after the file changes."""
    (folder / SNAPSHOT).write_text(json.dumps(snapshot(path, overrides), ensure_ascii=False, indent=1) + "\n",
                                   encoding="utf-8")


def read_snapshot(folder: Path) -> dict[str, Any] | None:
    """Read the scenario kept beside the results (None when the folder has none)."""
    p = folder / SNAPSHOT
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def language(snap: dict[str, Any] | None) -> str:
    """Give the scenario's ``meta.language`` (Chinese unless it says otherwise)."""
    if snap is None:
        return "zh"
    return str(snap["resolved"].get("meta", {}).get("language", "zh"))


# --- field by field ------------------------------------------------------------------------
def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted path → value; tables recurse, lists of named tables are addressed by name/id."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    if isinstance(data, list) and data and all(isinstance(x, dict) and ("name" in x or "id" in x) for x in data):
        for x in data:
            key = x.get("name", x.get("id"))
            out.update(flatten({k: v for k, v in x.items() if k not in ("name", "id")}, f"{prefix}{key}."))
        return out
    out[prefix.rstrip(".")] = data
    return out


def _named(x: Any) -> bool:
    return isinstance(x, list) and bool(x) and all(isinstance(i, dict) and ("name" in i or "id" in i) for i in x)


def _as_table(x: Any) -> Any:
    return {i.get("name", i.get("id")): {k: v for k, v in i.items() if k not in ("name", "id")} for i in x} \
        if _named(x) else x


def differences(a: Any, b: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """Every field whose value differs between two resolved scenarios, as (path, A, B).

    A table present on one side only is one row (MISSING on the other side), not one per field.
    """
    a, b = _as_table(a), _as_table(b)
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[tuple[str, Any, Any]] = []
        for k in list(a) + [k for k in b if k not in a]:
            path = f"{prefix}{k}"
            if path == "meta":
                continue
            out += differences(a.get(k, MISSING), b.get(k, MISSING), path + ".") if k in a and k in b \
                else [(path, a.get(k, MISSING), b.get(k, MISSING))]
        return out
    return [] if a == b else [(prefix.rstrip("."), a, b)]


# --- the `# assumption` comments -------------------------------------------------------------
@dataclass(frozen=True)
class Assumption:
    """A value a scenario file marks with a comment (``# assumption …``), for the report's list of assumptions.

    The comment gives its note once, in English and, after `` | ``, in Chinese
    (``# assumption: office hours | 假设：办公时间``); a report shows the note in its language.
    """

    path: str  # dotted path of the value the comment is on
    value: str  # the value as written in the file
    note: str  # the comment, without '#'
    file: str  # file name

    def text(self, lang: str) -> str:
        """Give the note in ``lang``: its Chinese or English part; a note in one language only as written.

        A Chinese report shows an English-only note (a user's file) with its leading "assumption" as 假设.
        """
        parts = _CHINESE_PART.split(self.note, maxsplit=1)
        en, zh = (parts[0], parts[1]) if len(parts) == 2 else (self.note, "")
        if lang != "zh":
            return en
        return zh or _LEADING_WORD.sub(
            lambda m: "假设：" if ":" in m.group(0) else "假设" + m.group(0)[len("assumption"):][:1], en, count=1)


_LEADING_WORD = re.compile(r"^assumption\b\s*:?\s*", re.IGNORECASE)

def _walk(body: list[tuple[Any, Any]], prefix: str, file: str, out: dict[str, Assumption]) -> None:
    pending: str | None = None  # a whole-line "# assumption" comment just above a key
    for key, item in body:
        if isinstance(item, Comment):  # a whole line above a key: a note only when it starts with the mark
            text = item.as_string().strip().lstrip("#").strip()  # (not a header paragraph ending "… an assumption.")
            pending = text if _ASSUMPTION.match(text) else None
            continue
        if isinstance(item, Whitespace) or key is None:
            if isinstance(item, Whitespace) and "\n\n" in item.as_string():
                pending = None
            continue
        path = f"{prefix}{key.key}"
        if isinstance(item, AoT):
            for t in item.body:
                name = t.get("name", t.get("id"))
                _walk(t.value.body, f"{path}.{name}." if name is not None else f"{path}.", file, out)
            pending = None
            continue
        if isinstance(item, Table):
            _walk(item.value.body, f"{path}.", file, out)
            pending = None
            continue
        comment = item.trivia.comment.lstrip("#").strip()
        note = comment if _ASSUMPTION.search(comment) else pending
        if note is not None:
            out[path] = Assumption(path, item.as_string().strip(), note, file)
        else:
            out.pop(path, None)  # a later file restated the value without calling it an assumption
            for k in [k for k in out if k.startswith(path + ".")]:
                del out[k]
        pending = None


def assumptions(files: list[dict[str, str]]) -> dict[str, Assumption]:
    """Every value commented ``# assumption`` in a scenario's files; a child overrides its base."""
    out: dict[str, Assumption] = {}
    for f in files:
        _walk(tomlkit.parse(f["text"]).body, "", Path(f["path"]).name, out)
    return out


def touching(found: dict[str, Assumption], paths: list[str]) -> list[Assumption]:
    """Select the assumptions on the given fields, on tables holding them, or on fields inside them."""
    def near(a: str, p: str) -> bool:
        return a == p or p.startswith(a + ".") or a.startswith(p + ".")

    return [a for a in found.values() if any(near(a.path, p) for p in paths)]

"""Output folders that are never half-written and never mix the files of two runs.

A command writes into a hidden ``.partial-<pid>-*`` folder inside its output folder and
holds an exclusive lock on it while it works. Only when everything is written are the
files moved into place, after the files of the results that were there before (listed in
the folder's manifest) have been removed. A partial folder whose lock is free belongs to a
process that is gone (even ``kill -9``), so the next command into the folder removes it;
one whose lock is held belongs to a command still running, and the new one is refused.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST = ".gridsim-outputs.json"
PARTIAL_PREFIX = ".partial-"


class OutputError(Exception):
    """An output folder that cannot be written; the message is one line naming the folder."""


@dataclass
class Staged:
    """The temporary folder to write into; after the block, what was replaced in the target."""

    path: Path
    replaced: list[str] = field(default_factory=list)


def _locked_elsewhere(folder: Path) -> bool:
    """Tell whether another process holds the lock of a partial folder (then it is not stale)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


def remove_stale_partials(out: Path) -> None:
    """Remove the partial folders of commands that are gone; refuse if one is still writing."""
    for p in sorted(out.glob(PARTIAL_PREFIX + "*")):
        if not p.is_dir():
            continue
        if _locked_elsewhere(p):
            pid = p.name.removeprefix(PARTIAL_PREFIX).split("-", 1)[0]
            raise OutputError(f"--out {out}: another gridsim command (pid {pid}) is writing into this folder")
        shutil.rmtree(p, ignore_errors=True)


def _manifest(out: Path) -> dict[str, object]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("files"), list) else {}


def _store_manifest(out: Path, data: dict[str, object]) -> None:
    """Replace the folder's manifest whole (a kill leaves the old one or the new one)."""
    tmp = out / f"{MANIFEST}.tmp-{os.getpid()}"
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, out / MANIFEST)


def _write_manifest(out: Path, files: list[str], command: str) -> None:
    _store_manifest(out, {"command": command, "written": time.strftime("%Y-%m-%d %H:%M:%S"), "files": sorted(files)})


def record_derived(path: Path, results: Path) -> None:
    """List a report or maps folder written inside a results folder in that folder's manifest.

    They are made from those results: the next command into the folder replaces them with
    the results (and says so), instead of refusing them as files gridsim did not write or
    leaving a report of the old run beside the new one. Elsewhere, or beside files gridsim
    did not write (no manifest), nothing is recorded.
    """
    if path.parent.resolve() != results.resolve():
        return
    data = _manifest(results)
    listed = data.get("files")
    if not isinstance(listed, list) or path.name in listed:
        return
    data["files"] = sorted([*map(str, listed), path.name])
    _store_manifest(results, data)


def prepare(out: Path, force: bool = False) -> list[str]:
    """Check and create the output folder; return the files of earlier results it holds.

    Refuses (OutputError) a path that is a file or cannot be created, a folder another
    command is writing into, and, without ``force``, a folder holding files gridsim did not
    write there.
    """
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot create the folder ({exc.strerror or exc})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"--out {out}: the folder is not writable")
    remove_stale_partials(out)
    listed = _manifest(out).get("files", [])
    ours = {str(f) for f in listed} if isinstance(listed, list) else set()
    present = {p.name for p in out.iterdir() if p.name != MANIFEST and not p.name.startswith(PARTIAL_PREFIX)}
    foreign = sorted(present - ours)
    if foreign and not force:
        shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
        raise OutputError(f"--out {out}: holds files gridsim did not write there ({shown}); "
                          "choose an empty or new folder, or add --force to write there anyway")
    return sorted(ours & present)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def missing_folders(path: Path) -> list[Path]:
    """Give ``path`` and those of its parents that do not exist yet, deepest first (what a mkdir -p makes)."""
    return [p for p in (path, *path.parents) if not p.exists()]


def remove_if_empty(created: list[Path]) -> None:
    """Remove the folders a command created (deepest first) as long as they are empty, so a stop leaves none."""
    for p in created:
        try:
            p.rmdir()
        except OSError:  # not empty (another command wrote there meanwhile) or gone: leave the rest
            return


@contextmanager
def staged_output(out: Path, command: str = "gridsim", force: bool = False) -> Iterator[Staged]:
    """Yield a locked temporary folder inside ``out``; on success its files replace ``out``'s.

    On any exception (Ctrl-C and SIGTERM included, see sim.cli) the temporary folder is
    removed and the exception gets a note saying that ``out`` was left as it was.
    """
    created = missing_folders(out)
    try:
        old = prepare(out, force)
        tmp = Path(tempfile.mkdtemp(prefix=f"{PARTIAL_PREFIX}{os.getpid()}-", dir=out))
    except OSError as exc:
        remove_if_empty(created)
        raise OutputError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    except BaseException:
        remove_if_empty(created)
        raise
    lock = os.open(tmp, os.O_RDONLY)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    staged = Staged(tmp)
    try:
        try:
            yield staged
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            remove_if_empty(created)  # nothing written: no new empty folders either
            exc.add_note(f"nothing was written to {out}/" + (" (its earlier results are kept)" if old else ""))
            raise
        new = sorted(p.name for p in tmp.iterdir())
        # The manifest first names old and new files, so a kill while swapping leaves a
        # folder the next run still recognises as its own.
        _write_manifest(out, sorted(set(old) | set(new)), command)
        for name in old:
            if name not in new:
                _remove(out / name)
        for name in new:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(tmp / name, target)
        _write_manifest(out, new, command)
        tmp.rmdir()
        staged.replaced = old
    finally:
        os.close(lock)

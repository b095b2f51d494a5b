"""The loaded library, kept on disk between runs as Python keeps bytecode in __pycache__: reading and checking the
library's YAML files is most of what `threatlib validate` does, and they seldom change.

An entry is used only when its key matches: a digest of the contents of every library file read (a user library's
as well as the built-in one's), of the folders as given, and of the code and versions that read and hold them. A
missing, stale, damaged or unreadable entry is passed over, and a cache folder that cannot be written is not
written: the library is then read from its files, with the same result and without a word. Only a library that
loaded without problems is kept, so a problem is always found in the files, at its exact position. An entry is
written to a temporary file and renamed into place; a temporary left by a run killed in between is removed by a
later store once it is ten minutes old.

The cache is the user's own folder ($XDG_CACHE_HOME/threatlib, else ~/.cache/threatlib), made readable by the
user alone, and is used only while the user owns it and no one else may write to it. An entry is read back by an
unpickler that makes only threatlib's plain data (pydantic models, enums, dataclasses), dates and paths, so an
entry that is not ours can mislead at worst, never run code.

The same folder keeps the pictures dot drew (threatlib.render.dot), as plain bytes through read_entry,
write_entries, used and trim.

THREATLIB_CACHE_DIR names another folder for it; THREATLIB_NO_CACHE=1 turns it off.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import os
import pickle
import re
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

from pydantic import BaseModel

from threatlib.documents.yaml_source import read_regular_file
from threatlib.errors import EnvironmentProblem, InputError

CACHE_DIR_VARIABLE = "THREATLIB_CACHE_DIR"
NO_CACHE_VARIABLE = "THREATLIB_NO_CACHE"
_FORMAT = b"threatlib cache 1\n"  # changed if the layout of an entry ever changes
_MAX_BYTES = 256 * 1024 * 1024
STALE_TEMPORARY = 600  # seconds: a store takes milliseconds, so a temporary this old was left by a killed run
_TEMPORARY = re.compile(r"\.[A-Za-z0-9_-]+\.[A-Za-z0-9_]{8}")  # mkstemp's names in write_entries(): .ENTRY.XXXXXXXX
_PACKAGE = Path(__file__).resolve().parent.parent


def cache_folder() -> Path | None:
    """Where entries are kept, or None when the cache is turned off."""
    if os.environ.get(NO_CACHE_VARIABLE):
        return None
    named = os.environ.get(CACHE_DIR_VARIABLE)
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG rule: a relative value is ignored
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home folder to be found
            return None
    return Path(base) / "threatlib"


class Key:
    """A digest built from length-prefixed parts, so no two different sequences of parts give one key."""

    def __init__(self) -> None:
        self._digest = hashlib.blake2b(digest_size=32)
        for part in (_FORMAT, sys.version, _pydantic_version(), *_code()):
            self.add(part)

    def add(self, part: bytes | str) -> None:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        self._digest.update(len(data).to_bytes(8, "big"))
        self._digest.update(data)

    def digest(self) -> bytes:
        return self._digest.digest()


def _pydantic_version() -> str:
    from pydantic.version import VERSION

    return VERSION


def _code() -> list[str]:
    """threatlib's version and the size and modification time of each of its modules, as Python's bytecode cache
    tells an edited module: a change to the code that reads the library, or to the classes an entry holds, is a
    new key."""
    from threatlib import __version__

    parts = [__version__]
    for folder, subfolders, files in os.walk(_PACKAGE):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                status = os.stat(path)
                parts.append(f"{os.path.relpath(path, _PACKAGE)} {status.st_size} {status.st_mtime_ns}")
    return parts


def fetch(name: str, key: bytes, kind: type) -> object | None:
    """The entry `name` if it holds a `kind` stored under `key`; None otherwise, whatever is wrong with it."""
    data = read_entry(name, _FORMAT + key)
    if data is None:
        return None
    try:
        value = _PlainData(io.BytesIO(data)).load()
    except Exception:  # a damaged entry can fail in any of pickle's ways; it is passed over as stale
        return None
    return value if isinstance(value, kind) else None


def store(name: str, key: bytes, value: object) -> None:
    """Keep `value` as the entry `name` under `key`, replacing the old entry at once; nothing if that fails."""
    write_entries([(name, _FORMAT + key + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))])


def read_entry(name: str, head: bytes) -> bytes | None:
    """What follows `head` in the entry `name`; None if it is missing, unreadable, too large or begins otherwise."""
    folder = _private(cache_folder(), create=False)
    if folder is None:
        return None
    try:
        data = read_regular_file(folder / name, name, limit=_MAX_BYTES)
    except (EnvironmentProblem, InputError):  # missing, unreadable, not a regular file, too large
        return None
    return data[len(head):] if data.startswith(head) else None


def write_entries(entries: Iterable[tuple[str, bytes]], *, sweep: bool = True) -> None:
    """Keep each (name, bytes) as an entry, each replacing its old one at once; nothing where that fails (a full
    disk, a read-only home: the next run does the work again). `sweep`: first remove what killed runs left (it
    reads the whole folder; a writer of many small entries leaves it to trim())."""
    folder = None
    for name, data in entries:
        if folder is None:  # made only when there is an entry to write
            folder = _private(cache_folder(), create=True)
            if folder is None:
                return
            if sweep:
                _sweep(folder)
        try:
            handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)  # readable by the user alone
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                os.replace(temporary, folder / name)  # a reader sees the old entry or the new one, never half of one
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return


def used(name: str) -> None:
    """Mark the entry `name` as just used, so trim() keeps it over older ones."""
    folder = _private(cache_folder(), create=False)
    if folder is not None:
        with contextlib.suppress(OSError):
            os.utime(folder / name)


def trim(prefix: str, keep_bytes: int, every: float) -> None:
    """Remove the entries whose names begin with `prefix`, least recently used first, until they take at most
    `keep_bytes` in all, and what killed runs left (see _sweep); at most once in `every` seconds (a marker file
    keeps the time), since it reads the whole folder."""
    folder = _private(cache_folder(), create=False)
    if folder is None:
        return
    marker = folder / f".{prefix}trimmed"
    try:
        if time.time() - marker.stat().st_mtime < every:
            return
    except OSError:  # never trimmed
        pass
    with contextlib.suppress(OSError):
        marker.touch()
    found = [(status.st_mtime_ns, name, status.st_size) for name, status in _sweep(folder) if name.startswith(prefix)]
    total = sum(size for _, _, size in found)
    for _, name, size in sorted(found):
        if total <= keep_bytes:
            break
        with contextlib.suppress(OSError):  # another run may have removed it first
            os.unlink(folder / name)
        total -= size


def _sweep(folder: Path) -> list[tuple[str, os.stat_result]]:
    """Remove what a writer killed between making its temporary file and renaming it left behind. A temporary
    younger than STALE_TEMPORARY may be another run's, still being written, and is left alone. Returns the other
    regular files, by name, with their status: one read of the folder serves trim() too."""
    now, others = time.time(), []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                with contextlib.suppress(OSError):  # gone already, or not ours to remove
                    status = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(status.st_mode):
                        continue
                    if not _TEMPORARY.fullmatch(entry.name):
                        others.append((entry.name, status))
                    elif now - status.st_mtime > STALE_TEMPORARY:
                        os.unlink(entry.path)
    except OSError:
        pass
    return others


def _private(folder: Path | None, *, create: bool) -> Path | None:
    """The folder if only its owner, this user, can write to it; created so (mode 0700) when asked."""
    if folder is None:
        return None
    try:
        if create:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except OSError:
        return None
    ours = not hasattr(os, "geteuid") or status.st_uid == os.geteuid()
    return folder if stat.S_ISDIR(status.st_mode) and ours and not status.st_mode & 0o022 else None


_ALLOWED = {("datetime", "date"): dt.date, (type(Path()).__module__, type(Path()).__name__): type(Path())}
# The modules whose classes a library holds (a test fails if it comes to hold another's: nothing would be read back).
_DATA_MODULES = frozenset({"threatlib.library", "threatlib.library.schema", "threatlib.documents.common",
                           "threatlib.vocabulary"})


class _PlainData(pickle.Unpickler):
    """Makes only what a library holds: the pydantic models, enums and dataclasses of the library's data modules
    (already imported; nothing is imported for an entry), dates and paths. Anything else refuses the entry."""

    def find_class(self, module: str, name: str) -> type:
        found = _ALLOWED.get((module, name))
        if found is None and module in _DATA_MODULES:
            found = getattr(sys.modules.get(module), name, None)
            if not (isinstance(found, type) and found.__module__ == module
                    and (issubclass(found, (BaseModel, Enum)) or dataclasses.is_dataclass(found))):
                found = None
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return found

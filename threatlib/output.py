"""Write outputs so that, at every instant, a reader finds either the old complete set or the new one.

A model's files are written into a staging folder beside the target, flushed to disk, then swapped with the
target in one step (Linux's renameat2 with RENAME_EXCHANGE; where that is missing, two renames). Runs on one
output folder hold a lock on it (flock on the folder itself, released by the system if the process dies), so
they swap in one after the other, last writer wins. A run writes its staging folder file by file as each output
is made, holding a lock on that folder; whoever holds the output folder's lock knows that any retired folder, and
any staging folder nobody holds, was left by a run that was killed, so it restores or removes it first. A single file
(`export -o`) is written to a temporary file beside it and renamed over it: a full disk never costs the old file.

Every refusal of the system becomes an EnvironmentProblem naming the path.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from threatlib.errors import EnvironmentProblem

NEW, OLD = ".threatlib-new-", ".threatlib-old-"
# Ours: .<name>.threatlib-new-XXXX and .<name>.threatlib-old-XXXX; and those of earlier versions, .<name>.XXXXXXXX
# (staging) and .<name>.old.XXXXXXXX/<name> (retired), where <name> is a model id.
_LEFTOVER = re.compile(r"^\.(?P<name>[a-z0-9][a-z0-9-]{0,63})\."
                       r"(?:threatlib-(?P<kind>new|old)-[a-z0-9_]+|(?P<legacy_old>old\.)?[a-z0-9_]{8})$")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def write_outputs(files: dict[str, bytes], out_dir: Path, name: str) -> Path:
    with staged(out_dir, name) as staging:
        for file_name, content in sorted(files.items()):
            staging.write(file_name, content)
    return out_dir / name


class Staging:
    """A model's new output set, written file by file into a hidden folder beside the target as each is made, so
    no output need wait in memory for the others. Forked renderers write into it too."""

    def __init__(self, folder: Path, target: Path):
        self.folder = folder
        self.target = target

    def write(self, file_name: str, content: bytes) -> None:
        if Path(file_name).name != file_name or file_name in {".", ".."}:
            raise ValueError(f"unsafe output file name {file_name!r}")
        with _refused(self.target, "write"):
            _write_durably(self.folder / file_name, content)


@contextmanager
def staged(out_dir: Path, name: str) -> Iterator[Staging]:
    """Yield a Staging for OUT_DIR/NAME; when the block ends normally its set replaces the old one in one step,
    and when it raises nothing of it stays. The staging folder is locked while it is written (flock, released by
    the system if the process dies), so another run cleaning up leftovers leaves a live one alone."""
    if not name or "/" in name or "\\" in name or name in {".", ".."}:
        raise ValueError(f"unsafe output folder name {name!r}")
    target = out_dir / name
    with _refused(out_dir, "write"):
        out_dir.mkdir(parents=True, exist_ok=True)
    with locked(out_dir):
        clean_leftovers(out_dir)
        with _refused(out_dir, "write"):
            staging = Path(tempfile.mkdtemp(prefix=f".{name}{NEW}", dir=out_dir))
            live = os.open(staging, os.O_RDONLY)
        fcntl.flock(live, fcntl.LOCK_EX)  # a new folder: nobody else holds it
    try:
        yield Staging(staging, target)
        with _refused(target, "write"):
            os.chmod(staging, 0o755)
            _fsync_folder(staging)
        with locked(out_dir):
            with _refused(target, "replace"):
                _swap_into_place(staging, target, name)
            _fsync_folder(out_dir)
    finally:
        os.close(live)
        shutil.rmtree(staging, ignore_errors=True)  # after a swap it holds the old set


def _swap_into_place(staging: Path, target: Path, name: str) -> None:
    if not target.exists() and not target.is_symlink():
        os.rename(staging, target)
        staging.mkdir()  # so the caller's cleanup has the folder it expects
        return
    if target.is_symlink() or not target.is_dir():
        raise OSError(errno.ENOTDIR, "not a folder", str(target))
    if _exchange(staging, target):
        return
    # No atomic exchange here: retire the old set under a name the next run recognises, then move the new one in.
    retired = staging.with_name(f".{name}{OLD}{staging.name.rsplit('-', 1)[-1]}")
    os.rename(target, retired)
    os.rename(staging, target)
    staging.mkdir()
    shutil.rmtree(retired, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (not Linux, an old kernel, a file system without it)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def clean_leftovers(out_dir: Path) -> list[str]:
    """Remove what killed runs left in `out_dir`; a retired set whose target is missing is put back. Call with the lock held."""
    handled = []
    try:
        entries = sorted(os.listdir(out_dir))
    except FileNotFoundError:
        return handled
    for entry in entries:
        match = _LEFTOVER.match(entry)
        path = out_dir / entry
        if not match or path.is_symlink() or not path.is_dir():
            continue
        if match["kind"] == "new" and _in_use(path):
            continue  # another run is writing it now
        target = out_dir / match["name"]
        retired = path / match["name"] if match["legacy_old"] else path if match["kind"] == "old" else None
        with _refused(path, "clean up"):
            if retired is not None and retired.is_dir() and not target.exists():
                os.rename(retired, target)
            shutil.rmtree(path, ignore_errors=True)
        handled.append(entry)
    return handled


def _in_use(folder: Path) -> bool:
    """Whether a live run holds the staging folder's lock."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder; a second run waits here until the first is done."""
    with _refused(out_dir, "lock"):
        fd = os.open(out_dir, os.O_RDONLY)
    try:
        with _refused(out_dir, "lock"):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_file(path: Path, content: bytes) -> None:
    """Replace `path` with `content` in one step: written beside it first, so a failure leaves the old file whole."""
    with _refused(path, "write"):
        if path.is_dir():
            raise OSError(errno.EISDIR, "is a folder", str(path))
        if path.exists() and not path.is_file():  # a pipe or a terminal (-o /dev/stdout): written straight through
            with open(path, "wb") as handle:
                handle.write(content)
            return
        shown_as, path = path, Path(os.path.realpath(path))  # through a symbolic link, replace the file it names
        parent = path.parent
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask()
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}{NEW}", dir=parent)
    try:
        with _refused(shown_as, "write"):
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_durably(path: Path, content: bytes) -> None:
    with open(path, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the files themselves are synced
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _refused(path: Path, action: str) -> Iterator[None]:
    try:
        yield
    except EnvironmentProblem:
        raise
    except OSError as exc:  # named by the path the user gave, not by our staging file inside it
        raise EnvironmentProblem.from_os_error(path, action, exc) from None

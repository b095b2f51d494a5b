"""The library cache changes how fast the library loads, never what it holds: an edited file is seen at once, and
a damaged, planted or unwritable cache gives the same library, the same messages and the same exit code."""

from __future__ import annotations

import errno
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTS

import threatlib.library
import threatlib.library.cache as cache_module
from threatlib.errors import InputError
from threatlib.library import LIBRARY_DIR, Library, load_library
from threatlib.library.cache import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE
from threatlib.library.conditions import compile_condition

USER = TESTS / "user_library"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    return folder


def uncached(root: Path = LIBRARY_DIR, user: tuple[Path, ...] = ()) -> Library:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(NO_CACHE_VARIABLE, "1")
        return load_library(root, user)


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if not p.name.startswith("."))


def read_from_files(monkeypatch) -> list[int]:
    """Counts each load that reads the library from its files rather than from the cache."""
    calls: list[int] = []
    load = threatlib.library._load

    def counted(*args):
        calls.append(1)
        return load(*args)

    monkeypatch.setattr(threatlib.library, "_load", counted)
    return calls


def test_a_second_load_comes_from_the_cache_and_is_the_same_library(cache, monkeypatch) -> None:
    reads = read_from_files(monkeypatch)
    first = load_library(user=(USER,))
    [entry] = entries(cache)
    assert (cache.stat().st_mode & 0o777, entry.stat().st_mode & 0o777) == (0o700, 0o600)
    second = load_library(user=(USER,))
    assert len(reads) == 1
    assert second == first == uncached(user=(USER,))
    assert [t.origin for t in second.threats if t.threat.id == "MK-01"] == [str(USER)]
    assert all(compile_condition(t.threat.condition, t.threat.id).co_filename == f"<condition of {t.threat.id}>"
               for t in second.threats)


def test_an_edited_library_file_is_seen(cache, tmp_path) -> None:
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    shutil.copytree(LIBRARY_DIR / "threats", root / "threats")
    before = load_library(root)
    path = root / "jurisdictions" / "CN.yaml"
    text = path.read_text()
    name = before.jurisdictions["CN"].name
    path.write_text(text.replace(f"name: {name}\n", "name: Edited\n", 1))
    assert load_library(root).jurisdictions["CN"].name == "Edited"
    path.write_text(text)
    assert load_library(root) == before
    # Keyed by the bytes, not the file's size and time: an edit that keeps both is seen too.
    status = path.stat()
    path.write_text(text.replace(f"name: {name}\n", f"name: {name[::-1]}\n", 1))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (status.st_size, status.st_mtime_ns)
    assert load_library(root).jurisdictions["CN"].name == name[::-1]


def test_an_edited_or_added_file_in_a_user_library_is_seen(cache, tmp_path) -> None:
    user = tmp_path / "ours"
    shutil.copytree(USER, user)
    assert load_library(user=(user,)).jurisdictions["XA"].name == "Examplia (fictional)"
    path = user / "jurisdictions" / "XA.yaml"
    path.write_text(path.read_text().replace("name: Examplia (fictional)", "name: Examplia (edited)"))
    assert load_library(user=(user,)).jurisdictions["XA"].name == "Examplia (edited)"
    added = user / "threats" / "marketplace" / "MK-02"
    added.mkdir()
    threat = (user / "threats" / "marketplace" / "MK-01" / "threat.yaml").read_text()
    (added / "threat.yaml").write_text(threat.replace("id: MK-01", "id: MK-02"))
    assert [t.threat.id for t in load_library(user=(user,)).threats if t.origin == str(user)] == ["MK-01", "MK-02"]
    shutil.rmtree(added)
    assert [t.threat.id for t in load_library(user=(user,)).threats if t.origin == str(user)] == ["MK-01"]


def test_a_library_with_problems_is_not_kept_and_its_problems_keep_their_positions(cache, tmp_path) -> None:
    user = tmp_path / "ours"
    shutil.copytree(USER, user)
    path = user / "jurisdictions" / "XA.yaml"
    text = path.read_text().replace("        scope: general\n", "        scope: everything\n", 1)
    path.write_text(text)
    before = text[: text.index("scope: everything")]
    line, column = before.count("\n") + 1, len(before) - before.rfind("\n") + len("scope: ")
    problems = []
    for _ in range(2):
        with pytest.raises(InputError) as caught:
            load_library(user=(user,))
        problems.append(caught.value.problems)
    assert problems[0] == problems[1]
    [problem] = problems[0]
    assert (problem.file, problem.line, problem.column) == (str(path), line, column)
    assert problem.message.startswith("laws[0].provisions[0].scope: input should be 'general'")
    assert not cache.exists() or not entries(cache)


@pytest.mark.parametrize("damage", [
    lambda data: b"",
    lambda data: data[: len(data) // 2],
    lambda data: data[:60] + b"\x00" * (len(data) - 60),
    lambda data: b"not a cache entry at all",
    lambda data: data[:-1] + bytes([data[-1] ^ 0xFF]),
])
def test_a_damaged_entry_gives_the_same_library_and_is_replaced(cache, monkeypatch, damage) -> None:
    expected = load_library(user=(USER,))
    [entry] = entries(cache)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    reads = read_from_files(monkeypatch)
    assert load_library(user=(USER,)) == expected
    assert len(reads) == 1
    assert entry.read_bytes() == good


class _Planted:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def test_a_planted_entry_runs_no_code(cache, tmp_path) -> None:
    expected = load_library()
    [entry] = entries(cache)
    data = entry.read_bytes()
    payload = pickle.dumps(expected, protocol=pickle.HIGHEST_PROTOCOL)
    assert data.endswith(payload)
    marker = tmp_path / "planted"
    entry.write_bytes(data[: len(data) - len(payload)] + pickle.dumps(_Planted(marker)))
    assert load_library() == expected
    assert not marker.exists()


def test_a_cache_folder_that_cannot_be_made_or_is_not_private_is_not_used(tmp_path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(blocker / "cache"))
    assert load_library() == uncached()
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(shared))
    assert load_library() == uncached()
    assert list(shared.iterdir()) == []


def test_a_write_the_system_refuses_leaves_nothing_behind(cache, monkeypatch) -> None:
    def refused(*_args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refused)
    assert load_library() == uncached()
    assert list(cache.iterdir()) == []


KILLED_MID_STORE = """
import os, signal, sys
from threatlib.library import load_library
os.replace = lambda *_: os.kill(os.getpid(), signal.SIGKILL)  # killed after writing the entry, before renaming it
load_library()
"""


def test_a_run_killed_while_storing_leaves_a_temporary_that_a_later_store_removes(cache) -> None:
    env = {**os.environ, CACHE_DIR_VARIABLE: str(cache)}
    died = subprocess.run([sys.executable, "-c", KILLED_MID_STORE], env=env, capture_output=True)
    assert died.returncode == -9
    [left] = list(cache.iterdir())
    assert left.name.startswith(".library-") and entries(cache) == []
    # Another run's temporary, still being written, is younger than STALE_TEMPORARY: kept. The killed run's, aged
    # past it, is removed by the next store, which keeps its entry.
    os.utime(left, (left.stat().st_atime, left.stat().st_mtime - cache_module.STALE_TEMPORARY - 1))
    writing = cache / ".library-0123abcd.k2j4h6g8"
    writing.write_bytes(b"being written")
    assert load_library() == uncached()
    assert sorted(p.name for p in cache.iterdir()) == sorted([writing.name, *(e.name for e in entries(cache))])
    assert len(entries(cache)) == 1 and not left.exists()


def test_the_cache_can_be_turned_off(cache, monkeypatch) -> None:
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    reads = read_from_files(monkeypatch)
    load_library()
    load_library()
    assert (len(reads), cache.exists()) == (2, False)


def run(*args: str, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    done = subprocess.run([sys.executable, "-m", "threatlib.cli", *args], cwd=ROOT, capture_output=True, timeout=300,
                          env={k: v for k, v in {**os.environ, **env}.items() if v is not None})
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args", [
    ("validate", "models/tiktok.yaml", "tests/models/small.yaml"),
    ("validate", "--library", "tests/user_library", "tests/models/examplia.yaml"),
    ("validate", "tests/models/examplia.yaml"),
    ("export", "json", "--library", "tests/user_library", "tests/models/examplia.yaml"),
])
def test_commands_give_the_same_bytes_and_exit_code_with_and_without_the_cache(tmp_path, args) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    off = run(*args, env={NO_CACHE_VARIABLE: "1"})
    fresh = {CACHE_DIR_VARIABLE: str(tmp_path / "cache"), NO_CACHE_VARIABLE: None}
    assert run(*args, env=fresh) == off  # the cache written
    assert run(*args, env=fresh) == off  # and read
    assert run(*args, env={CACHE_DIR_VARIABLE: str(blocker / "cache"), NO_CACHE_VARIABLE: None}) == off  # unwritable
    for entry in entries(tmp_path / "cache"):
        entry.write_bytes(b"damaged")
    assert run(*args, env=fresh) == off

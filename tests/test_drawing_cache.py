"""What dot drew is kept in the user's cache and given again for the same picture, with the same bytes and warnings;
never for another dot, never from a damaged entry, and only up to its size, the least recently used going first."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import graphviz
import pytest

import threatlib.library.cache as cache_module
import threatlib.render.dot as dot
from threatlib.library.cache import CACHE_DIR_VARIABLE, NO_CACHE_VARIABLE

# An unknown shape: dot draws a box and warns, so the warning is part of what is kept.
WARNED = "digraph { a [shape=nosuchshape label=\"a\"] }"
PLAIN = "digraph { rankdir=LR; a -> b -> c }"
HEAD = len(dot._HEAD) + 64  # the entry's format line, its key and its digest


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(folder))
    monkeypatch.delenv(NO_CACHE_VARIABLE, raising=False)
    return folder


@pytest.fixture
def draws(monkeypatch) -> list[str]:
    """The DOT programs dot is started for."""
    started: list[str] = []
    real = dot._draw

    def counted(source, formats):
        started.append(source)
        return real(source, formats)

    monkeypatch.setattr(dot, "_draw", counted)
    return started


def kept(cache: Path) -> list[Path]:
    return sorted(p for p in cache.iterdir() if p.name.startswith("drawing-"))


def test_a_picture_drawn_again_comes_from_the_cache_with_the_same_bytes_and_warnings(cache, draws, capsys) -> None:
    pictures = [(WARNED, ("svg", "json")), (PLAIN, ("svg",))]
    first = dot.run_dot(pictures)
    warned = capsys.readouterr().err
    assert "nosuchshape" in warned and first[0]["svg"].startswith(b"<?xml") and set(first[0]) == {"svg", "json"}
    assert (draws, len(kept(cache))) == ([WARNED, PLAIN], 2)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept(cache))
    assert dot.run_dot(pictures) == first
    assert (draws, capsys.readouterr().err) == ([WARNED, PLAIN], warned)  # no dot started; its warning said again
    # Another format of the same program is another picture.
    assert dot.run_dot([(PLAIN, ("svg", "json"))])[0]["svg"] == first[1]["svg"]
    assert draws == [WARNED, PLAIN, PLAIN]


def _fake_dot(tmp_path: Path, patch, picture: str, then: str = "") -> None:
    """A `dot` first on the PATH that writes `picture` into every -o file it is given, whatever the graph, then
    runs the shell commands `then`."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    (folder / "dot").write_text(f"""#!/bin/sh
for arg in "$@"; do
  case "$arg" in -o*) printf '{picture}' > "${{arg#-o}}" ;; esac
done
cat > /dev/null
{then}
""")
    (folder / "dot").chmod(0o755)
    patch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_another_dot_is_not_given_what_the_first_drew(cache, draws, tmp_path, monkeypatch) -> None:
    [real] = dot.run_dot([(PLAIN, ("svg",))])
    with monkeypatch.context() as patch:
        _fake_dot(tmp_path, patch, "<svg>another dot</svg>")
        assert dot.run_dot([(PLAIN, ("svg",))]) == [{"svg": b"<svg>another dot</svg>"}]
    # The environment dot reads is part of the key as well.
    with monkeypatch.context() as patch:
        patch.setenv("GDFONTPATH", str(tmp_path))
        assert dot.run_dot([(PLAIN, ("svg",))]) == [real]
    assert len(draws) == 3
    assert dot.run_dot([(PLAIN, ("svg",))]) == [real] and len(draws) == 3  # the real dot's picture, kept


@pytest.mark.parametrize("damage", [
    lambda data: data[:-5],  # cut short
    lambda data: data[:HEAD] + bytes(len(data) - HEAD),  # its head whole, the rest zeroed
    lambda data: data[:HEAD + 8] + (10**9).to_bytes(8, "big") + data[HEAD + 16:],  # a length beyond its end
    lambda data: data[:HEAD + 60] + bytes([data[HEAD + 60] ^ 1]) + data[HEAD + 61:],  # one bit of the picture
    lambda data: b"not an entry",
])
def test_a_damaged_entry_is_drawn_again_and_replaced(cache, draws, damage) -> None:
    [first] = dot.run_dot([(WARNED, ("svg", "png"))])
    [entry] = kept(cache)
    whole = entry.read_bytes()
    entry.write_bytes(damage(whole))
    assert dot.run_dot([(WARNED, ("svg", "png"))]) == [first]
    assert (len(draws), entry.read_bytes()) == (2, whole)


def test_the_least_recently_used_pictures_go_first_when_the_cache_is_full(cache, draws, monkeypatch) -> None:
    programs = [f"digraph {{ {name} -> z }}" for name in ("a", "b", "c", "d")]
    dot.run_dot([(programs[0], ("svg",))])
    size = kept(cache)[0].stat().st_size
    monkeypatch.setattr(dot, "DRAWINGS_KEPT", 3 * size + size // 2)  # room for three of these
    monkeypatch.setattr(dot, "TRIM_EVERY", 0)  # trimmed on every store
    for i, program in enumerate(programs[1:3], 1):
        dot.run_dot([(program, ("svg",))])
        for entry in kept(cache):  # each entry older than the one drawn after it, whatever the clock's grain
            os.utime(entry, ns=(entry.stat().st_atime_ns, entry.stat().st_mtime_ns - 10**9 * (4 - i)))
    before = {p.name for p in kept(cache)}
    time.sleep(0.01)
    dot.run_dot([(programs[0], ("svg",))])  # used again: now the most recent
    dot.run_dot([(programs[3], ("svg",))])
    assert len(draws) == 4
    after = {p.name for p in kept(cache)}
    assert len(after) == 3 and len(before - after) == 1
    dot.run_dot([(programs[0], ("svg",)), (programs[2], ("svg",)), (programs[3], ("svg",))])
    assert len(draws) == 4  # the first, used again, was kept; the second, least recently used, went
    dot.run_dot([(programs[1], ("svg",))])
    assert draws[-1] == programs[1]


def test_the_cache_is_trimmed_at_most_once_in_trim_every_seconds(cache, draws, monkeypatch) -> None:
    dot.run_dot([("digraph { a }", ("svg",))])
    monkeypatch.setattr(dot, "DRAWINGS_KEPT", 0)  # nothing fits: each trim removes every picture
    dot.run_dot([("digraph { b }", ("svg",))])
    assert len(kept(cache)) == 2  # trimmed just before, by the first store: not looked at again
    marker = cache / ".drawing-trimmed"
    os.utime(marker, (marker.stat().st_atime, marker.stat().st_mtime - dot.TRIM_EVERY - 1))
    dot.run_dot([("digraph { c }", ("svg",))])
    assert kept(cache) == []


def test_a_temporary_left_by_a_killed_run_goes_when_the_pictures_are_trimmed(cache, draws, monkeypatch) -> None:
    dot.run_dot([("digraph { a }", ("svg",))])
    left, writing = cache / ".drawing-00ff.abcd_123", cache / ".drawing-00fe.k2j4h6g8"
    for temporary in (left, writing):
        temporary.write_bytes(b"half a picture")
    os.utime(left, (time.time(), time.time() - cache_module.STALE_TEMPORARY - 1))
    monkeypatch.setattr(dot, "TRIM_EVERY", 0)
    dot.run_dot([("digraph { b }", ("svg",))])
    assert (left.exists(), writing.exists(), len(kept(cache))) == (False, True, 2)


def test_with_the_cache_off_nothing_is_kept(cache, draws, monkeypatch) -> None:
    monkeypatch.setenv(NO_CACHE_VARIABLE, "1")
    assert dot.run_dot([(PLAIN, ("svg",))]) == dot.run_dot([(PLAIN, ("svg",))])
    assert (len(draws), cache.exists()) == (2, False)


def test_a_failed_drawing_is_raised_and_not_kept(cache, draws, tmp_path, monkeypatch) -> None:
    # A picture written, then a failure as dot's on a bad graph.
    _fake_dot(tmp_path, monkeypatch, "<svg>half</svg>", "echo 'Error: <stdin>: syntax error in line 1' >&2; exit 1")
    for _ in range(2):
        with pytest.raises(graphviz.CalledProcessError):
            dot.run_dot([(PLAIN, ("svg",))])
    assert len(draws) == 2 and (not cache.exists() or kept(cache) == [])


def test_a_drawing_with_messages_about_the_machine_is_not_kept(cache, draws, tmp_path, monkeypatch, capsys) -> None:
    # A picture written, a message about this machine's fonts, and success.
    _fake_dot(tmp_path, monkeypatch, "<svg>drawn</svg>", "echo 'Fontconfig error: No writable cache directories' >&2")
    assert dot.run_dot([(PLAIN, ("svg",))]) == dot.run_dot([(PLAIN, ("svg",))]) == [{"svg": b"<svg>drawn</svg>"}]
    assert len(draws) == 2 and capsys.readouterr().err.count("Fontconfig error") == 2
    assert not cache.exists() or kept(cache) == []


def test_dot_missing_is_an_error_though_its_pictures_are_kept(cache, draws, monkeypatch) -> None:
    dot.run_dot([(PLAIN, ("svg",))])
    [entry] = kept(cache)
    with monkeypatch.context() as patch:
        patch.setenv("PATH", "/nonexistent")
        with pytest.raises(graphviz.ExecutableNotFound):
            dot.run_dot([(PLAIN, ("svg",))])
    assert kept(cache) == [entry]
    dot.run_dot([(PLAIN, ("svg",))])
    assert len(draws) == 2  # dot found again: its picture, still kept


def test_graphviz_s_plugins_and_configuration_are_found_on_this_machine() -> None:
    files = dot._graphviz_files(Path(shutil.which("dot")).resolve())
    assert any(p.name.startswith("config") for p in files) and any("plugin" in p.name for p in files)


def test_a_picture_larger_than_largest_kept_is_drawn_every_time(cache, draws, monkeypatch) -> None:
    [picture] = dot.run_dot([(PLAIN, ("svg",))])
    monkeypatch.setattr(dot, "LARGEST_KEPT", len(picture["svg"]) - 1)
    for entry in kept(cache):
        entry.unlink()
    dot.run_dot([(PLAIN, ("svg",))])
    dot.run_dot([(PLAIN, ("svg",))])
    assert len(draws) == 3 and kept(cache) == []


@pytest.mark.parametrize("what", ["_graphviz_files", "_font_files"])
def test_a_changed_plugin_library_or_font_is_a_new_key(cache, draws, tmp_path, monkeypatch, what) -> None:
    marker = tmp_path / "changed"
    marker.write_text("one")
    real = getattr(dot, what)
    monkeypatch.setattr(dot, what, lambda *args: [*real(*args), marker])
    first = dot.run_dot([(PLAIN, ("svg",))])
    assert dot.run_dot([(PLAIN, ("svg",))]) == first and len(draws) == 1
    marker.write_text("two, longer")  # an upgraded plugin, an added font folder: another size and time
    assert dot.run_dot([(PLAIN, ("svg",))]) == first and len(draws) == 2


def test_a_cache_folder_others_may_write_to_is_neither_read_nor_written(cache, draws) -> None:
    dot.run_dot([(PLAIN, ("svg",))])
    cache.chmod(0o777)
    [entry] = kept(cache)
    entry.unlink()
    dot.run_dot([(PLAIN, ("svg",))])
    dot.run_dot([("digraph { x }", ("svg",))])
    assert len(draws) == 3 and kept(cache) == []


def test_a_report_drawn_again_from_the_cache_is_the_same_files(cache, draws, library, small_model_path) -> None:
    from threatlib import pipeline
    from threatlib.render.outputs import render_outputs

    analysis = pipeline.analyse_file(small_model_path, library)[1]
    first = render_outputs(analysis)
    started = len(draws)
    assert started > 0
    assert render_outputs(analysis) == first
    assert len(draws) == started  # every picture, the printed pages' and the brief's too, from the cache

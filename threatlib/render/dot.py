"""Running Graphviz's dot: one layout per picture, every format written from it, pictures side by side.

dot lays a graph out once and then writes each `-T<format> -o<file>` pair from that one layout, so a picture
costs one layout however many formats it is wanted in (the graphviz package's pipe() lays it out again for
each format). Pictures are independent, so a few dot processes run at once; results come back in the order
the pictures were given, whichever finishes first, so outputs stay deterministic.

dot writes each format into a pipe of its own (`-o/dev/fd/N`), read as it is written: no temporary folder.

What dot drew is kept in the user's cache (see threatlib.library.cache), so a model run again, or edited in a few
places, has only its changed pictures drawn: starting dot is most of the time of a small picture. An entry is keyed
by the DOT program, the formats and dot's arguments, and by what else dot draws with (see _dot_identity); it holds
each format's bytes and dot's warnings, which are written again when it is used, under a digest that a damaged
entry fails. A picture is kept only if dot's messages are all its own warnings about the picture (a message from
the fonts' or the libraries' setup says something about this machine now, not about the picture). About
DRAWINGS_KEPT bytes are kept: every TRIM_EVERY seconds at most, the least recently used are removed until the rest
fit. A run killed while it writes an entry leaves a temporary file in the cache, removed by a later trim.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graphviz

from threatlib.library import cache

WORKERS = min(4, os.cpu_count() or 1)
DRAWINGS_KEPT = 256 * 1024 * 1024
TRIM_EVERY = 600  # seconds between two looks at the size of every picture kept
LARGEST_KEPT = DRAWINGS_KEPT // 8  # a larger picture is drawn every time rather than push the others out
_ENTRY = "drawing-"
_HEAD = b"threatlib drawing 2\n"
_ARGUMENTS = ("-Kdot",)  # dot's arguments besides each format's -T and -o
# What dot reads besides its input: where its plugins, libraries and fonts are, the user's folders, the locale.
_DOT_ENVIRONMENT = ("GVBINDIR", "GVPLUGIN_PATH", "DOTFONTPATH", "GDFONTPATH", "FONTCONFIG_FILE", "FONTCONFIG_PATH",
                    "FONTCONFIG_SYSROOT", "LD_LIBRARY_PATH", "LD_PRELOAD", "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                    "XDG_DATA_DIRS", "LANG", "LC_ALL", "LC_CTYPE", "LC_NUMERIC")


def run_dot(pictures: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, bytes]]:
    """For each (DOT source, formats): the picture in each of those formats, by format."""
    dot = _dot_identity()
    keys = [_key(dot, source, formats) if dot is not None else None for source, formats in pictures]
    results: list[tuple[dict[str, bytes], bytes] | None] = [_kept(key, formats) if key else None
                                                           for key, (_, formats) in zip(keys, pictures, strict=True)]
    missing = [i for i, result in enumerate(results) if result is None]
    if missing:
        with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, len(missing)))) as pool:
            drawn = pool.map(_draw, [pictures[i][0] for i in missing], [pictures[i][1] for i in missing])
            for i, result in zip(missing, drawn, strict=True):
                results[i] = result
        if dot is not None:
            cache.write_entries(_new_entries([(keys[i], results[i]) for i in missing]), sweep=False)
            cache.trim(_ENTRY, DRAWINGS_KEPT, every=TRIM_EVERY)
    for _, warnings in results:
        if warnings:  # dot's own warnings, passed on as the graphviz package does
            sys.stderr.write(warnings.decode("utf-8", "replace"))
    return [files for files, _ in results]


def _new_entries(drawn: list[tuple[bytes, tuple[dict[str, bytes], bytes]]]) -> Iterator[tuple[str, bytes]]:
    """The cache entries of pictures just drawn that may be kept, each made as it is written (not all copied at
    once)."""
    for key, (files, warnings) in drawn:
        if _keepable(warnings) and sum(map(len, files.values())) <= LARGEST_KEPT:
            body = _entry(files, warnings)
            yield _ENTRY + key.hex(), _HEAD + key + _digest(body) + body


def _dot_identity() -> bytes | None:
    """What dot draws with besides its input, as the times and sizes of the files that hold it; None if there is no
    dot to run. Its executable, Graphviz's plugins and their configuration; the dynamic linker's cache, which a
    library installed or upgraded rewrites (Graphviz's own, and Pango, cairo, HarfBuzz, FreeType and fontconfig,
    which measure and draw the words); fontconfig's configuration and the font folders two levels down (a font package adds a
    folder, a font added to a folder changes it), not fontconfig's caches, which a run of dot itself may rewrite;
    the environment variables dot reads."""
    found = shutil.which("dot")
    if found is None:
        return None
    parts, executable = [], Path(found).resolve()
    for path in (executable, *_graphviz_files(executable), Path("/etc/ld.so.cache"), *_font_files()):
        try:
            status = path.stat()
        except OSError:
            continue
        parts.append(f"{path} {status.st_size} {status.st_mtime_ns} {status.st_ino}")
    parts += [f"{name}={os.environ.get(name)}" for name in _DOT_ENVIRONMENT]
    return "\0".join(parts).encode("utf-8", "surrogateescape")


def _graphviz_files(dot: Path) -> list[Path]:
    """Graphviz's plugin configuration and its plugins, where Debian, Fedora and most builds keep them (an upgrade
    changes them, and rewrites the configuration; its libraries are in the dynamic linker's cache)."""
    prefix, multiarch = dot.parent.parent, sysconfig.get_config_var("MULTIARCH") or ""
    folders = [prefix / "lib" / multiarch / "graphviz", prefix / "lib" / "graphviz", prefix / "lib64" / "graphviz"]
    configs = sorted({config for folder in folders for config in folder.glob("config*")})
    if not configs:  # a Python built without Debian's multiarch name: look in every folder of lib (slower)
        configs = sorted((prefix / "lib").glob("*/graphviz/config*"))
    return [*configs, *(p for config in configs for p in sorted(config.parent.iterdir()))]


def _font_files() -> list[Path]:
    home = Path(os.path.expanduser("~"))
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "fontconfig"
    data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "fonts"
    files = [Path("/etc/fonts"), Path("/etc/fonts/conf.d"), Path("/etc/fonts/fonts.conf"), Path("/etc/fonts/local.conf"),
             config, config / "fonts.conf", config / "conf.d"]
    if os.environ.get("FONTCONFIG_FILE"):
        files.append(Path(os.environ["FONTCONFIG_FILE"]))
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data, home / ".fonts"):
        files.append(folder)
        with contextlib.suppress(OSError):
            for child in sorted(p for p in folder.iterdir() if p.is_dir()):
                files.append(child)
                with contextlib.suppress(OSError):
                    files += sorted(p for p in child.iterdir() if p.is_dir())
    return files


def _key(dot: bytes, source: str, formats: Sequence[str]) -> bytes:
    digest = hashlib.blake2b(digest_size=32)
    for part in (dot, "\0".join(_ARGUMENTS).encode(), "\0".join(formats).encode(),
                 source.encode("utf-8", "surrogateescape")):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.digest()


def _keepable(warnings: bytes) -> bool:
    """Whether dot's messages are all its own warnings about the picture (so they are the same in every run)."""
    return all(line.startswith(b"Warning: ") for line in warnings.splitlines() if line.strip())


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=32).digest()


def _entry(files: dict[str, bytes], warnings: bytes) -> bytes:
    parts = [*(x for fmt, data in files.items() for x in (fmt.encode(), data)), b"", warnings]
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


def _kept(key: bytes, formats: Sequence[str]) -> tuple[dict[str, bytes], bytes] | None:
    """The picture and dot's warnings as dot drew them before, or None (not kept, or not readable as kept)."""
    name = _ENTRY + key.hex()
    entry = cache.read_entry(name, _HEAD + key)
    if entry is None or _digest(entry[32:]) != entry[:32]:
        return None
    data, parts, at = entry[32:], [], 0
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 8], "big")
        if at + 8 + size > len(data):
            return None
        parts.append(data[at + 8:at + 8 + size])
        at += 8 + size
    if at != len(data) or len(parts) != 2 * len(formats) + 2 or parts[-2] != b"":
        return None
    files = {parts[i].decode("ascii", "replace"): parts[i + 1] for i in range(0, 2 * len(formats), 2)}
    if list(files) != list(formats):
        return None
    cache.used(name)
    return files, parts[-1]


def _draw(source: str, formats: Sequence[str]) -> tuple[dict[str, bytes], bytes]:
    pipes = {fmt: os.pipe() for fmt in formats}
    args = ["dot", *_ARGUMENTS, *(arg for fmt, (_, w) in pipes.items() for arg in (f"-T{fmt}", f"-o/dev/fd/{w}"))]
    try:
        try:
            process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       pass_fds=[w for _, w in pipes.values()])
        except FileNotFoundError as exc:
            raise graphviz.ExecutableNotFound(args) from exc
        finally:
            for _, w in pipes.values():
                os.close(w)
        # Each pipe is drained on its own thread, or dot would block on a full pipe while we wait on another.
        with ThreadPoolExecutor(max_workers=len(pipes)) as readers:
            reading = {fmt: readers.submit(_read_all, r) for fmt, (r, _) in pipes.items()}
            stdout, stderr = process.communicate(source.encode("utf-8"))
            files = {fmt: future.result() for fmt, future in reading.items()}
    finally:
        for r, _ in pipes.values():
            os.close(r)
    if process.returncode:
        raise graphviz.CalledProcessError(process.returncode, args, output=stdout, stderr=stderr)
    return files, stderr


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)

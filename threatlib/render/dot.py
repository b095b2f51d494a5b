"""Running Graphviz's dot: one layout per picture, every format written from it, pictures side by side.

dot lays a graph out once and then writes each `-T<format> -o<file>` pair from that one layout, so a picture
costs one layout however many formats it is wanted in (the graphviz package's pipe() lays it out again for
each format). Pictures are independent, so a few dot processes run at once; results come back in the order
the pictures were given, whichever finishes first, so outputs stay deterministic.

dot writes each format into a pipe of its own (`-o/dev/fd/N`), read as it is written: no temporary folder,
so a run killed at any moment leaves nothing behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import graphviz

WORKERS = min(4, os.cpu_count() or 1)


def run_dot(pictures: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, bytes]]:
    """For each (DOT source, formats): the picture in each of those formats, by format."""
    with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, len(pictures)))) as pool:
        results = list(pool.map(_draw, [s for s, _ in pictures], [f for _, f in pictures]))
    for _, warnings in results:
        if warnings:  # dot's own warnings, passed on as the graphviz package does
            sys.stderr.write(warnings.decode("utf-8", "replace"))
    return [files for files, _ in results]


def _draw(source: str, formats: Sequence[str]) -> tuple[dict[str, bytes], bytes]:
    pipes = {fmt: os.pipe() for fmt in formats}
    args = ["dot", "-Kdot", *(arg for fmt, (_, w) in pipes.items() for arg in (f"-T{fmt}", f"-o/dev/fd/{w}"))]
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

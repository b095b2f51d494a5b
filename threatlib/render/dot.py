"""Running Graphviz's dot: one layout per picture, every format written from it, pictures side by side.

dot lays a graph out once and then writes each `-T<format> -o<file>` pair from that one layout, so a picture
costs one layout however many formats it is wanted in (the graphviz package's pipe() lays it out again for
each format). Pictures are independent, so a few dot processes run at once; results come back in the order
the pictures were given, whichever finishes first, so outputs stay deterministic.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import graphviz

WORKERS = min(4, os.cpu_count() or 1)


def run_dot(pictures: Sequence[tuple[str, Sequence[str]]]) -> list[dict[str, bytes]]:
    """For each (DOT source, formats): the picture in each of those formats, by format."""
    with tempfile.TemporaryDirectory(prefix="threatlib-dot-") as folder:

        def draw(number: int, source: str, formats: Sequence[str]) -> tuple[dict[str, bytes], bytes]:
            files = {fmt: Path(folder, f"{number}.{fmt}") for fmt in formats}
            args = ["dot", "-Kdot", *(arg for fmt, path in files.items() for arg in (f"-T{fmt}", f"-o{path}"))]
            try:
                done = subprocess.run(args, input=source.encode("utf-8"), capture_output=True, check=False)
            except FileNotFoundError as exc:
                raise graphviz.ExecutableNotFound(args) from exc
            if done.returncode:
                raise graphviz.CalledProcessError(done.returncode, args, output=done.stdout, stderr=done.stderr)
            return {fmt: path.read_bytes() for fmt, path in files.items()}, done.stderr

        with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, len(pictures)))) as pool:
            results = list(pool.map(draw, range(len(pictures)), [s for s, _ in pictures], [f for _, f in pictures]))
    for _, warnings in results:
        if warnings:  # dot's own warnings, passed on as the graphviz package does
            sys.stderr.write(warnings.decode("utf-8", "replace"))
    return [files for files, _ in results]

"""The printed diagram's figures set on pages, two or more to a page where they fit, so no page is half blank.

print_diagrams draws each figure to fill a landscape page at a readable size; many fill half of it. Here the
figures, in their order, are set on as few pages as hold them: stacked, or side by side, on a landscape or a portrait
page, each scaled no smaller than the floor (7.5 pt for the smallest word, drawn at 8 pt). A figure that fits no
neighbour as drawn is also tried drawn the other way (top to bottom rather than left to right, or the reverse), from
its DOT source, kept only if its labels stay clear. Sizes are the SVG's own, in points.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from math import ceil

from threatlib.render.dot import run_dot
from threatlib.render.label_check import label_faults
from threatlib.render.print_diagrams import PrintedFigure

SMALLEST_DRAWN, FLOOR = 8.0, 7.5  # points: the figures' smallest words as drawn, and as printed at the least
LEAST_SCALE = FLOOR / SMALLEST_DRAWN
# The text box of each page (report.css: @page figures and figures-portrait, less the body's padding), in points.
BOXES = {"landscape": (744.0, 527.0), "portrait": (503.0, 768.0)}
TITLE_LINE, TITLE_CHAR, TITLE_SPACE = 12.7, 5.6, 8.0  # a figure's title (h3, 10 pt): a line, a character, its margins
GAP = 10.0  # points between two figures, either way
SLACK = 0.97  # the estimates of the titles' height are not exact: leave a little
FULL = 0.52  # of the text box: a page whose figures take less ends near or above its middle (half the page is 0.50)
MOST_ENLARGED = 1.25  # a figure alone on a half-blank page prints at most this much larger than drawn
HEADING = 44.0  # points: the section's heading, which only the first page carries


@dataclass(frozen=True)
class Placed:
    title: str
    svg: bytes
    width: float  # as printed, in points
    height: float


@dataclass(frozen=True)
class FigurePage:
    orientation: str  # "landscape" or "portrait"
    rows: tuple[tuple[Placed, ...], ...]  # top to bottom; each row's figures left to right
    key: bool = False  # whether the section's heading and key open this page


@dataclass(frozen=True)
class _Drawn:
    title: str
    svg: bytes
    width: float
    height: float


def pack(figures: list[PrintedFigure], key_height: float) -> list[FigurePage]:
    """The figures on pages, in order. The first page holds the section's heading, and with it the key (heading
    and key `key_height` points) when its first figure still fits under them, else the last page does; a page that
    the figures would leave half blank takes the key instead, where it fits."""
    drawn = [_size(f.title, f.svg) for f in figures]
    if not drawn:
        return []
    flipped: dict[int, _Drawn | None] = {}
    pages: list[tuple[float, str, tuple[tuple[Placed, ...], ...]]] = []
    keyed_first = _arrange([drawn[0]], key_height) is not None
    start = 0
    while start < len(drawn):
        reserve = 0.0 if pages else key_height if keyed_first else HEADING
        best, end = None, start + 1
        for end in range(len(drawn), start, -1):  # as many as fit as drawn
            best = _arrange(drawn[start:end], reserve)
            if best:
                break
        if end == start + 1 and end < len(drawn) and (best is None or best[0] < FULL):
            # alone it would leave the page half blank: the pair, one or both drawn the other way
            for pair in _variants(figures, drawn, flipped, start):
                paired = _arrange(pair, reserve)
                if paired:
                    best, end = paired, start + 2
                    break
        pages.append(best or _fitted(drawn[start]))
        start = end
    out = [FigurePage(o, rows) for _, o, rows in pages]
    # The key goes under the heading; but a page that would end above its middle takes it, if it has the room.
    sparse = [i for i, (fill, o, _) in enumerate(pages) if i < len(pages) - 1 and fill < FULL
              and fill + (key_height - HEADING) / BOXES[o][1] <= SLACK]
    index = sparse[0] if sparse and not (keyed_first and sparse[0] == 0) else 0 if keyed_first else len(out) - 1
    out[index] = replace(out[index], key=True)
    # A figure that alone still leaves its page about half blank prints larger, as far as the page's width allows.
    for i, (fill, o, rows) in enumerate(pages):
        if fill < FULL and i < len(pages) - 1 and len(rows) == 1 and len(rows[0]) == 1:
            f = rows[0][0]
            fill += (key_height - HEADING) / BOXES[o][1] if i == index and i else 0.0
            grow = min(MOST_ENLARGED, BOXES[o][0] / f.width, 1 + (SLACK - fill) * BOXES[o][1] / f.height)
            out[i] = replace(out[i], rows=((Placed(f.title, f.svg, f.width * grow, f.height * grow),),))
    return out


def _variants(figures: list[PrintedFigure], drawn: list[_Drawn], flipped: dict[int, _Drawn | None],
              start: int) -> list[list[_Drawn]]:
    """The figure at `start` and the next, with one or both drawn the other way where that draws clear."""
    for i in (start, start + 1):
        if i not in flipped:  # each redrawing is a run of dot: only when needed, once
            flipped[i] = _flip(figures[i])
    a, b = flipped[start], flipped[start + 1]
    options = [[a, drawn[start + 1]] if a else None, [drawn[start], b] if b else None, [a, b] if a and b else None]
    return [o for o in options if o]


def _flip(figure: PrintedFigure) -> _Drawn | None:
    """The figure drawn in the other direction, if its source says which and the drawing has no label fault."""
    found = re.search(r"\brankdir=(LR|TB)\b", figure.source)
    if not found or "tailport" in figure.source:
        return None
    other = "TB" if found.group(1) == "LR" else "LR"
    [picture] = run_dot([(figure.source[:found.start()] + f"rankdir={other}" + figure.source[found.end():], ("svg", "json"))])
    if label_faults(json.loads(picture["json"])):
        return None
    return _size(figure.title, picture["svg"])


def _size(title: str, svg: bytes) -> _Drawn:
    found = re.search(rb'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width, height = (float(found.group(1)), float(found.group(2))) if found else (BOXES["landscape"][0], 1.0)
    return _Drawn(title, svg, width, height)


def _title_height(title: str, width: float) -> float:
    return ceil(len(title) * TITLE_CHAR / max(width, 1.0)) * TITLE_LINE + TITLE_SPACE


def _arrange(run: list[_Drawn], reserve: float) -> tuple[float, str, tuple[tuple[Placed, ...], ...]] | None:
    """The fullest page that holds the whole run, stacked or (for two) side by side, and how full (the heading and
    key included); None if none does."""
    if not run:
        return None
    options = []
    for orientation, (width, height) in BOXES.items():
        room = height * SLACK - reserve
        stacked = _stacked(run, width, room - GAP * (len(run) - 1))
        if stacked:
            used = sum(_title_height(p.title, p.width) + p.height for p in stacked) + GAP * (len(run) - 1)
            options.append(((used + reserve) / height, orientation, tuple((p,) for p in stacked)))
        if len(run) == 2:
            scale = min(1.0, (width - GAP) / (run[0].width + run[1].width))
            beside = [Placed(f.title, f.svg, f.width * scale, f.height * scale) for f in run]
            used = max(_title_height(f.title, p.width) + p.height for f, p in zip(run, beside, strict=True))
            if scale >= LEAST_SCALE and used <= room:
                options.append(((used + reserve) / height, orientation, (tuple(beside),)))
    if not options:
        return None
    return max(options, key=lambda o: (o[0], o[1] == "landscape"))


def _stacked(run: list[_Drawn], width: float, room: float) -> list[Placed] | None:
    """The run one under another, each fitted to the page's width (never enlarged), all shrunk alike as far as the
    floor if that is what it takes to hold them in `room` points; None if that is not enough."""
    natural = [min(1.0, width / f.width) for f in run]
    titles = sum(_title_height(f.title, f.width * s) for f, s in zip(run, natural, strict=True))
    height = sum(f.height * s for f, s in zip(run, natural, strict=True))
    shrink = min(1.0, (room - titles) / height) if height else 1.0
    if any(s * shrink < LEAST_SCALE for s in natural):
        return None
    return [Placed(f.title, f.svg, f.width * s * shrink, f.height * s * shrink) for f, s in zip(run, natural, strict=True)]


def _fitted(f: _Drawn) -> tuple[float, str, tuple[tuple[Placed, ...], ...]]:
    width, height = BOXES["landscape"]
    scale = min(1.0, width / f.width, (height * SLACK - _title_height(f.title, width)) / f.height)
    return 1.0, "landscape", ((Placed(f.title, f.svg, f.width * scale, f.height * scale),),)

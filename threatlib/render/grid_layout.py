"""Positions for the Threat Dragon export of a model too large to lay out whole with dot.

Each trust boundary is a box; its own elements sit in a near-square grid at its top, its child boundaries'
boxes are packed below in rows. The outermost boxes, the elements outside any boundary and the foreign state
authorities are packed the same way on the page. Everything is arithmetic on counts, so it takes
milliseconds at any size and gives the same positions every run. Units are Threat Dragon's CSS pixels.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from threatlib.analysis.model import Analysis
from threatlib.render.boundary_diagrams import occupied_boundaries

NODE_WIDTH, NODE_HEIGHT = 160, 70
GAP = 30  # between nodes, and between boxes
PAD = 20  # inside a box, around its content
HEADER = 30  # a box's title line
MAX_COLUMNS = 8  # of a box's element grid
ROW_WIDTH = 2400  # boxes inside a box wrap to a new row beyond this width (or the element grid's, if wider)
PAGE_WIDTH = 6000  # the same for the outermost boxes


@dataclass(frozen=True)
class Box:
    """A rectangle in Threat Dragon pixels: top-left corner, width and height."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Grid:
    nodes: dict[str, Box]  # by element or authority id
    boxes: list[tuple[str, int, Box]]  # boundary id (or AUTHORITIES), depth (1 = outermost), box; outer boxes first


AUTHORITIES = "_authorities"  # no boundary id can take it: ids have no underscore


def grid_layout(analysis: Analysis, authorities: list[str]) -> Grid:
    """Positions for every element and for the given (drawn) authorities, and a box per occupied boundary."""
    direct: dict[str | None, list[str]] = {}
    for e in analysis.elements:
        direct.setdefault(e.boundary, []).append(e.id)
    occupied = occupied_boundaries(analysis)
    children: dict[str | None, list[str]] = {}
    for b in analysis.boundaries:
        if b.id in occupied:
            children.setdefault(b.parent, []).append(b.id)

    # Sizes bottom-up (children before parents, without recursion: a chain of boundaries may be deep).
    order = _inner_first(children)
    size: dict[str, tuple[int, int]] = {}
    shelves: dict[str, list[tuple[int, int, str]]] = {}  # boundary -> (x, y) of each child inside its content, child
    for b in order:
        grid_w, grid_h = _grid_size(len(direct.get(b, [])))
        packed, packed_w, packed_h = _pack([(c, *size[c]) for c in children.get(b, [])], max(grid_w, ROW_WIDTH))
        top = grid_h + GAP if grid_h and packed else grid_h
        shelves[b] = [(x, y + top, c) for x, y, c in packed]
        size[b] = (max(grid_w, packed_w, NODE_WIDTH) + 2 * PAD, top + packed_h + HEADER + 2 * PAD)

    nodes: dict[str, Box] = {}
    boxes: list[tuple[str, int, Box]] = []
    items = {b: size[b] for b in children.get(None, [])}
    if direct.get(None):
        items["#outside"] = _grid_size(len(direct[None]))
    if authorities:
        items["#authorities"] = (NODE_WIDTH + 2 * PAD, len(authorities) * (NODE_HEIGHT + GAP) - GAP + HEADER + 2 * PAD)
    placed, _, _ = _pack([(name, w, h) for name, (w, h) in items.items()], max([PAGE_WIDTH] + [w for w, _ in items.values()]))
    queue: deque[tuple[str, int, int, int]] = deque()  # boundary, x, y, depth; outer boxes first
    for x, y, item in placed:
        if item == "#outside":
            _place_grid(direct[None], x, y, nodes)
        elif item == "#authorities":
            boxes.append((AUTHORITIES, 1, Box(x, y, *items[item])))
            for i, authority in enumerate(authorities):
                nodes[authority] = Box(x + PAD, y + HEADER + PAD + i * (NODE_HEIGHT + GAP), NODE_WIDTH, NODE_HEIGHT)
        else:
            queue.append((item, x, y, 1))
    while queue:
        b, x, y, depth = queue.popleft()
        boxes.append((b, depth, Box(x, y, *size[b])))
        left, top = x + PAD, y + HEADER + PAD
        _place_grid(direct.get(b, []), left, top, nodes)
        queue.extend((c, left + cx, top + cy, depth + 1) for cx, cy, c in shelves[b])
    boxes.sort(key=lambda item: item[1])
    return Grid(nodes, boxes)


def _inner_first(children: dict[str | None, list[str]]) -> list[str]:
    """Every boundary in `children`, each after all the boundaries inside it."""
    order: list[str] = []
    stack = list(children.get(None, []))
    while stack:
        b = stack.pop()
        order.append(b)
        stack += children.get(b, [])
    return order[::-1]


def _grid_size(count: int) -> tuple[int, int]:
    if not count:
        return 0, 0
    columns = min(MAX_COLUMNS, math.ceil(math.sqrt(count)))
    rows = math.ceil(count / columns)
    return columns * (NODE_WIDTH + GAP) - GAP, rows * (NODE_HEIGHT + GAP) - GAP


def _place_grid(ids: list[str], left: int, top: int, nodes: dict[str, Box]) -> None:
    columns = min(MAX_COLUMNS, math.ceil(math.sqrt(len(ids)))) if ids else 1
    for i, element in enumerate(ids):
        row, column = divmod(i, columns)
        nodes[element] = Box(left + column * (NODE_WIDTH + GAP), top + row * (NODE_HEIGHT + GAP), NODE_WIDTH, NODE_HEIGHT)


def _pack(items: list[tuple[str, int, int]], width: int) -> tuple[list[tuple[int, int, str]], int, int]:
    """Rows, left to right, each as wide as `width` allows: the (x, y, name) of each item, and the total size."""
    placed = []
    x = y = row_height = total_w = 0
    for name, w, h in items:
        if x and x + w > width:
            x, y, row_height = 0, y + row_height + GAP, 0
        placed.append((x, y, name))
        x += w + GAP
        row_height = max(row_height, h)
        total_w = max(total_w, x - GAP)
    return placed, total_w, (y + row_height) if items else 0

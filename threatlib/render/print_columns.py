"""Lists printed in balanced columns that read down each column, then on to the next.

WeasyPrint's CSS columns re-lay a list out many times to balance it (a third of a printed report's time) and still
leave columns uneven. Here the list is cut once, by an estimate of each item's height in lines, into blocks no taller
than a part of a page, and each block into columns of about equal height, set side by side as the cells of one
table row. A block does not break across pages, so a list that crosses pages still reads in order: the columns of
one block, then the next block's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

FIRST_LINES = 12  # the tallest column of a long list's first block
BLOCK_LINES = 34  # the tallest column of a block, in lines: about half a page, so a page holds one or two and little is left


def lines(text: str, line_chars: int) -> int:
    """About how many lines the text takes in a column `line_chars` characters wide."""
    return max(1, -(-len(text) // line_chars))


def columns(items: Sequence[T], texts: Sequence[str], count: int, line_chars: int,
            block_lines: int = BLOCK_LINES) -> list[list[list[tuple[int, T]]]]:
    """Blocks, each `count` columns (fewer when the items are fewer), each a run of (number from 1, item)."""
    heights = [lines(t, line_chars) for t in texts]
    numbered = list(enumerate(items, 1))
    # The first block is short, to fit under whatever precedes the list on its page; the others about half a page.
    first, total = 0, 0
    while sum(heights) > count * block_lines and first < len(heights) and total + heights[first] <= count * FIRST_LINES:
        total += heights[first]
        first += 1
    blocks = [(numbered[:first], heights[:first])] if first else []
    blocks += _cut(numbered[first:], heights[first:], -(-sum(heights[first:]) // (count * block_lines)) or 1)
    out = []
    for block, block_heights in blocks:
        parts = min(count, len(block))
        out.append([run for run, _ in _cut(block, block_heights, parts)])
    return out


def _cut(items: list, heights: list[int], parts: int) -> list[tuple[list, list[int]]]:
    """The items in at most `parts` runs, in order, whose tallest run is as short as it can be."""
    if not items:
        return []
    low, high = max(heights), sum(heights)
    while low < high:  # the smallest height limit that needs no more than `parts` runs
        middle = (low + high) // 2
        if len(_runs(heights, middle)) <= parts:
            high = middle
        else:
            low = middle + 1
    sizes = _even(heights, parts)
    if max(sum(heights[i:i + n]) for i, n in _starts(sizes)) > low:
        sizes = _runs(heights, low)
    out, start = [], 0
    for size in sizes:
        out.append((items[start:start + size], heights[start:start + size]))
        start += size
    return out


def _runs(heights: list[int], limit: int) -> list[int]:
    """The lengths of the runs, filled in order up to `limit` lines each."""
    runs, total = [0], 0
    for h in heights:
        if runs[-1] and total + h > limit:
            runs.append(0)
            total = 0
        runs[-1] += 1
        total += h
    return runs


def _even(heights: list[int], parts: int) -> list[int]:
    """The lengths of runs that each take about an equal share of what is left (4, 3, 3 rather than 4, 4, 2)."""
    runs, start = [], 0
    for left in range(parts, 0, -1):
        if start == len(heights):
            break
        share, size, total = -(-sum(heights[start:]) // left), 0, 0
        while start + size < len(heights) and (size == 0 or left == 1 or total + heights[start + size] / 2 <= share):
            total += heights[start + size]
            size += 1
        runs.append(size)
        start += size
    return runs


def _starts(sizes: list[int]) -> list[tuple[int, int]]:
    out, start = [], 0
    for n in sizes:
        out.append((start, n))
        start += n
    return out

"""How the printed report lays out its lists and its figures: balanced columns read in order, figures share pages.

Both are arithmetic on estimated sizes, tested here without WeasyPrint; test_print reads the printed pages back.
"""

from __future__ import annotations

from threatlib.render.figure_pages import BOXES, LEAST_SCALE, pack
from threatlib.render.print_columns import columns, lines
from threatlib.render.print_diagrams import PrintedFigure


def _order(blocks) -> list:
    return [item for block in blocks for run in block for _, item in run]


def test_columns_read_down_each_column_then_the_next_and_number_from_one() -> None:
    items = [f"source {i}" for i in range(10)]
    [block] = columns(items, items, 3, 40)
    assert [[n for n, _ in run] for run in block] == [[1, 2, 3, 4], [5, 6, 7], [8, 9, 10]]
    assert _order([block]) == items


def test_columns_balance_by_the_height_of_each_item_not_by_their_count() -> None:
    texts = ["x" * 200, "x", "x", "x", "x", "x" * 120, "x", "x"]  # 5, 1, 1, 1, 1, 3, 1, 1 lines of 40 characters
    [block] = columns(list(range(8)), texts, 2, 40)
    assert [[i for _, i in run] for run in block] == [[0, 1, 2], [3, 4, 5, 6, 7]]  # 7 lines and 7 lines
    # Lengthen the last item: a column takes one item more, and the order stays.
    [block] = columns(list(range(8)), [*texts[:-1], "x" * 200], 2, 40)
    assert [[i for _, i in run] for run in block] == [[0, 1, 2, 3, 4], [5, 6, 7]]


def test_a_long_list_is_cut_into_blocks_that_each_read_in_order() -> None:
    items = list(range(100))
    blocks = columns(items, ["x" * 80] * 100, 3, 40, block_lines=34)  # 2 lines an item
    assert _order(blocks) == items
    assert [[len(run) for run in block] for block in blocks] == [[6, 6, 6], [14, 14, 13], [14, 14, 13]]
    assert all(sum(lines("x" * 80, 40) for _ in run) <= 34 for block in blocks for run in block)
    # A short list is one block; fewer items than columns, one column each.
    assert [[len(run) for run in block] for block in columns(items[:2], ["x"] * 2, 3, 40)] == [[1, 1]]
    assert columns([], [], 3, 40) == []


def _figure(title: str, width: float, height: float) -> PrintedFigure:
    svg = f'<svg width="{width:g}pt" height="{height:g}pt" viewBox="0 0 {width:g} {height:g}"></svg>'.encode()
    return PrintedFigure(title, "", svg)  # no DOT source: never drawn the other way


def _titles(pages) -> list[list[list[str]]]:
    return [[[f.title for f in row] for row in page.rows] for page in pages]


def test_figures_that_fit_share_a_page_in_order_and_the_rest_keep_their_own() -> None:
    figures = [_figure("a", 700, 330), _figure("b", 600, 220), _figure("c", 700, 250), _figure("d", 700, 400)]
    pages = pack(figures, key_height=90)
    assert _titles(pages) == [[["a"]], [["b"], ["c"]], [["d"]]]
    assert [p.key for p in pages] == [True, False, False]
    # Make c taller than the room b leaves: b and c each get a page; d is unchanged.
    pages = pack([*figures[:2], _figure("c", 700, 330), figures[3]], key_height=90)
    assert _titles(pages) == [[["a"]], [["b"]], [["c"]], [["d"]]]


def test_figures_stand_side_by_side_when_narrow_and_never_print_below_the_floor() -> None:
    pages = pack([_figure("a", 360, 420), _figure("b", 370, 400), _figure("c", 900, 300)], key_height=0)
    assert _titles(pages) == [[["a", "b"]], [["c"]]]
    for page in pages:
        width, height = BOXES[page.orientation]
        for row in page.rows:
            assert sum(f.width for f in row) <= width
    [a, b] = pages[0].rows[0]
    assert (a.width, a.height, b.width, b.height) == (360, 420, 370, 400)  # room enough: as drawn
    [[c]] = pages[1].rows
    assert round(c.width, 6) == BOXES["landscape"][0] and c.width / 900 < LEAST_SCALE  # too wide for the floor: fitted, alone


def test_the_key_goes_to_a_page_the_figures_would_leave_half_blank() -> None:
    pages = pack([_figure("a", 700, 400), _figure("b", 700, 180), _figure("c", 700, 400)], key_height=90)
    assert _titles(pages) == [[["a"]], [["b"]], [["c"]]]
    assert [p.key for p in pages] == [False, True, False]
    [[b]] = pages[1].rows
    assert round(b.width, 6) == BOXES["landscape"][0]  # and that page's lone figure prints larger, to the page's width

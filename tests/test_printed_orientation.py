"""Each set of elements on the printed diagram's pages is drawn left to right, and top to bottom only when the first
way does not fit the page: a picture that fits left to right is the one printed, so the second drawing was dot's
work for nothing. Where both are drawn, the one printed larger is kept. Measured with real dot on a shipped model.
"""

from __future__ import annotations

import pytest
from conftest import ROOT

import threatlib.render.print_diagrams as print_diagrams
from threatlib import pipeline
from threatlib.library import load_library


@pytest.fixture(scope="module")
def drawn_and_printed():
    """Every picture drawn for the printed pages, in the order drawn (source, svg), and the figures printed."""
    analysis = pipeline.analyse_file(ROOT / "models" / "tiktok.yaml", load_library())[1]
    drawn: list[tuple[str, bytes]] = []
    real = print_diagrams.run_dot

    def recording(pictures):
        results = real(pictures)
        drawn.extend((source, result["svg"]) for (source, _), result in zip(pictures, results, strict=True))
        return results

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(print_diagrams, "run_dot", recording)
        printed = print_diagrams.printed_figures(analysis)
    return drawn, printed


def _sets(drawn: list[tuple[str, bytes]]) -> list[list[tuple[str, bytes]]]:
    """The pictures of each set of elements: left to right, then top to bottom when drawn (the next picture)."""
    sets: list[list[tuple[str, bytes]]] = []
    for source, svg in drawn:
        if "rankdir=TB" in source:
            assert sets and len(sets[-1]) == 1, "top to bottom only right after the same set left to right"
            sets[-1].append((source, svg))
        else:
            assert "rankdir=LR" in source
            sets.append([(source, svg)])
    return sets


def test_a_set_is_drawn_top_to_bottom_only_when_left_to_right_does_not_fit(drawn_and_printed) -> None:
    drawn, _ = drawn_and_printed
    sets = _sets(drawn)
    assert len({source for source, _ in drawn}) == len(drawn)  # no picture drawn twice
    assert [len(pictures) for pictures in sets] == [1 if print_diagrams._fits(p[0][1]) else 2 for p in sets]
    assert 1 in [len(p) for p in sets] and 2 in [len(p) for p in sets]  # TikTok has sets of both kinds


def test_each_printed_figure_is_the_one_drawing_both_ways_would_choose(drawn_and_printed) -> None:
    drawn, printed = drawn_and_printed
    owner = {source: pictures for pictures in _sets(drawn) for source, _ in pictures}
    assert printed
    for figure in printed:
        pictures = owner[figure.source]
        (across, across_svg), *rest = pictures
        if not rest:  # left to right fits: the rule prints it, whatever the other way would give
            chosen = (across, across_svg)
        else:
            down, down_svg = rest[0]
            larger = print_diagrams._scale(across_svg) >= print_diagrams._scale(down_svg)
            chosen = (across, across_svg) if larger else (down, down_svg)
        assert (figure.source, figure.svg) == chosen

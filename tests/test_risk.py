"""Calibrated ratings: the yardstick, the matrix and each adjustment, with its stated reason."""

from __future__ import annotations

from threatlib.analysis.risk import YARDSTICK, assess, matrix, rating


def test_yardstick_words_and_bands_are_the_phia_ones() -> None:
    assert [(w, b) for _, w, b in YARDSTICK] == [
        ("remote chance", "0-5%"), ("highly unlikely", "10-20%"), ("unlikely", "25-35%"),
        ("realistic possibility", "40-50%"), ("likely or probable", "55-75%"), ("highly likely", "80-90%"),
        ("almost certain", "95-100%")]


def test_matrix_corners_and_rows() -> None:
    grid = matrix()
    assert grid[0] == ["medium", "high", "high", "very high", "very high"]  # almost certain, impact 1..5
    assert grid[-1] == ["low", "low", "low", "low", "medium"]  # remote chance
    assert rating(3, 3) == "high" and rating(2, 2) == "low" and rating(2, 3) == "medium"


def test_a_threat_without_legal_basis_keeps_its_library_likelihood_and_children_raise_impact() -> None:
    risk = assess("realistic_possibility", "high", children=True)
    assert (risk.likelihood, risk.band, risk.impact, risk.rating) == ("realistic_possibility", "40-50%", 5, "high")
    assert risk.rationale == [
        "Base likelihood realistic possibility (40-50%), from the threat library.",
        "Base impact major (4 of 5), from the threat's severity.",
        "Impact raised one step: the data includes children's data.",
        "Rating high: realistic possibility likelihood with severe impact, from the rating matrix.",
    ]


def test_a_legal_threat_states_the_drivers_that_gave_its_likelihood() -> None:
    risk = assess("likely", "medium", likelihood_reasons=["+2 purpose: a power for intelligence collection."])
    assert risk.rationale[:2] == ["+2 purpose: a power for intelligence collection.", "Likelihood likely or probable (55-75%)."]
    assert (risk.likelihood, risk.impact, risk.rating) == ("likely", 3, "high")

"""Records the analysis builds without pydantic's validation (Record.trusted) are the records validation gives.

Validating the analysis's own dump must give back equal records, field for field and in the same field order
(the JSON follows that order), for every shipped model with its scenarios and for an estate large enough to take
the large-model paths. A value of the wrong type (a severity as text where the field holds its enum, a missing
field) would differ here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from estates import estate_file
from pydantic import BaseModel

from threatlib.analysis.model import Analysis, Finding

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.yaml"))


def _same(mine, validated, where: str = "analysis") -> None:
    """Equal, of the same types all the way down (an enum of text equals its text, so == alone would not tell)."""
    assert type(mine) is type(validated), where
    if isinstance(mine, BaseModel):
        assert list(vars(mine)) == list(vars(validated)) == list(type(mine).model_fields), where
        for name in type(mine).model_fields:
            _same(getattr(mine, name), getattr(validated, name), f"{where}.{name}")
    elif isinstance(mine, list | tuple):
        assert len(mine) == len(validated), where
        for i, (a, b) in enumerate(zip(mine, validated, strict=True)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert mine == validated, where


def _assert_validation_gives_it_back(analysis: Analysis) -> None:
    again = Analysis.model_validate(analysis.model_dump())
    _same(analysis, again)
    assert again.model_dump_json() == analysis.model_dump_json()


@pytest.mark.parametrize("model", MODELS, ids=[p.stem for p in MODELS])
def test_a_shipped_models_records_are_what_validation_gives(model: Path, library) -> None:
    from threatlib.pipeline import analyse_file

    _, analysis = analyse_file(model, library)
    assert any(f.origin == "pytm" for f in analysis.findings) and any(f.origin == "threatlib" for f in analysis.findings)
    _assert_validation_gives_it_back(analysis)


def test_a_large_estates_records_are_what_validation_gives(tmp_path: Path, library) -> None:
    from threatlib.pipeline import analyse_file

    _, analysis = analyse_file(estate_file(tmp_path, 300), library)
    _assert_validation_gives_it_back(analysis)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
def test_a_value_of_the_wrong_type_is_told_apart(small_analysed) -> None:
    """The check above can fail: a finding made with its severity as text is not what validation gives."""
    _, analysis = small_analysed
    finding = analysis.findings[0]
    wrong = Finding.trusted(**{**dict(finding), "severity": finding.severity.value})
    broken = analysis.model_copy(update={"findings": [wrong, *analysis.findings[1:]]})
    with pytest.raises(AssertionError, match=r"^analysis\.findings\[0\]\.severity\n"):
        _assert_validation_gives_it_back(broken)

"""What a source is and whose own it is (`document:`, `author:`), and what a date must look like, each checked with a
message at the value's own line and column."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import TESTS

from threatlib import pipeline
from threatlib.errors import InputError
from threatlib.library import load_library

SMALL = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8")
SOURCE_KIND = "    kind: primary\n"  # the small model's one source, at line 17
DEBATE = """
debate:
  - id: it-is-spyware
    said_by: A columnist
    said_on: {said_on}
    claim: The app is spyware.
    sources: [test-source]
    assessment: not_supported
    reasoning: The model records no covert collection.
    in_short: No evidence of covert collection.
    evidence:
      - statement: The regulator found the transfers unlawful.
        status: confirmed
        sources: [test-source]
"""


def problems(tmp_path: Path, text: str, library) -> list[str]:
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        pipeline.load(path, library)
    return [str(p).removeprefix(f"{path}:") for p in caught.value.problems]


def valid(tmp_path: Path, text: str, library):
    path = tmp_path / "model.yaml"
    path.write_text(text, encoding="utf-8")
    return pipeline.load(path, library)


def test_a_known_document_and_author_are_kept(tmp_path, library) -> None:
    text = SMALL.replace(SOURCE_KIND, SOURCE_KIND + "    document: company_filing\n    author: parent-co\n", 1)
    [source] = valid(tmp_path, text, library).sources
    assert (source.document.value, source.author) == ("company_filing", "parent-co")
    assert valid(tmp_path, SMALL, library).sources[0].document is None  # the fields are optional


def test_an_unknown_document_is_named_at_its_value(tmp_path, library) -> None:
    text = SMALL.replace(SOURCE_KIND, SOURCE_KIND + "    document: press release\n", 1)
    assert problems(tmp_path, text, library) == [
        "18:15: sources[0].document: input should be 'statute', 'regulation', 'court_judgment', 'court_filing', "
        "'regulator_decision', 'government_statement', 'parliamentary_record', 'official_register', "
        "'company_statement', 'company_filing', 'research_report', 'news_report' or 'analysis' (got 'press release')"]


def test_an_author_must_be_one_of_the_models_organisations(tmp_path, library) -> None:
    text = SMALL.replace(SOURCE_KIND, SOURCE_KIND + "    author: parent-corp\n", 1)
    assert problems(tmp_path, text, library) == [
        "18:13: source 'test-source' names author 'parent-corp', which is not an organisation of this model; "
        "did you mean 'parent-co'?"]


@pytest.mark.parametrize("said_on", ["August 2022", "2022/08/03", "22-08-03"])
def test_a_debate_date_that_is_not_a_date_says_what_a_date_looks_like(tmp_path, library, said_on) -> None:
    text = SMALL + DEBATE.format(said_on=said_on)
    line = len(SMALL.splitlines()) + 5
    assert problems(tmp_path, text, library) == [f"{line}:14: debate[0].said_on: a date is YYYY-MM-DD, YYYY-MM or YYYY "
                                                 f"(got '{said_on}')"]


def test_every_partial_date_says_the_same_at_its_own_position(tmp_path, library) -> None:
    text = SMALL.replace("    date: 2026-01-01\n", "    date: January 2026\n", 1)
    assert problems(tmp_path, text, library) == [
        "15:11: sources[0].date: a date is YYYY-MM-DD, YYYY-MM or YYYY (got 'January 2026')"]
    # a date in the right shape that names no day keeps its own message
    text = SMALL + DEBATE.format(said_on="2022-13")
    line = len(SMALL.splitlines()) + 5
    assert problems(tmp_path, text, library) == [
        f"{line}:14: debate[0].said_on: no such date (a month is 01 to 12, a day one the month has); "
        "write YYYY-MM-DD, YYYY-MM or YYYY (got '2022-13')"]


def test_a_library_source_cannot_name_an_author(tmp_path) -> None:
    # Organisations belong to a model, so a library's document is never "one's own"; the same check holds for a
    # user library as for the built-in one. The regulation is cited twice, so both citations say so.
    root = tmp_path / "lib"
    shutil.copytree(TESTS / "user_library", root)
    xa = root / "jurisdictions" / "XA.yaml"
    text = xa.read_text(encoding="utf-8")
    text, found = re.subn(r"(- id: xa-gazette-2022-drr\n(?:\s+\w+: .*\n)*?(\s+)kind: primary\n)", r"\1\2author: parent-co\n", text)
    assert found == 2
    xa.write_text(text, encoding="utf-8")
    lines = [n + 1 for n, line in enumerate(text.splitlines()) if line.strip() == "author: parent-co"]
    with pytest.raises(InputError) as caught:
        load_library(user=[root])
    message = ("source 'xa-gazette-2022-drr' names an author, but organisations belong to a model: "
               "a library source cannot be one's own document")
    assert [str(p) for p in caught.value.problems] == [f"{xa}:{lines[0]}:23: {message}", f"{xa}:{lines[1]}:21: {message}"]

"""Reports of several models made in parallel processes are the bytes one process makes for each alone."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from threatlib import pipeline
from threatlib.errors import InputError, Problem

ROOT = Path(__file__).parent.parent
MODELS = [ROOT / "models" / "zoom-2020.yaml", ROOT / "tests" / "models" / "small.yaml"]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_models_reported_in_two_processes_match_each_reported_alone(tmp_path, library) -> None:
    for path in MODELS:
        pipeline.report(path, library, tmp_path / "alone", pdf=False)
    results = list(pipeline.reports(MODELS, library, tmp_path / "together", pdf=False, jobs=2))
    assert [written for written, _ in results] == [tmp_path / "together" / "zoom-2020", tmp_path / "together" / "small-app"]
    alone, together = _files(tmp_path / "alone"), _files(tmp_path / "together")
    assert sorted({name.split("/")[0] for name in together}) == ["small-app", "zoom-2020"]
    assert together == alone


def test_a_problem_found_in_a_worker_comes_back_whole(tmp_path, library) -> None:
    templates = tmp_path / "t"
    templates.mkdir()
    (templates / "report.html").write_text("one\n{% for x in %}\n")
    with pytest.raises(InputError) as caught:
        list(pipeline.reports(MODELS, library, tmp_path / "out", pdf=False, user_templates=templates, jobs=2))
    assert [str(p) for p in caught.value.problems] == [
        f"{templates / 'report.html'}:2:1: template error: Expected an expression, got 'end of statement block'"]
    assert not (tmp_path / "out" / "zoom-2020").exists()  # the first model failed: nothing of it was written


def test_an_input_error_pickles_as_its_problems() -> None:
    problems = [Problem("b.yaml", 3, 1, "second"), Problem("a.yaml", 1, 2, "first")]
    again = pickle.loads(pickle.dumps(InputError(problems)))
    assert again.problems == sorted(problems)
    assert str(again) == "a.yaml:1:2: first\nb.yaml:3:1: second"

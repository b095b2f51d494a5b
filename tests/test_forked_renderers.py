"""A report's PDFs made in forked processes beside the rest: the same bytes, the same errors, never a half set."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from threatlib import pipeline
from threatlib.errors import InputError
from threatlib.output import NEW, clean_leftovers

ROOT = Path(__file__).parent.parent
SMALL = ROOT / "tests" / "models" / "small.yaml"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_forked_pdfs_are_the_bytes_one_process_makes(tmp_path, library) -> None:
    alone = _files(pipeline.report(SMALL, library, tmp_path / "one", processes=1)[0])
    assert {"report.pdf", "brief.pdf", "report.html", "threats.json"} <= set(alone)
    for processes in (2, 3):  # the report forked; then the brief too
        written, _ = pipeline.report(SMALL, library, tmp_path / str(processes), processes=processes)
        assert _files(written) == alone
        assert os.listdir(tmp_path / str(processes)) == ["small-app"]  # no staging folder left beside it


def _broken(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        (folder / name).write_text("one\n{% for x in %}\n")
    return folder


@pytest.mark.parametrize("processes", [1, 3])  # with three, the brief is made in a fork of its own
def test_a_broken_brief_made_in_a_fork_is_one_problem_and_the_old_set_stays(tmp_path, library, processes) -> None:
    out = tmp_path / "out"
    first, _ = pipeline.report(SMALL, library, out, pdf=False)
    before = _files(first)
    templates = _broken(tmp_path / "t", "brief.html")
    with pytest.raises(InputError) as caught:
        pipeline.report(SMALL, library, out, user_templates=templates, processes=processes)
    assert [str(p) for p in caught.value.problems] == [
        f"{templates / 'brief.html'}:2:1: template error: Expected an expression, got 'end of statement block'"]
    assert _files(first) == before
    assert os.listdir(out) == ["small-app"]


def test_with_two_broken_renderers_the_error_is_the_one_met_first_in_one_process(tmp_path, library) -> None:
    templates = _broken(tmp_path / "t", "brief.html", "report.html")
    with pytest.raises(InputError) as caught:  # report.html comes before brief.pdf in the registry
        pipeline.report(SMALL, library, tmp_path / "out", user_templates=templates, processes=3)
    assert [str(p) for p in caught.value.problems] == [
        f"{templates / 'report.html'}:2:1: template error: Expected an expression, got 'end of statement block'"]
    assert os.listdir(tmp_path / "out") == []


def test_a_staging_folder_being_written_is_left_alone_and_a_dead_runs_is_removed(tmp_path) -> None:
    live, dead = tmp_path / f".m{NEW}live", tmp_path / f".m{NEW}dead"
    live.mkdir()
    dead.mkdir()
    (live / "threats.json").write_bytes(b"{}")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert clean_leftovers(tmp_path) == [dead.name]
        assert sorted(os.listdir(tmp_path)) == [live.name]
    finally:
        os.close(fd)
    assert clean_leftovers(tmp_path) == [live.name]  # its run ended: its lock went with it
    assert os.listdir(tmp_path) == []


def test_a_refusal_of_the_system_comes_back_from_a_fork_as_its_one_line() -> None:
    import pickle

    from threatlib.errors import EnvironmentProblem

    refused = EnvironmentProblem("out/m", "write", "no space left on the device", "free some space, then run again")
    again = pickle.loads(pickle.dumps(refused))
    assert type(again) is EnvironmentProblem
    assert str(again) == "out/m: cannot write: no space left on the device; free some space, then run again"


def test_a_process_killed_while_making_an_output_is_that_outputs_problem_and_the_rest_are_made(
        tmp_path, library, monkeypatch) -> None:
    """The printed report (drawn for paper, so it need not wait for dot) is the first output a process forked before
    the drawing takes; killed there, it names the report, and the outputs it had not taken are made by the others
    (the error is raised only once all have ended)."""
    import dataclasses
    import signal

    from threatlib.errors import EnvironmentProblem
    from threatlib.library.cache import CACHE_DIR_VARIABLE
    from threatlib.render import outputs

    # No picture kept from another test: dot draws, so the fork takes the printed report while this process draws.
    monkeypatch.setenv(CACHE_DIR_VARIABLE, str(tmp_path / "cache"))

    parent, made = os.getpid(), tmp_path / "made"
    made.mkdir()

    def killed(*args):
        if os.getpid() == parent:  # never kill the test itself: fail it instead
            raise RuntimeError("the printed report was made in the first process")
        os.kill(os.getpid(), signal.SIGKILL)

    def noted(output):
        def render(*args):
            (made / output.file).touch()  # each process notes what it made, in a folder they share
            return output.render(*args)
        return render

    monkeypatch.setattr(outputs, "OUTPUTS", tuple(
        dataclasses.replace(o, render=killed) if o.name == "pdf" else dataclasses.replace(o, render=noted(o))
        for o in outputs.OUTPUTS))
    with pytest.raises(EnvironmentProblem) as caught:
        pipeline.report(SMALL, library, tmp_path / "out", processes=2)
    assert str(caught.value) == ("report.pdf: cannot make it: the process making it ended (signal SIGKILL); a process "
                                 "killed is often out of memory: free some, then run again")
    assert sorted(p.name for p in made.iterdir()) == sorted(  # the diagrams' files are written as dot draws them
        o.file for o in outputs.OUTPUTS if o.name != "pdf" and o.file not in outputs.WITH_THE_DRAWING)
    assert os.listdir(tmp_path / "out") == []


def test_the_printed_report_asks_for_dfd_svg_only_where_it_prints_it(small_analysed, library, tmp_path) -> None:
    """A model drawn page by page for paper never waits for dfd.svg, so its fork starts before dot draws it; a large
    model's overview, a model without elements and a user's templates do ask for it, and the overview is drawn
    without waiting for a large model's boundary diagrams."""
    from test_large_diagrams import large_model_text

    from threatlib.render.diagram import draw_diagrams
    from threatlib.render.outputs import OUTPUTS, Inputs, _draws_first, output_named
    from threatlib.render.printed import prints_dfd, report_pdf

    _, small = small_analysed
    asked: list[bool] = []

    def diagram() -> bytes:
        asked.append(True)
        return Inputs(small).diagram

    assert report_pdf(small, diagram) == report_pdf(small, lambda: b"")
    assert asked == []
    assert not _draws_first(output_named("pdf"), Inputs(small))
    assert _draws_first(output_named("pdf"), Inputs(small, tmp_path))
    assert _draws_first(output_named("html"), Inputs(small))

    path = tmp_path / "large.yaml"
    path.write_text(large_model_text(), encoding="utf-8")
    _, large = pipeline.analyse_file(path, library)
    assert prints_dfd(large, None)
    report_pdf(large, diagram)
    assert asked == [True]
    # A large model's dfd.svg is its overview, drawn on its own in the same bytes, so nothing but the drawing's own
    # files waits for the boundary diagrams.
    early = Inputs(large)
    assert early.diagram == draw_diagrams(large).files["dfd.svg"]
    assert "drawing" not in early.__dict__
    assert [o.name for o in OUTPUTS if _draws_first(o, early)] == ["svg", "png", "dot"]

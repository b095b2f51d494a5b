"""One registry of outputs: `threatlib report` writes each entry, `threatlib export` writes any one of them with the
same bytes, and the command's help and the README's table are made from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT

from threatlib.cli import main
from threatlib.render import outputs
from threatlib.render.outputs import OUTPUTS, Output, export_help, outputs_markdown


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def _report(model: Path, out: Path, *options: str) -> Path:
    assert run("report", *options, str(model), "-o", str(out))[0] == 0
    return out / "small-app"


@pytest.fixture(scope="module")
def reported(small_model_path, tmp_path_factory) -> Path:
    """The report without its PDFs, which take most of a report's time; reported_on_paper has them."""
    return _report(small_model_path, tmp_path_factory.mktemp("report"), "--no-pdf")


@pytest.fixture(scope="module")
def reported_on_paper(small_model_path, tmp_path_factory) -> Path:
    return _report(small_model_path, tmp_path_factory.mktemp("report"))


@pytest.mark.slow
def test_report_writes_one_file_per_registry_entry(reported_on_paper) -> None:
    assert sorted(p.name for p in reported_on_paper.iterdir()) == sorted(o.file for o in OUTPUTS)


def test_report_without_pdf_leaves_out_exactly_the_pdfs(reported) -> None:
    written = sorted(p.name for p in reported.iterdir())
    assert written == sorted(o.file for o in OUTPUTS if not o.pdf)
    assert sorted(o.file for o in OUTPUTS if o.pdf) == ["brief.pdf", "report.pdf"]


@pytest.mark.parametrize("output", [pytest.param(o, id=o.name, marks=[pytest.mark.slow] if o.pdf else []) for o in OUTPUTS])
def test_export_writes_the_bytes_report_writes(output: Output, request, small_model_path, tmp_path) -> None:
    reported = request.getfixturevalue("reported_on_paper" if output.pdf else "reported")
    target = tmp_path / output.file
    assert run("export", output.name, str(small_model_path), "-o", str(target)) == (0, b"", "")
    assert target.read_bytes() == (reported / output.file).read_bytes()


def test_export_to_standard_output_writes_the_same_bytes(reported, small_model_path) -> None:
    code, written, _ = run("export", "png", str(small_model_path))
    assert (code, written) == (0, (reported / "dfd.png").read_bytes())


def test_a_new_entry_is_written_exported_and_listed(monkeypatch, small_model_path, tmp_path) -> None:
    def element_ids(analysis) -> bytes:
        return "".join(f"{e.id}\n" for e in analysis.elements).encode()

    extra = Output("ids", "elements.txt", element_ids, "the element ids", "each element's id, one a line")
    monkeypatch.setattr(outputs, "OUTPUTS", (*OUTPUTS, extra))
    assert run("report", "--no-pdf", str(small_model_path), "-o", str(tmp_path))[0] == 0
    ids = b"user\nhandset\napp\ndublin-store\nbeijing-eng\n"
    assert (tmp_path / "small-app" / "elements.txt").read_bytes() == ids
    assert run("export", "ids", str(small_model_path)) == (0, ids, "")
    assert export_help().splitlines()[-1] == "ids           elements.txt: the element ids"
    assert outputs_markdown().splitlines()[-1] == "| `elements.txt` | `ids` | each element's id, one a line |"
    assert "    ids           elements.txt: the element ids\n" in run("export", "--help")[1].decode()


def test_export_refuses_an_unknown_format_and_names_every_output(small_model_path) -> None:
    code, _, stderr = run("export", "xlsx", str(small_model_path))
    assert code == 2
    assert f"'xlsx' is not one of {', '.join(repr(o.name) for o in OUTPUTS)}" in stderr


def test_each_renderer_takes_the_analysis_and_what_its_entry_says_it_needs() -> None:
    import inspect

    for o in OUTPUTS:
        assert len(inspect.signature(o.render).parameters) == 1 + len(o.needs), o.name


def test_readme_lists_the_outputs_as_the_registry_has_them() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("-->\n", readme.index("<!-- outputs:")) + 4
    assert readme[start:readme.index("<!-- end of outputs -->")] == outputs_markdown()


def test_outputs_alike_share_a_row_of_the_readme() -> None:
    rows = outputs_markdown().splitlines()[2:]
    # found by their files, not by position, so that a new output's row does not break this test
    assert [r for r in rows if r.startswith("| `dfd.svg`, `dfd.png`, `dfd.dot` | `svg`, `png`, `dot` | the data-flow diagram: ")]
    assert [r for r in rows if r.startswith("| `report.html`, `report.pdf` | `html`, `pdf` | the technical report: ")]
    assert len(rows) == len({o.about for o in OUTPUTS})

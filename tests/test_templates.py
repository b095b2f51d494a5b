"""A folder of templates from elsewhere can restyle the reports but never run code or leave half an output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from threatlib.cli import main


def report(model: Path, templates: Path, out: Path):
    return CliRunner().invoke(main, ["report", str(model), "-o", str(out), "--no-pdf", "--templates", str(templates)])


def test_a_template_of_the_same_name_overrides_the_built_in_one(tmp_path, small_model_path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "report.html").write_text(
        '{% extends "base.html" %}{% block body %}<h1>House style: {{ a.model.name }}, '
        '{{ a.findings | length }} findings</h1>{% endblock %}')
    result = report(small_model_path, tmp_path / "t", tmp_path / "out")
    assert result.exit_code == 0, result.output
    written = tmp_path / "out" / "small-app"
    findings = json.loads((written / "threats.json").read_text())["findings"]
    body = (written / "report.html").read_text().split("<body>\n")[1]
    assert body == f"<h1>House style: Small App, {len(findings)} findings</h1></body>\n</html>"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("ok\n{{ cycler.__init__.__globals__.os.system('touch PWNED') }}\n", 2,
     "access to attribute '__init__' of 'type' object is unsafe."),
    ("{{ a.__class__.__mro__ }}", 1, "access to attribute '__class__' of 'Analysis' object is unsafe."),
    ("{% set x = a.findings.append(1) %}", 1, "access to attribute 'append' of 'list' object is unsafe."),
    ("one\ntwo\n{% for x in %}\n", 3, "Expected an expression, got 'end of statement block'"),
    ("\n{{ a.model.nonexistent }}", 2, "'threatlib.analysis.model.ModelInfo object' has no attribute 'nonexistent'"),
])
def test_a_template_that_reaches_outside_the_sandbox_or_is_broken_exits_2_at_its_line(
        tmp_path, small_model_path, monkeypatch, text, line, message) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "report.html").write_text(text)
    out = tmp_path / "out"
    (out / "small-app").mkdir(parents=True)
    (out / "small-app" / "report.html").write_text("from an earlier run")
    result = report(small_model_path, tmp_path / "t", out)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{tmp_path / 't' / 'report.html'}:{line}:1: template error: {message}"]
    assert not (tmp_path / "PWNED").exists()
    assert sorted(p.name for p in out.iterdir()) == ["small-app"]
    assert (out / "small-app" / "report.html").read_text() == "from an earlier run"

"""The console script as a user runs it: exit codes, positioned messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTS

from threatlib.render.outputs import OUTPUTS

THREATLIB = [sys.executable, "-m", "threatlib.cli"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*THREATLIB, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_validate_accepts_a_valid_model() -> None:
    result = run("validate", "tests/models/small.yaml")
    assert result.returncode == 0
    assert result.stdout == "tests/models/small.yaml: valid (5 elements, 4 flows, 2 organisations, 1 sources)\n"


def test_validate_rejects_a_typo_with_its_position(tmp_path: Path) -> None:
    broken = tmp_path / "typo.yaml"
    broken.write_text((TESTS / "models" / "small.yaml").read_text().replace("    kind: datastore", "    kind: datastor"))
    result = run("validate", str(broken))
    assert result.returncode == 2
    assert result.stdout == f"{broken}: invalid (1 problem, listed on standard error)\n"
    assert result.stderr == (f"{broken}:82:11: elements[3].kind: input should be 'actor', 'device', 'process', "
                             f"'server', 'datastore' or 'external' (got 'datastor')\n")


def test_an_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    result = run("validate", str(empty))
    assert (result.returncode, result.stderr) == (
        2, f"{empty}:1:1: file is empty; a model needs at least metadata, sources, data and elements\n")


def test_report_on_bad_input_writes_nothing_and_keeps_old_outputs(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    (out / "small-app").mkdir(parents=True)
    (out / "small-app" / "threats.json").write_text("previous run")
    broken = tmp_path / "small.yaml"
    broken.write_text((TESTS / "models" / "small.yaml").read_text().replace("operator: parent-co", "operator: nobody"))
    result = run("report", str(broken), "-o", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"{broken}:90:15: no organisation with id 'nobody'"
    assert (out / "small-app" / "threats.json").read_text() == "previous run"
    assert sorted(p.name for p in out.iterdir()) == ["small-app"]


@pytest.mark.slow
def test_report_writes_every_output(tmp_path: Path) -> None:
    result = run("report", "tests/models/small.yaml", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "small-app").iterdir()) == sorted(o.file for o in OUTPUTS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small-app"]  # no staging folder left behind


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "threatlib"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.stdout.strip().startswith("threatlib, version ")


def test_diff_a_model_against_its_scenario(tmp_path: Path) -> None:
    model = tmp_path / "small.yaml"
    model.write_text((TESTS / "models" / "small.yaml").read_text() + (
        "\nscenarios:\n  - id: no-remote\n    name: No remote access\n    description: The remote read stops.\n"
        "    remove: [remote-read]\n"))
    text = run("diff", str(model), f"{model}#no-remote")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[:2] == ["--- Small App", "+++ Small App: No remote access"]
    assert "- XB-01@remote-read" in lines and "- LC-03@beijing-eng" in lines
    as_json = run("diff", str(model), f"{model}#no-remote", "--json")
    data = json.loads(as_json.stdout)
    assert "XB-01@remote-read" in data["findings"]["removed"] and data["findings"]["added"] == []
    assert ["location", "CN", "beijing-eng", "general_public"] in data["exposures"]["closed"]
    missing = run("diff", str(model), f"{model}#nope")
    assert missing.returncode == 2
    assert missing.stderr.strip().endswith("no scenario 'nope'; this model has no-remote")


def test_new_writes_a_model_that_validate_says_is_unfinished(tmp_path: Path) -> None:
    result = run("new", "myapp", "--from", "tests/models/small.yaml", "--models-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "myapp.yaml").exists()
    check = run("validate", str(tmp_path / "myapp.yaml"))
    assert check.returncode == 2
    assert check.stderr.splitlines()[0] == f"{tmp_path / 'myapp.yaml'}:6:9: left to fill in: metadata.name is still a placeholder"
    again = run("new", "myapp", "--from", "tests/models/small.yaml", "--models-dir", str(tmp_path))
    expected = f"error: {tmp_path / 'myapp.yaml'} already exists; choose another name or remove it"
    assert (again.returncode, again.stderr.strip()) == (2, expected)


def test_schema_catalogue_and_pytm_threats_commands(tmp_path: Path) -> None:
    assert run("schema").stdout == (ROOT / "docs" / "model.schema.json").read_text()
    assert run("catalogue").stdout == (ROOT / "docs" / "catalogue.md").read_text()
    out = tmp_path / "threats.json"
    assert run("export-pytm-threats", str(out)).returncode == 0
    assert json.loads(out.read_text())[0]["SID"] == "IA-01"

"""Messages for people: one line per problem, printed exactly as written (no console markup, no emoji), control
characters shown escaped, values quoted briefly; and what the system refuses gets one line and exit code 3."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TESTS

THREATLIB = [sys.executable, "-m", "threatlib.cli"]
SMALL = (TESTS / "models" / "small.yaml").read_text(encoding="utf-8")


def run(*args: str, timeout: int = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*THREATLIB, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, **kwargs)


def model(tmp_path: Path, text: str, name: str = "model.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_problem_at_line_100_prints_as_written(tmp_path) -> None:
    # `:100:` is an emoji code and `[bold]` console markup: both must reach the terminal as these characters.
    padded = SMALL.replace("metadata:\n", "metadata:\n" + "".join(f"  # {n}\n" for n in range(92)), 1)
    path = model(tmp_path, padded.replace("  as_of: 2026-11-01\n", "  as_of: 2026-11-01\n  '[bold]x:smile:': 1\n"), "m:1234:.yaml")
    result = run("validate", str(path))
    assert result.returncode == 2
    line = [n + 1 for n, text in enumerate(padded.splitlines()) if text.startswith("  as_of:")][0] + 1
    assert line == 100
    assert result.stderr.splitlines() == [f"{path}:100:3: unknown key '[bold]x:smile:'; allowed keys: id, name, description, "
                                          "scope, as_of, data_subjects_in, authors, timeframe_years, data_subjects"]


def test_control_characters_and_bidi_controls_are_shown_escaped(tmp_path) -> None:
    # A key that would retitle and clear a terminal, and one that reverses what follows it on screen.
    text = SMALL.replace("  as_of: 2026-11-01\n", '  as_of: 2026-11-01\n  "\\e]0;pwned\\a\\e[2J": 1\n  "evil\\u202etxt.exe": 2\n')
    result = run("validate", str(model(tmp_path, text)))
    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr and "\u202e" not in result.stderr
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()] == [
        "unknown key '\\x1b]0;pwned\\x07\\x1b[2J'; allowed keys: id, name, description, scope, as_of, data_subjects_in, authors, "
        "timeframe_years, data_subjects",
        "unknown key 'evil\\u202etxt.exe'; allowed keys: id, name, description, scope, as_of, data_subjects_in, authors, "
        "timeframe_years, data_subjects",
    ]


def test_one_problem_is_one_line_and_the_counts_agree(tmp_path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(SMALL.encode().replace(b"  name: Small App\n", b"  name: Small\x00App\n"))
    result = run("validate", str(path))
    assert result.returncode == 2
    assert result.stdout == f"{path}: invalid (1 problem, listed on standard error)\n"
    assert result.stderr.splitlines() == [f"{path}:4:14: a NUL byte: this is not a text file, or it is damaged; expected UTF-8 YAML"]


def test_long_values_are_quoted_briefly(tmp_path) -> None:
    keys = ", ".join(f"item-{n}" for n in range(200))
    text = SMALL.replace("  as_of: 2026-11-01\n", f"  as_of: 2026-11-01\n  ? [{keys}]\n  : x\n")
    result = run("validate", str(model(tmp_path, text)))
    assert (result.returncode, [line.split(": ", 1)[1] for line in result.stderr.splitlines()]) == (
        2, ["a key must be text, not a list of 200 items"])
    text = SMALL.replace("  as_of: 2026-11-01\n", f"  as_of: 2026-11-01\n  {'k' * 600}: 1\n")
    result = run("validate", str(model(tmp_path, text)))
    assert (result.returncode, [line.split(": ", 1)[1] for line in result.stderr.splitlines()]) == (2, [
        f"unknown key '{'k' * 40}…' (600 characters); allowed keys: id, name, description, scope, as_of, data_subjects_in, authors, "
        "timeframe_years, data_subjects"])


def test_a_scenario_that_breaks_the_model_fails_validate_at_its_own_line(tmp_path, small_model_path) -> None:
    # report found these and validate did not; a duplicate id in `add` was a traceback.
    text = SMALL + """
scenarios:
  - id: twice
    name: Twice
    description: Adds an element whose id is taken.
    add:
      elements:
        - {id: app, name: Second app, kind: process, location: GB}
  - id: flag
    name: Flag
    description: Sets a flag to text.
    update:
      - id: app
        set: {in_scope: 'false'}
"""
    path = model(tmp_path, text)
    lines = text.splitlines()
    added = next(n for n, line in enumerate(lines, 1) if "Second app" in line)
    flag = next(n for n, line in enumerate(lines, 1) if "in_scope: 'false'" in line)
    first_app = next(n for n, line in enumerate(lines, 1) if line == "  - id: app")
    expected = [f"{path}:{added}:16: scenario 'twice': duplicate id 'app' (first used at line {first_app}, column 9)",
                f"{path}:{flag}:25: scenario 'flag': scenarios[1].update[0].set.in_scope: should be true or false, "
                "written without quotes (got 'false')"]
    for command in (["validate"], ["report", "--no-pdf", "-o", str(tmp_path / "out")]):
        result = run(*command, str(path))
        assert (result.returncode, sorted(result.stderr.splitlines())) == (2, sorted(expected)), command
    assert not (tmp_path / "out").exists()


def test_report_lists_the_problems_of_every_model_before_it_stops(tmp_path) -> None:
    first = model(tmp_path, SMALL.replace("    kind: datastore\n", "    kind: datastor\n"), "first.yaml")
    second = model(tmp_path, SMALL.replace("  as_of: 2026-11-01\n", "  as_of: 0\n"), "second.yaml")
    result = run("report", "--no-pdf", "-o", str(tmp_path / "out"), str(first), str(second))
    assert result.returncode == 2
    assert [line.split(": ", 1)[0] for line in result.stderr.splitlines()] == [f"{first}:82:11", f"{second}:7:10"]


def test_two_models_with_one_id_in_a_report_run_is_an_error(tmp_path) -> None:
    first = model(tmp_path, SMALL, "first.yaml")
    second = model(tmp_path, SMALL.replace("  name: Small App\n", "  name: Another App\n"), "second.yaml")
    result = run("report", "--no-pdf", "-o", str(tmp_path / "out"), str(first), str(second))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"{second}:3:7: metadata.id 'small-app' is also the id of {first}, given earlier "
                                          "in this run; both would write OUTPUT/small-app/: give each model its own id"]
    assert not (tmp_path / "out").exists()


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("make, reason", [
    (lambda tmp: tmp / "missing.yaml", "no such file or folder; check the path"),
    (lambda tmp: tmp, "it is a folder, not a file; give the path of a model file"),
    (_fifo, "it is a named pipe, not a file; give the path of a model file"),
    (lambda tmp: Path("/dev/zero"), "it is a device, not a file; give the path of a model file"),
], ids=["missing", "folder", "fifo", "dev-zero"])
@pytest.mark.parametrize("command", ["validate", "report", "export"])
@pytest.mark.parametrize("suffix", [".yaml", ".py"])
def test_a_model_that_is_not_a_readable_file_is_one_line_and_exit_3(tmp_path, make, reason, command, suffix) -> None:
    path = make(tmp_path)
    if suffix == ".py" and path != Path("/dev/zero"):  # a pytm script is refused the same way before Python reads it
        path = path.with_suffix(".py") if path.suffix == ".yaml" else path
        if make is _fifo:
            path = tmp_path / "pipe.py"
            os.mkfifo(path)
    args = {"validate": ["validate"], "report": ["report", "-o", str(tmp_path / "out")], "export": ["export", "json"]}[command]
    result = run(*args, str(path), timeout=60)  # a FIFO waited on, or /dev/zero read, would never return
    assert (result.returncode, result.stderr) == (3, f"{path}: cannot read: {reason}\n")
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture
def refusing_folder(tmp_path):
    """A folder no one may write into: immutable for root (whom permissions do not stop), read-only for anyone else."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0:
        yield folder, "operation not permitted"
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        yield folder, "permission denied"
        folder.chmod(0o700)


def test_a_folder_that_refuses_writes_is_one_line_and_exit_3(refusing_folder) -> None:
    folder, reason = refusing_folder
    result = run("report", "--no-pdf", "-o", str(folder), "tests/models/small.yaml")
    assert (result.returncode, result.stderr) == (3, f"{folder}: cannot write: {reason}; check its permissions, "
                                                      "or choose another path\n")
    result = run("export", "csv", "tests/models/small.yaml", "-o", str(folder / "threats.csv"))
    assert (result.returncode, result.stderr) == (3, f"{folder / 'threats.csv'}: cannot write: {reason}; check its permissions, "
                                                      "or choose another path\n")
    assert os.listdir(folder) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its permissions")
def test_an_unreadable_model_is_permission_denied_in_one_line(tmp_path) -> None:
    path = model(tmp_path, SMALL)
    path.chmod(0o000)
    result = run("validate", str(path))
    assert (result.returncode, result.stderr) == (3, f"{path}: cannot read: permission denied; check its permissions, "
                                                      "or choose another path\n")


def test_an_output_that_cannot_be_made_is_one_line_and_exit_3(tmp_path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    result = run("report", "--no-pdf", "-o", str(in_the_way / "reports"), "tests/models/small.yaml")
    assert (result.returncode, result.stderr) == (3, f"{in_the_way / 'reports'}: cannot write: a part of the path is not a folder; "
                                                      "check the path\n")
    result = run("export", "json", "tests/models/small.yaml", "-o", str(tmp_path))
    assert (result.returncode, result.stderr) == (3, f"{tmp_path}: cannot write: it is a folder; give a file\n")

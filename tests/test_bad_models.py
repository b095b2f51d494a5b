"""Every file in tests/bad_models/ is a broken model whose header lists the exact problems expected.

Header lines look like `# error: 12:5: unknown key 'nmae'; did you mean 'name'?`. A new case is a new
file, not new test code.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from threatlib.errors import InputError
from threatlib.spec import load_model

CASES = sorted((Path(__file__).parent / "bad_models").glob("*.yaml"))
EXPECT = re.compile(rb"^# error: (\d+):(\d+): (.*)$", re.M)


def expected_problems(path: Path) -> list[str]:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # a case about the wrong encoding
        raw = raw.decode("utf-16").encode("utf-8")
    return [f"{m[1].decode()}:{m[2].decode()}: {m[3].decode('utf-8')}" for m in EXPECT.finditer(raw)]


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_model_reports_exact_problems(path: Path, library) -> None:
    expected = expected_problems(path)
    assert expected, f"{path.name} declares no expected '# error: L:C: message' line"
    with pytest.raises(InputError) as caught:
        load_model(path, library, display_name=path.name)
    got = [f"{p.line}:{p.column}: {p.message}" for p in caught.value.problems]
    assert all(p.file == path.name for p in caught.value.problems)
    assert sorted(got) == sorted(expected)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_report_on_a_bad_model_exits_2_prints_each_problem_and_writes_nothing(path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from threatlib.cli import main

    out = tmp_path / "reports"
    (out / "previous").mkdir(parents=True)
    (out / "previous" / "threats.json").write_text("from an earlier run")
    result = CliRunner().invoke(main, ["report", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert result.stderr.splitlines() == [f"{path}:{line}" for line in sorted(expected_problems(path))] or \
        sorted(result.stderr.splitlines()) == sorted(f"{path}:{line}" for line in expected_problems(path))
    assert sorted(p.name for p in out.iterdir()) == ["previous"]
    assert (out / "previous" / "threats.json").read_text() == "from an earlier run"


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from threatlib.cli import main
    from threatlib.documents.yaml_source import MAX_BYTES

    huge = tmp_path / "huge.yaml"
    line = b"# padding, never parsed: the size is checked first\n"
    huge.write_bytes(b"metadata:\n" + line * (MAX_BYTES // len(line) + 1))
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["report", str(huge), "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{huge}:1:1: file is {huge.stat().st_size:,} bytes; the limit is 20,971,520"]
    assert not out.exists() or list(out.iterdir()) == []

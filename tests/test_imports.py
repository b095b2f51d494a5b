"""`threatlib --help` and `validate` import only what they need (their speed is measured in `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
HEAVY = ("pytm", "jinja2", "weasyprint", "graphviz", "rich", "ruamel", "orjson", "threatlib.render", "threatlib.analysis")

PROBE = """
import json, sys
from threatlib.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, sorted(m for m in sys.modules)]), file=sys.stderr)
"""


def _run(*args: str) -> tuple[int, set[str], str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, check=True)
    *problems, last = done.stderr.splitlines()
    code, modules = json.loads(last)
    return code, {m for m in modules if m.startswith(HEAVY)}, "\n".join(problems)


@pytest.mark.parametrize("args", [["--help"], ["validate", "models/tiktok.yaml"]])
def test_help_and_a_valid_model_load_nothing_heavy(args) -> None:
    code, heavy, _ = _run(*args)
    assert code == 0
    assert heavy == set()


def test_an_invalid_model_is_reported_as_plain_lines_without_rich_or_pytm(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "tests" / "bad_models" / "unknown-key.yaml").read_text())
    code, heavy, problems = _run("validate", str(bad))
    assert code == 2
    assert problems.startswith(f"{bad}:")
    assert heavy == set()  # problems are plain lines: rich is for the report's progress bar and tables


def test_a_report_imports_what_it_renders_with(tmp_path) -> None:
    code, heavy, _ = _run("report", "--no-pdf", "tests/models/small.yaml", "-o", str(tmp_path))
    assert code == 0
    assert {"pytm", "jinja2", "graphviz", "rich", "threatlib.render", "threatlib.analysis"} <= heavy
    assert not any(m.startswith("weasyprint") for m in heavy)


def test_pytm_controls_read_from_its_source_are_the_controls_pytm_defines() -> None:
    child = ("import sys; from threatlib.spec.checks import _pytm_control_names as names; found = sorted(names()); "
             "assert 'pytm' not in sys.modules; print(found)")
    read = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    import pytm

    defined = sorted(name for name, f in pytm.Controls.model_fields.items() if f.annotation is bool)
    assert read.strip() == str(defined)
    assert "isEncrypted" in defined and "authenticationScheme" not in defined  # a str control is not one of them


def test_validate_freezes_its_objects_only_as_the_interpreter_exits() -> None:
    # The probe's own exit handler runs after threatlib's (handlers run last registered first).
    child = ("import atexit, gc, sys; atexit.register(lambda: print('at exit', gc.get_freeze_count() > 0));"
             "from threatlib.cli import main\n"
             "try:\n    main(['validate', 'tests/models/small.yaml'])\n"
             "except SystemExit as exc:\n    print('returned', exc.code, gc.get_freeze_count())\n")
    done = subprocess.run([sys.executable, "-c", child], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-2:] == ["returned 0 0", "at exit True"]

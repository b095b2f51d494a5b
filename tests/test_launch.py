"""The installed `threatlib` command starts a writing command again with glibc's huge-page tunable, and nothing it
runs sees that: dot's environment, and so its pictures, are the user's."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from threatlib import launch, pipeline

TESTS = Path(__file__).parent

SCRIPT = Path(sys.executable).parent / "threatlib"


def _machine_restarts() -> bool:
    return launch._glibc() and launch._huge_pages_on_request()


def _recording_dot(tmp_path: Path) -> Path:
    """A `dot` first on the PATH that writes down its own GLIBC_TUNABLES and marker, and the GLIBC_TUNABLES its
    parent (the threatlib process) was started with, then runs the real dot."""
    real = shutil.which("dot")
    assert real is not None
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "dot").write_text(f"""#!/bin/sh
{{ echo "dot sees: ${{GLIBC_TUNABLES-unset}} ${{THREATLIB_RESTARTED-unset}}"
  echo "threatlib started with: $(tr '\\0' '\\n' < /proc/$PPID/environ | grep '^GLIBC_TUNABLES=' || echo unset)"
}} >> "{tmp_path / 'record'}"
exec {real} "$@"
""")
    (folder / "dot").chmod(0o755)
    return folder


def _dot_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", launch.RESTARTED)}
    env["PATH"] = f"{_recording_dot(tmp_path)}{os.pathsep}{env['PATH']}"
    env["THREATLIB_CACHE_DIR"] = str(tmp_path / "cache")  # an empty cache: dot draws
    return env


def _export_svg(tmp_path: Path, model: Path, tunables: str | None) -> list[str]:
    env = _dot_env(tmp_path)
    if tunables is not None:
        env["GLIBC_TUNABLES"] = tunables
    subprocess.run([str(SCRIPT), "export", "svg", str(model), "-o", str(tmp_path / "dfd.svg")], env=env, check=True,
                   capture_output=True)
    return sorted(set((tmp_path / "record").read_text().splitlines()))


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to see a process's environment")
def test_a_writing_command_restarts_with_the_tunable_and_dot_sees_the_user_s_environment(tmp_path, small_model_path):
    started = f"GLIBC_TUNABLES={launch.TUNABLE}" if _machine_restarts() else "unset"
    assert _export_svg(tmp_path, small_model_path, None) == ["dot sees: unset unset", f"threatlib started with: {started}"]


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to see a process's environment")
def test_a_user_s_own_tunables_are_kept_and_not_restarted(tmp_path, small_model_path):
    own = "glibc.malloc.hugetlb=0"
    assert _export_svg(tmp_path, small_model_path, own) == [f"dot sees: {own} unset",
                                                             f"threatlib started with: GLIBC_TUNABLES={own}"]


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to see a process's environment")
def test_the_workers_that_report_several_models_start_with_it_too(tmp_path, monkeypatch, library):
    for name, value in _dot_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    models = [TESTS / "models" / "small.yaml", TESTS.parent / "models" / "zoom-2020.yaml"]
    before = dict(os.environ)
    written = list(pipeline.reports(models, library, tmp_path / "out", pdf=False, jobs=2, ids_checked=True))
    assert [path.name for path, _ in written] == ["small-app", "zoom-2020"]
    assert dict(os.environ) == before
    started = f"GLIBC_TUNABLES={launch.TUNABLE}" if _machine_restarts() else "unset"
    assert sorted(set((tmp_path / "record").read_text().splitlines())) == [
        "dot sees: unset unset", f"threatlib started with: {started}"]


@pytest.mark.parametrize(("setting", "restarts"), [
    ("always [madvise] never\n", True),
    ("[always] madvise never\n", False),  # every large mapping has huge pages already
    ("always madvise [never]\n", False),
    (None, False),  # no transparent huge pages in this kernel
])
def test_only_a_writing_command_on_a_kernel_that_gives_huge_pages_on_request_restarts(tmp_path, monkeypatch, setting,
                                                                                        restarts):
    path = tmp_path / "enabled"
    if setting is not None:
        path.write_text(setting)
    monkeypatch.setattr(launch, "THP_SETTING", str(path))
    monkeypatch.setattr(launch, "_glibc", lambda: True)
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    for command in ("report", "export", "compare"):
        assert launch._worth_restarting(["--quiet", command, "model.yaml"]) is restarts
    for command in ("validate", "diff", "serve", "schema"):
        assert launch._worth_restarting([command, "report"]) is False  # the command is the first word, not any
    assert launch._worth_restarting(["--help"]) is False
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0")
    assert launch._worth_restarting(["report", "model.yaml"]) is False


def test_the_restarted_process_takes_the_tunable_and_its_marker_out_of_its_environment(monkeypatch):
    monkeypatch.setenv("GLIBC_TUNABLES", launch.TUNABLE)
    monkeypatch.setenv(launch.RESTARTED, "1")
    monkeypatch.setattr(sys, "argv", ["threatlib", "--version"])
    with pytest.raises(SystemExit) as ended:
        launch.entry()
    assert ended.value.code == 0
    assert "GLIBC_TUNABLES" not in os.environ and launch.RESTARTED not in os.environ

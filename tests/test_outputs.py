"""Writing outputs under faults: a run killed at any step, two runs at once, a write that fails midway.

At every instant the output path holds the old complete set or the new one; what a killed run leaves is
recognised and cleaned by the next; a failed `export -o` leaves the old file whole.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT

FILES = [f"part-{n}.txt" for n in range(4)]

# A child that writes one set and dies (os._exit: no cleanup runs, as under kill -9) just before its `die_at`-th
# step: each rename, exchange, removal, flush to disk, new folder and permission change counts as one.
CHILD = textwrap.dedent("""
    import os, shutil, sys, tempfile
    from pathlib import Path
    import threatlib.output as out

    out_dir, version, die_at, exchange = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "exchange"
    steps = [0]

    def step(function):
        def counted(*args, **kwargs):
            steps[0] += 1
            if steps[0] == die_at:
                os._exit(9)
            return function(*args, **kwargs)
        return counted

    os.rename, os.replace, os.fsync, os.chmod = step(os.rename), step(os.replace), step(os.fsync), step(os.chmod)
    shutil.rmtree, tempfile.mkdtemp = step(shutil.rmtree), step(tempfile.mkdtemp)
    if hasattr(out, "_exchange"):
        out._exchange = step(out._exchange) if exchange else step(lambda a, b: False)
    files = {name: f"{version} {name}\\n".encode() * 1000 for name in FILES}
    out.write_outputs(files, out_dir, "m")
    print("finished")
""").replace("FILES", repr(FILES))


def write(out_dir: Path, version: str, die_at: int = 0, mode: str = "exchange") -> bool:
    done = subprocess.run([sys.executable, "-c", CHILD, str(out_dir), version, str(die_at), mode],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 9), done.stderr
    return done.stdout == "finished\n"


def version_at(target: Path) -> str | None:
    """'old' or 'new' when the folder holds that complete set; None when it is missing; fails on a mixture."""
    if not target.exists():
        return None
    contents = {p.name: p.read_bytes() for p in target.iterdir()}
    versions = {v for v in ("old", "new") if contents == {n: f"{v} {n}\n".encode() * 1000 for n in FILES}}
    assert len(versions) == 1, f"a mixed or partial set: {sorted(contents)}"
    return versions.pop()


@pytest.mark.parametrize("mode", ["exchange", "two-renames"])
def test_a_run_killed_at_any_step_leaves_a_complete_set_and_the_next_run_cleans_up(tmp_path, mode) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    for die_at in range(1, 100):
        assert write(out, "old")  # each round starts from a complete old set
        finished = write(out, "new", die_at, mode)
        seen = version_at(out / "m")
        if mode == "exchange":
            assert seen in ("old", "new"), f"killed at step {die_at}: nothing at the output path"
        # The next run recognises what the killed one left, removes it, and writes its own set.
        assert write(out, "new")
        assert sorted(os.listdir(out)) == ["m"], f"killed at step {die_at}: leftovers"
        assert version_at(out / "m") == "new"
        if finished:
            assert die_at > 5  # the kills above really fell inside the write
            break
    else:
        pytest.fail("the write never finished")


def test_leftovers_of_the_earlier_layout_are_recognised(tmp_path) -> None:
    from threatlib.output import write_outputs

    out = tmp_path / "reports"
    (out / ".m.abcd1234").mkdir(parents=True)  # a staging folder, killed while writing
    (out / ".m.abcd1234" / "part-0.txt").write_text("half")
    (out / ".m.old.efgh5678" / "m").mkdir(parents=True)  # killed between the two renames: the old set, retired
    (out / ".m.old.efgh5678" / "m" / "part-0.txt").write_text("previous")
    (out / ".notes").mkdir()  # someone's own hidden folder: not ours, left alone
    write_outputs({"part-0.txt": b"new"}, out, "other")
    assert sorted(os.listdir(out)) == [".notes", "m", "other"]
    assert (out / "m" / "part-0.txt").read_text() == "previous"  # restored, since nothing stood at the path


def test_runs_on_one_output_folder_wait_for_each_other(tmp_path) -> None:
    from threatlib.output import locked

    out = tmp_path / "reports"
    out.mkdir()
    with locked(out):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(out), "new", "0", "exchange"], cwd=ROOT,
                                 stdout=subprocess.PIPE, text=True)
        time.sleep(2)
        assert child.poll() is None and not (out / "m").exists()  # waiting for the lock
    assert child.communicate(timeout=60)[0] == "finished\n"
    assert version_at(out / "m") == "new"


def test_concurrent_runs_leave_one_complete_set_and_readers_never_see_a_gap(tmp_path) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    assert write(out, "old")
    writers = [subprocess.Popen([sys.executable, "-c", CHILD, str(out), version, "0", "exchange"], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True) for version in ("new", "old", "new", "old", "new")]
    seen = set()
    while any(w.poll() is None for w in writers):
        seen.add(snapshot(out / "m"))
    assert [w.communicate(timeout=60)[0] for w in writers] == ["finished\n"] * 5
    assert None not in seen and sorted(os.listdir(out)) == ["m"]
    assert version_at(out / "m") in ("old", "new")


def snapshot(target: Path) -> str | None:
    """The version of the set a reader holding the folder open reads; None if the path was missing."""
    while True:
        try:
            fd = os.open(target, os.O_RDONLY)
        except FileNotFoundError:
            return None
        held = os.fstat(fd).st_ino
        try:
            names = os.listdir(fd)
            contents = {}
            for name in names:
                file = os.open(name, os.O_RDONLY, dir_fd=fd)
                with os.fdopen(file, "rb") as handle:
                    contents[name] = handle.read()
        except FileNotFoundError:
            continue  # the set this reader held was retired while it read: read the current one
        finally:
            os.close(fd)
        try:
            retired = os.stat(target).st_ino != held
        except FileNotFoundError:
            return None
        if retired:  # retired and being removed while it read (its listing may already be empty): read again
            continue
        versions = [v for v in ("old", "new") if contents == {n: f"{v} {n}\n".encode() * 1000 for n in FILES}]
        assert len(versions) == 1, f"a mixed or partial set: {sorted(contents)}"
        return versions[0]


def _small_file_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG, as a full disk fails
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_a_write_that_fails_midway_keeps_the_old_outputs(tmp_path) -> None:
    threatlib = [sys.executable, "-m", "threatlib.cli"]
    csv = tmp_path / "threats.csv"
    csv.write_text("the previous export\n")
    result = subprocess.run([*threatlib, "export", "csv", "tests/models/small.yaml", "-o", str(csv)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, preexec_fn=_small_file_limit)
    assert (result.returncode, result.stderr) == (3, f"{csv}: cannot write: the file is larger than the system allows; "
                                                      "raise the file size limit or free some space, then run again\n")
    assert csv.read_text() == "the previous export\n" and os.listdir(tmp_path) == ["threats.csv"]

    out = tmp_path / "reports"
    (out / "small-app").mkdir(parents=True)
    (out / "small-app" / "threats.csv").write_text("the previous report\n")
    result = subprocess.run([*threatlib, "report", "--no-pdf", "tests/models/small.yaml", "-o", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, preexec_fn=_small_file_limit)
    assert (result.returncode, result.stderr) == (3, f"{out / 'small-app'}: cannot write: the file is larger than the system "
                                                      "allows; raise the file size limit or free some space, then run again\n")
    assert os.listdir(out) == ["small-app"] and os.listdir(out / "small-app") == ["threats.csv"]


def test_export_to_a_pipe_or_through_a_link_writes_where_it_points(tmp_path) -> None:
    threatlib = [sys.executable, "-m", "threatlib.cli"]
    result = subprocess.run([*threatlib, "export", "json", "tests/models/small.yaml", "-o", "/dev/stdout"], cwd=ROOT,
                            capture_output=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith(b"{") and os.path.islink("/dev/stdout")
    real = tmp_path / "real.json"
    real.write_text("old")
    (tmp_path / "link.json").symlink_to(real)
    result = subprocess.run([*threatlib, "export", "json", "tests/models/small.yaml", "-o", str(tmp_path / "link.json")],
                            cwd=ROOT, capture_output=True, timeout=120)
    assert result.returncode == 0 and (tmp_path / "link.json").is_symlink() and real.read_bytes().startswith(b"{")
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real.json"]

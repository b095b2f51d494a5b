"""`threatlib new-jurisdiction` and `new-threat` start a user library whose files validate once filled in,
and whose proofs then pass; `threatlib library --prove` says what is left, with positions."""

from __future__ import annotations

from pathlib import Path

from test_cli import run

from threatlib.library import LIBRARY_DIR
from threatlib.scaffold import PLACEHOLDER_URL


def fill(folder: Path) -> None:
    for path in folder.rglob("*.yaml"):
        text = path.read_text()
        path.write_text(text.replace('"REPLACE: ', '"').replace("REPLACE: ", "").replace(PLACEHOLDER_URL, "https://example.org/law"))


def test_skeletons_list_what_to_fill_in_and_prove_once_filled(tmp_path) -> None:
    lib = tmp_path / "lib"
    assert run("new-jurisdiction", "XB", "--into", str(lib)).stdout.splitlines() == [
        f"wrote {lib}/jurisdictions/XB.yaml", f"wrote {lib}/jurisdictions/proofs/XB.yaml",
        f"replace each REPLACE: value, then run `threatlib library --library {lib} --prove`"]
    assert run("new-threat", "MK-02", "--family", "marketplace", "--into", str(lib)).returncode == 0
    assert sorted(str(p.relative_to(lib)) for p in lib.rglob("*.yaml")) == [
        "jurisdictions/XB.yaml", "jurisdictions/proofs/XB.yaml", "threats/marketplace/MK-02/fires.yaml",
        "threats/marketplace/MK-02/near_miss.yaml",
        "threats/marketplace/MK-02/threat.yaml"]
    unfilled = run("library", "--library", str(lib), "--prove")
    lines = unfilled.stderr.splitlines()
    assert unfilled.returncode == 2 and lines and all(": left to fill in: " in line for line in lines)
    assert lines[0] == f"{lib}/jurisdictions/XB.yaml:9:7: left to fill in: name is still a placeholder"
    assert any(line.startswith(f"{lib}/threats/marketplace/MK-02/threat.yaml:") for line in lines)
    fill(lib)
    filled = run("library", "--library", str(lib), "--prove")
    built_in = len(list((LIBRARY_DIR / "jurisdictions").glob("*.yaml")))
    assert (filled.returncode, filled.stdout, filled.stderr) == (
        0, f"proved {built_in + 1} legal orders and 1 user threats\n", "")


def test_prove_names_a_legal_order_without_a_proof_and_a_threat_that_misfires(tmp_path) -> None:
    lib = tmp_path / "lib"
    run("new-jurisdiction", "XB", "--into", str(lib))
    run("new-threat", "MK-02", "--family", "marketplace", "--into", str(lib))
    fill(lib)
    (lib / "jurisdictions" / "proofs" / "XB.yaml").unlink()
    fires = lib / "threats" / "marketplace" / "MK-02" / "fires.yaml"
    lines = fires.read_text().splitlines()
    listing = next(i for i, line in enumerate(lines) if line.startswith("  - {id: listing-store"))
    fires.write_text("\n".join(lines[:listing] + ["  # fires: MK-02"] + lines[listing:]) + "\n")
    result = run("library", "--library", str(lib), "--prove")
    assert (result.returncode, result.stderr.splitlines()) == (2, [
        f"{lib}/jurisdictions/proofs/XB.yaml:1:1: XB has no proof: write {lib}/jurisdictions/proofs/XB.yaml "
        "(docs/jurisdictions.md, 'Proofs')",
        f"{fires}:{listing + 1}:3: MK-02 should fire on 'listing-store' but does not"])


def test_skeletons_refuse_a_bad_name_and_never_overwrite(tmp_path) -> None:
    from click.testing import CliRunner

    from threatlib.cli import main

    def run(*args: str):  # in-process: these never load the library
        return CliRunner().invoke(main, list(args))

    assert run("new-jurisdiction", "xb", "--into", str(tmp_path)).stderr == (
        "error: 'xb' is not a jurisdiction code: use two capital letters (XA to XZ are free for your own)\n")
    assert run("new-threat", "MK1", "--family", "m", "--into", str(tmp_path)).stderr == (
        "error: 'MK1' is not a threat id: a family prefix and a number, e.g. MK-01\n")
    run("new-jurisdiction", "XB", "--into", str(tmp_path))
    again = run("new-jurisdiction", "XB", "--into", str(tmp_path))
    assert (again.exit_code, again.stderr) == (2, f"error: {tmp_path}/jurisdictions/XB.yaml, {tmp_path}/jurisdictions/"
                                                   "proofs/XB.yaml already exists; choose another code or remove it\n")


def test_an_entry_started_in_the_built_in_library_is_proved_by_the_tests_not_as_a_user_library(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    import threatlib.library
    from threatlib.cli import main

    monkeypatch.setattr(threatlib.library, "LIBRARY_DIR", tmp_path / "library")  # stands in for the package's folder
    for args in (["new-threat", "MK-02", "--family", "marketplace"], ["new-jurisdiction", "XB"]):
        built_in = CliRunner().invoke(main, [*args, "--into", str(tmp_path / "library")])
        user = CliRunner().invoke(main, [*args, "--into", str(tmp_path / "mine")])
        assert (built_in.exit_code, built_in.stdout.splitlines()[-1]) == (
            0, "replace each REPLACE: value, then prove it with `make test-fast` (CONTRIBUTING.md)")
        assert (user.exit_code, user.stdout.splitlines()[-1]) == (
            0, f"replace each REPLACE: value, then run `threatlib library --library {tmp_path / 'mine'} --prove`")

"""A user library: the analyst's own legal orders and threats, in the package's layout, outside the package.

tests/user_library holds Examplia (XA, fictional) and one threat, MK-01; tests/models/examplia.yaml uses both.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, TESTS
from test_cli import run
from test_messages import METADATA_KEYS

from threatlib.errors import InputError
from threatlib.library import LIBRARY_DIR, load_library
from threatlib.proofs import check_proof, proof_path, prove_threat, read_proof
from threatlib.spec import load_model

USER = TESTS / "user_library"
MODEL = "tests/models/examplia.yaml"


def unknown_xa(line: int, column: int) -> str:
    return (f"{MODEL}:{line}:{column}: unknown jurisdiction 'XA': not in the built-in library or a user library; "
            "`threatlib library` lists the codes. If it is in your own library folder, pass --library FOLDER "
            "(FOLDER/jurisdictions/XA.yaml) or list the folder under the model's 'library:'; otherwise use the "
            "nearest legal order and say so in the description")


def test_without_the_library_the_model_fails_naming_the_option() -> None:
    result = run("validate", MODEL)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [unknown_xa(15, 22), unknown_xa(16, 19)]


def test_with_the_library_the_model_validates_and_reports_where_each_entry_came_from(tmp_path) -> None:
    result = run("validate", "--library", "tests/user_library", MODEL)
    assert (result.returncode, result.stdout) == (0, f"{MODEL}: valid (3 elements, 1 flows, 1 organisations, 1 sources)\n")
    result = run("report", "--library", "tests/user_library", "--no-pdf", "-o", str(tmp_path), MODEL)
    assert result.returncode == 0, result.stderr
    analysis = json.loads((tmp_path / "examplia-market" / "analysis.json").read_text())
    assert [(j["id"], j["library"]) for j in analysis["jurisdictions"]] == [("GB", "built-in"), ("XA", "tests/user_library")]
    threats = json.loads((tmp_path / "examplia-market" / "threats.json").read_text())["threats"]
    assert threats["MK-01"]["library"] == "tests/user_library"
    assert {f["element_id"] for f in analysis["findings"] if f["threat_id"] == "MK-01"} == {"card-store"}
    # The Examplian provisions reach the operator's elements: s. 12 by incorporation, Art. 3 by its user count.
    bases = {(c["element"], b["provision_id"]) for c in analysis["compulsion"] for b in c["bases"]}
    assert ("card-store", "xa-ia-s12") in bases
    html = (tmp_path / "examplia-market" / "report.html").read_text()
    assert "Examplia (fictional) (XA) <span class=\"muted\">(from the user library tests/user_library)</span>" in html


def test_the_library_command_names_each_entrys_library() -> None:
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "threatlib.cli", "library", "--library", "tests/user_library"], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "COLUMNS": "400"}, timeout=120)
    assert result.returncode == 0
    rows = {line.split("│")[1].strip(): line.split("│")[-2].strip()
            for line in result.stdout.splitlines() if line.startswith("│")}
    assert (rows["XA"], rows["MK-01"], rows["CN"], rows["LC-01"]) == (
        "tests/user_library", "tests/user_library", "built-in", "built-in")


def test_a_models_own_library_list_is_relative_to_the_model_file(tmp_path, library) -> None:
    shutil.copytree(USER, tmp_path / "ours")
    (tmp_path / "models").mkdir()
    text = (ROOT / MODEL).read_text()
    model = tmp_path / "models" / "market.yaml"
    model.write_text(text + "library: [../ours]\n")
    loaded, _ = load_model(model, library)
    assert loaded.library == ["../ours"]
    result = run("validate", str(model))
    assert result.returncode == 0, result.stderr
    model.write_text(text + "library: [../missing]\n")
    with pytest.raises(InputError) as caught:
        load_model(model, library, display_name="market.yaml")
    line = text.count("\n") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"market.yaml:{line}:11: library folder '../missing' not found (looked for {tmp_path / 'missing'}, "
        "relative to the model file)"]


def _user_copy(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    shutil.copytree(USER, root)
    return root


def test_a_built_in_id_cannot_be_reused_without_saying_so(tmp_path) -> None:
    root = _user_copy(tmp_path)
    (root / "jurisdictions" / "SG.yaml").write_text((LIBRARY_DIR / "jurisdictions" / "SG.yaml").read_text())
    with pytest.raises(InputError) as caught:
        load_library(user=[root])
    assert [str(p) for p in caught.value.problems] == [
        f"{root}/jurisdictions/SG.yaml:1:5: jurisdiction 'SG' is already defined by the built-in library; "
        "add 'overrides: true' to this file to replace it, or choose another id"]


def test_an_override_replaces_the_built_in_entry_and_is_named_as_such(tmp_path) -> None:
    root = _user_copy(tmp_path)
    text = (LIBRARY_DIR / "jurisdictions" / "SG.yaml").read_text().replace("name: Singapore\n", "name: Singapore (ours)\n")
    (root / "jurisdictions" / "SG.yaml").write_text("overrides: true\n" + text)
    threat = (LIBRARY_DIR / "threats" / "cross-border" / "XB-01" / "threat.yaml").read_text()
    (root / "threats" / "cross-border" / "XB-01").mkdir(parents=True)
    (root / "threats" / "cross-border" / "XB-01" / "threat.yaml").write_text(
        "overrides: true\n" + threat.replace("severity: high", "severity: medium"))
    library = load_library(user=[root])
    assert (library.jurisdictions["SG"].name, library.origin("SG"), library.origin("CN")) == (
        "Singapore (ours)", str(root), "built-in")
    [xb01] = [t for t in library.threats if t.threat.id == "XB-01"]
    assert (xb01.threat.severity.value, xb01.origin) == ("medium", str(root))
    assert len(library.threats) == len(load_library().threats) + 1  # XB-01 replaced, MK-01 added


def test_an_override_of_nothing_is_refused(tmp_path) -> None:
    root = _user_copy(tmp_path)
    path = root / "jurisdictions" / "XA.yaml"
    path.write_text(path.read_text().replace("id: XA\n", "id: XA\noverrides: true\n"))
    with pytest.raises(InputError) as caught:
        load_library(user=[root])
    line = path.read_text().splitlines().index("overrides: true") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}:12: jurisdiction 'XA' says 'overrides: true' but no earlier library defines 'XA'; remove the key"]


def test_a_user_threat_is_sandboxed_like_a_built_in_one(tmp_path) -> None:
    root = _user_copy(tmp_path)
    path = root / "threats" / "marketplace" / "MK-01" / "threat.yaml"
    text = path.read_text()
    path.write_text(text.replace("'payment' in target.facts.stored_tags", "__import__('os').system('true')"))
    with pytest.raises(InputError) as caught:
        load_library(user=[root])
    line = text.splitlines().index("condition: >-") + 1
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}:12: threat MK-01 refused: name '__import__' is not defined in conditions; start from 'target'"]


def test_a_missing_library_folder_is_named() -> None:
    result = run("validate", "--library", "no/such/folder", MODEL)
    assert (result.returncode, result.stderr) == (2, "no/such/folder:1:1: library folder does not exist\n")


def test_the_user_library_proves_its_own_entries() -> None:
    library = load_library(user=[USER])
    folder = USER / "threats" / "marketplace" / "MK-01"
    assert prove_threat(folder, "MK-01", library) == []
    assert check_proof(read_proof(proof_path("XA", USER), library), "XA", library) == []


def test_a_folder_given_twice_counts_once(tmp_path) -> None:
    library = load_library(user=[USER, TESTS / ".." / "tests" / "user_library"])
    assert (library.user, library.origin("XA")) == ((USER,), str(USER))


def test_a_threat_still_written_with_stride_is_told_the_new_key(tmp_path) -> None:
    root = _user_copy(tmp_path)
    path = root / "threats" / "marketplace" / "MK-01" / "threat.yaml"
    text = path.read_text()
    assert "\ncategories:" in text
    path.write_text(text.replace("\ncategories:", "\nstride:"))
    with pytest.raises(InputError) as caught:
        load_library(user=[root])
    line = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("categories:"))) + 1
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:{line}:1: unknown key 'stride': it is now 'categories', which takes STRIDE and LINDDUN categories alike"]


def test_stride_in_a_model_is_an_unknown_key_like_any_other(tmp_path) -> None:
    path = tmp_path / "m.yaml"
    text = (ROOT / MODEL).read_text()
    path.write_text(text.replace("  name: Example Market\n", "  name: Example Market\n  stride: [spoofing]\n", 1))
    result = run("validate", "--library", "tests/user_library", str(path))
    line = text.splitlines().index("  name: Example Market") + 2
    assert (result.returncode, result.stderr) == (2, f"{path}:{line}:3: unknown key 'stride'; allowed keys: {METADATA_KEYS}\n")

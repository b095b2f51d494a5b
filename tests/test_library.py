"""The library refuses what it cannot trust, before any of it runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threatlib.errors import InputError
from threatlib.library import LIBRARY_DIR, load_library
from threatlib.library.schema import REACHING_POWERS


def make_library(tmp_path: Path, threat_id: str, condition: str, family: str = "legal-compulsion") -> Path:
    root = tmp_path / "library"
    shutil.copytree(LIBRARY_DIR / "jurisdictions", root / "jurisdictions")
    source = (LIBRARY_DIR / "threats" / "legal-compulsion" / "LC-03" / "threat.yaml").read_text()
    folder = root / "threats" / family / threat_id
    folder.mkdir(parents=True)
    text = source.replace("id: LC-03", f"id: {threat_id}")
    start = text.index("condition:")
    end = text.index("\npowers:")
    (folder / "threat.yaml").write_text(text[:start] + f"condition: {condition!r}" + text[end:])
    return root


@pytest.mark.parametrize("condition, reason", [
    ("__import__('os').system('true')", "name '__import__' is not defined in conditions; start from 'target'"),
    ("target.__class__", "attribute '__class__' is private; conditions may read public attributes only"),
    ("target.facts._secret", "attribute '_secret' is private; conditions may read public attributes only"),
    ("open('/etc/passwd')", "name 'open' is not defined in conditions; start from 'target'"),
    ("os.environ", "name 'os' is not defined in conditions; start from 'target'"),
    ("(lambda: 1)()", "'Lambda' is not allowed in a condition"),
    ("target.facts.name.upper()", "call to 'upper' is not allowed; conditions may call all, any, checkTLSVersion, "
                                  "crosses, enters, exits, hasDataLeaks, inside, len, max, min, oneOf, powers_via, "
                                  "sorted, sum"),
    ("target.facts. and", "condition is not a valid expression: invalid syntax"),
])
def test_condition_outside_the_language_is_refused_with_its_position(tmp_path, condition, reason) -> None:
    root = make_library(tmp_path, "LC-99", condition)
    with pytest.raises(InputError) as caught:
        load_library(root)
    [problem] = caught.value.problems
    assert problem.file.endswith("threats/legal-compulsion/LC-99/threat.yaml")
    assert (problem.line, problem.column) == (9, 12)
    assert problem.message == f"threat LC-99 refused: {reason}"


def test_threat_in_the_wrong_folder_is_refused(tmp_path) -> None:
    root = make_library(tmp_path, "LC-98", "True", family="cross-border")
    with pytest.raises(InputError) as caught:
        load_library(root)
    assert [p.message for p in caught.value.problems] == [
        "threat LC-98 of family 'legal-compulsion' must live in threats/legal-compulsion/LC-98/, not cross-border/LC-98/"]


def test_every_provision_names_powers_links_and_a_source(library) -> None:
    for jurisdiction in library.jurisdictions.values():
        for law in jurisdiction.laws:
            for provision in law.provisions:
                assert provision.sources and provision.powers and provision.applies_via
                assert all(s.title and s.publisher and s.date for s in provision.sources)


def test_a_source_id_used_twice_for_different_sources_is_refused(tmp_path) -> None:
    root = make_library(tmp_path, "LC-97", "True")
    path = root / "threats" / "legal-compulsion" / "LC-97" / "threat.yaml"
    text = path.read_text()
    assert "publisher: \"China Law Translate (Jeremy Daum)\"" in text
    path.write_text(text.replace("publisher: \"China Law Translate (Jeremy Daum)\"", "publisher: Someone Else"))
    with pytest.raises(InputError) as caught:
        load_library(root)
    [problem] = caught.value.problems
    assert problem.file.endswith("LC-97/threat.yaml")
    assert problem.message == f"source id 'daum-2024-nil' already names a different source in {root}/jurisdictions/CN.yaml"


def test_china_can_compel_through_control(library) -> None:
    cn = library.jurisdictions["CN"]
    via_control = {p.id for law in cn.laws for p in law.provisions
                   if "control" in p.applies_via and REACHING_POWERS.intersection(p.powers)}
    assert via_control, "the CN library entry has no power that reaches through a parent's control"


def test_a_condition_that_raises_stops_the_run_instead_of_staying_silent(tmp_path, small_model_path) -> None:
    from threatlib.analysis import analyse
    from threatlib.compile import compile_model
    from threatlib.errors import ThreatConditionError
    from threatlib.spec import load_model

    root = make_library(tmp_path, "LC-96", "target.facts.no_such_fact")
    broken = load_library(root)  # the condition is in the language; it only fails when it runs
    model, _ = load_model(small_model_path, broken)
    with pytest.raises(ThreatConditionError) as caught:
        analyse(compile_model(model, broken, pytm_threats=False))
    assert str(caught.value).startswith("threat LC-96: condition raised AttributeError: ")

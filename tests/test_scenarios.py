"""Scenarios change the baseline; the analysis compares them by exposure and by stable finding id."""

from __future__ import annotations

from pathlib import Path

import pytest

from threatlib import pipeline
from threatlib.analysis.diff import diff_findings, diff_text
from threatlib.errors import InputError

GATEWAY = """
scenarios:
  - id: no-remote-access
    name: Remote access removed
    description: The engineers in China can no longer read the Irish store.
    claims:
      - {statement: A test premise., status: vendor_claim, sources: [test-source]}
    remove: [remote-read]
    update:
      - id: parent-co
        set: {staff_access_from: []}
"""


def with_text(tmp_path: Path, base: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(base.read_text() + text)
    return path


def test_scenario_closes_exactly_what_it_removes(tmp_path, small_model_path, library) -> None:
    _, analysis = pipeline.analyse_file(with_text(tmp_path, small_model_path, GATEWAY), library)
    [scenario] = analysis.scenarios
    assert scenario.id == "no-remote-access"
    assert set(scenario.closed) == {("location", "CN", "beijing-eng", "general_public"),
                                    ("profile", "CN", "beijing-eng", "general_public")}
    assert scenario.opened == []
    legal_removed = {i for i in scenario.findings_removed if "-" in i.split("@")[0]}
    # Without the remote read the Beijing engineers handle no personal data, so their secrecy and
    # children's-data findings go too.
    assert legal_removed == {"XB-01@remote-read", "XB-03@remote-read", "PR-05@remote-read", "PR-07@beijing-eng",
                             "LC-03@beijing-eng"}
    assert [c.status for c in scenario.claims] == ["vendor_claim"]


def test_diff_of_a_scenario_against_its_baseline(tmp_path, small_model_path, library) -> None:
    path = with_text(tmp_path, small_model_path, GATEWAY)
    before = pipeline.analyse_variant(path, None, library)
    after = pipeline.analyse_variant(path, "no-remote-access", library)
    diff = diff_findings(before, after)
    assert diff.added == []
    assert {i for i in diff.removed if "-" in i.split("@")[0]} == {
        "XB-01@remote-read", "XB-03@remote-read", "PR-05@remote-read", "PR-07@beijing-eng", "LC-03@beijing-eng"}
    text = diff_text(before, after, diff)
    assert text.splitlines()[0] == "--- Small App"
    assert text.splitlines()[1] == "+++ Small App: Remote access removed"
    assert "- XB-01@remote-read" in text.splitlines()


@pytest.mark.parametrize("change, message", [
    ("    remove: [nowhere]\n", "scenario 'bad': nothing with id 'nowhere' to remove"),
    ("    update:\n      - id: app\n        set: {colour: red}\n", "scenario 'bad': elements entries have no field 'colour' to set"),
    ("    update:\n      - id: app\n        set: {operator: nobody}\n", "scenario 'bad': no organisation with id 'nobody'"),
])
def test_broken_scenarios_are_reported_at_the_scenario(tmp_path, small_model_path, library, change, message) -> None:
    text = "\nscenarios:\n  - id: bad\n    name: Bad\n    description: Broken on purpose.\n" + change
    path = with_text(tmp_path, small_model_path, text)
    with pytest.raises(InputError) as caught:
        pipeline.analyse_file(path, library)
    [problem] = caught.value.problems
    assert problem.message == message
    baseline_lines = len(small_model_path.read_text().splitlines())
    assert problem.line > baseline_lines  # inside the appended scenario, not somewhere in the baseline

"""Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool, installed by `make test`) reads our SARIF.

It must find no error and no warning under the SARIF and GitHub rules, and none of the notes that our
rule metadata once drew (rule names that are not Pascal case, threatlib's rules without a helpUri). Under
its Azure DevOps (GHAzDO) rules the tool's full name and the run's category must be there; what is left is
what only the Azure pipeline that uploads the file can write (its build and phase ids, in automationDetails).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest
from conftest import ROOT, TESTS

from threatlib import pipeline
from threatlib.render.sarif import sarif_json

pytestmark = pytest.mark.slow  # Microsoft's program runs once per log, a few seconds each
MULTITOOL = ROOT / ".venv" / "npm" / "node_modules" / ".bin" / "sarif-multitool"
PIPELINE_ONLY = {"GHAzDO1019", "GHAzDO1020"}  # azuredevops/pipeline/build/* properties and id prefix
# Notes that stay, each a choice: messages as text (no message strings), no code snippets or context regions
# (the model file is short and at hand), pytm's rules point at CAPEC rather than at us, no invocation record.
ACCEPTED_NOTES = {"SARIF2002", "SARIF2003", "SARIF2006", "SARIF2010", "SARIF2011", "SARIF2013"}


@pytest.fixture(scope="module")
def checked(small_model_path, library, tmp_path_factory) -> dict[str, list[tuple[str, str, str]]]:
    """What the Multitool reports on the small model's SARIF and a pytm script's, by file: (rule, level, where)."""
    assert MULTITOOL.exists(), "Microsoft's SARIF Multitool is missing: run `make test` (or `make sarif-multitool`)"
    folder = tmp_path_factory.mktemp("sarif")
    logs = {"small": small_model_path, "pytm": TESTS / "pytm_models" / "webapp.py"}
    for name, model in logs.items():
        (folder / f"{name}.sarif").write_bytes(sarif_json(pipeline.analyse_file(model, library)[1]))
    report = folder / "validation.sarif"
    # One run for both files and every rule set: the tool takes seconds to start. Its npm launcher hands the
    # arguments to a shell, so the semicolon lists are quoted for it.
    done = subprocess.run([str(MULTITOOL), "validate", *(str(folder / f"{n}.sarif") for n in logs), "--output", str(report),
                           "--log", "ForceOverwrite", "--level", '"Error;Warning;Note"', "--rule-kind", '"Sarif;Ghas;Ado"'],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    found: dict[str, list] = {name: [] for name in logs}
    for r in json.loads(report.read_text(encoding="utf-8"))["runs"][0]["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        found[uri.rsplit("/", 1)[-1].removesuffix(".sarif")].append(
            (r["ruleId"], r["level"], " ".join(map(str, r["message"].get("arguments", [])))))
    return found


@pytest.mark.parametrize("model", ["small", "pytm"])
def test_no_error_or_warning_under_the_sarif_and_github_rules(checked, model) -> None:
    general = [r for r in checked[model] if not r[0].startswith("GHAzDO")]
    assert [r for r in general if r[1] in {"error", "warning"}] == []
    assert [r for r in general if r[0] == "SARIF2012"] == []  # friendly names in Pascal case; our rules' helpUri given
    assert set(Counter(r[0] for r in general if r[1] == "note")) <= ACCEPTED_NOTES


@pytest.mark.parametrize("model", ["small", "pytm"])
def test_under_the_azure_devops_rules_only_what_the_pipeline_writes_is_missing(checked, model) -> None:
    azure = {r[0] for r in checked[model] if r[0].startswith("GHAzDO") and r[1] in {"error", "warning"}}
    assert azure == PIPELINE_ONLY  # no GHAzDO1014 (automationDetails) or GHAzDO1018 (driver fullName)

"""Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool, installed by `make test`) reads our SARIF.

It must find no error and no warning under the SARIF and GitHub rules, and none of the notes that our
rule metadata once drew (rule names that are not Pascal case, threatlib's rules without a helpUri). Under
its Azure DevOps (GHAzDO) rules the tool name and the run's category must be there; what is left is what
only the Azure pipeline that uploads the file can write (its build and phase ids, in automationDetails).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter

import pytest
from conftest import ROOT, TESTS

from threatlib import pipeline
from threatlib.render.sarif import sarif_json

MULTITOOL = ROOT / ".venv" / "npm" / "node_modules" / ".bin" / "sarif-multitool"
PIPELINE_ONLY = {"GHAzDO1019", "GHAzDO1020"}  # azuredevops/pipeline/build/* properties and id prefix


def multitool(sarif: bytes, tmp_path, rule_kinds: str) -> list[tuple[str, str, str]]:
    """(rule id, level, what it points at) for each thing the Multitool reports."""
    assert MULTITOOL.exists(), "Microsoft's SARIF Multitool is missing: run `make test` (or `make sarif-multitool`)"
    log, report = tmp_path / "findings.sarif", tmp_path / "validation.sarif"
    log.write_bytes(sarif)
    # The npm launcher hands its arguments to a shell: a list with semicolons is quoted for it.
    done = subprocess.run([str(MULTITOOL), "validate", str(log), "--output", str(report), "--log", "ForceOverwrite",
                           "--level", '"Error;Warning;Note"', "--rule-kind", f'"{rule_kinds}"'],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(report.read_text(encoding="utf-8"))["runs"][0]["results"]
    return [(r["ruleId"], r["level"], " ".join(map(str, r["message"].get("arguments", [])))) for r in results]


@pytest.fixture(scope="module")
def small_sarif(small_model_path, library) -> bytes:
    return sarif_json(pipeline.analyse_file(small_model_path, library)[1])


def test_no_error_or_warning_under_the_sarif_and_github_rules(small_sarif, tmp_path) -> None:
    found = multitool(small_sarif, tmp_path, "Sarif;Ghas")
    assert [r for r in found if r[1] in {"error", "warning"}] == []
    assert [r for r in found if r[0] == "SARIF2012"] == []  # friendly names Pascal case; helpUri given
    # Notes that stay, each a choice: messages as text (no message strings), no code snippets or context regions
    # (a model file is short and at hand), rules with a helpUri that is not ours, no invocation or version control.
    assert set(Counter(r[0] for r in found)) <= {"SARIF2002", "SARIF2003", "SARIF2006", "SARIF2010", "SARIF2011", "SARIF2013"}


def test_under_the_azure_devops_rules_only_what_the_pipeline_writes_is_missing(small_sarif, tmp_path) -> None:
    found = multitool(small_sarif, tmp_path, "Ado")
    assert {r[0] for r in found if r[1] in {"error", "warning"}} == PIPELINE_ONLY


def test_a_pytm_scripts_sarif_is_as_clean(library, tmp_path) -> None:
    analysis = pipeline.analyse_file(TESTS / "pytm_models" / "webapp.py", library)[1]
    found = multitool(sarif_json(analysis), tmp_path, "Sarif;Ghas")
    assert [r for r in found if r[1] in {"error", "warning"} or r[0] == "SARIF2012"] == []

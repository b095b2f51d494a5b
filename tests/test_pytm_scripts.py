"""pytm users' scripts in every common style give exactly plain pytm 1.4's findings and excluded findings.

Plain pytm runs each script as a subprocess, the way its author would (`python SCRIPT --json FILE`); threatlib
runs the same file in-process. The two must agree as multisets of (threat id, element name).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT, TESTS

from threatlib import pipeline
from threatlib.errors import InputError

SCRIPTS = TESTS / "pytm_models"
STYLES = ["webapp.py", "module_level.py", "renamed_tm.py", "star_import.py", "pytm_pytm_import.py", "assumptions.py",
          "threats_file.py", "overrides.py", "old_attributes.py"]


def plain_pytm(script, tmp_path) -> tuple[Counter, Counter]:
    out = tmp_path / "pytm.json"
    subprocess.run([sys.executable, str(script), "--json", str(out)], check=True, cwd=tmp_path, capture_output=True)
    result = json.loads(out.read_text())
    return (Counter((f["threat_id"], f["target"]) for f in result["findings"]),
            Counter((f["threat_id"], f["target"]) for f in result["excluded_findings"]))


def ours(script, library):
    _, analysis = pipeline.analyse_file(script, library)
    found = Counter((f.threat_id, f.element_name) for f in analysis.findings if f.origin == "pytm")
    excluded = Counter((x.finding.threat_id, x.finding.element_name) for x in analysis.excluded)
    return analysis, found, excluded


@pytest.mark.parametrize("name", STYLES)
def test_findings_and_excluded_findings_are_plain_pytms(name, tmp_path, library) -> None:
    expected_found, expected_excluded = plain_pytm(SCRIPTS / name, tmp_path)
    analysis, found, excluded = ours(SCRIPTS / name, library)
    assert found == expected_found
    assert excluded == expected_excluded
    assert {f.origin for f in analysis.findings} <= {"pytm"}


def test_the_scripts_own_threats_file_set_under_main_is_the_one_applied(library) -> None:
    _, found, _ = ours(SCRIPTS / "threats_file.py", library)
    assert found == Counter({("KIOSK01", "Kiosk server"): 1, ("KIOSK02", "Report status"): 1})


def test_excluded_findings_carry_the_assumptions_words_and_plain_assumptions_reach_the_report(library) -> None:
    analysis, found, _ = ours(SCRIPTS / "assumptions.py", library)
    assert [(x.finding.id, x.justification) for x in analysis.excluded] == [
        ("INP03@wiki-server", "pytm assumption: Input is filtered by the web application firewall"),
        ("INP16@wiki-server", "pytm assumption: Only staff reach the office network: The wiki is not exposed to the internet."),
    ]
    assert ("INP16", "Wiki server") not in found
    assert analysis.model.scope.endswith("The script assumes: The wiki holds no customer data.")


def test_overrides_force_their_finding_and_their_response_is_a_decision(library) -> None:
    analysis, found, _ = ours(SCRIPTS / "overrides.py", library)
    assert found[("INP03", "Booking site")] == 1  # forced: the site sanitises input and encodes output
    assert [(d.finding, d.decision, d.justification) for d in analysis.decisions] == [
        ("INP02@booking-site", "mitigated", "pytm override response: mitigated (CVSS 4.3)"),
        ("INP03@booking-site", "accepted", "pytm override response: accepted: the site serves no server-side includes"),
    ]


def test_pytm_element_kinds_keep_their_class(library) -> None:
    analysis, _, _ = ours(SCRIPTS / "star_import.py", library)
    assert [(e.id, e.kind) for e in analysis.elements] == [
        ("user", "actor"), ("planner-agent", "process"), ("language-model", "process"), ("tool-workers", "process")]


def test_an_invalid_script_is_one_positioned_line_where_plain_pytm_gives_a_traceback(tmp_path, library) -> None:
    script = SCRIPTS / "invalid.py"
    plain = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert plain.returncode == 1 and "Traceback" in plain.stderr
    with pytest.raises(InputError) as caught:
        pipeline.analyse_file(script, library)
    assert [str(p) for p in caught.value.problems] == [
        f"{script}:7:1: the pytm script raised an invalid Datastore: isSQL: Input should be a valid boolean, "
        "unable to interpret input (got 'sometimes')"]
    cli = subprocess.run([sys.executable, "-m", "threatlib.cli", "validate", str(script)], cwd=ROOT,
                         capture_output=True, text=True)
    assert (cli.returncode, cli.stderr) == (2, str(caught.value.problems[0]) + "\n")


def test_a_script_that_exits_with_an_error_is_one_line_and_pytms_argument_parser_never_sees_ours(tmp_path, library) -> None:
    script = tmp_path / "exits.py"
    script.write_text("import sys\nfrom pytm import TM\ntm = TM('x', description='d')\n"
                      "print('usage: exits.py FILE', file=sys.stderr)\nsys.exit(3)\n")
    with pytest.raises(InputError) as caught:
        pipeline.analyse_file(script, library)
    assert [str(p) for p in caught.value.problems] == [
        f"{script}:5:1: the pytm script exited with status 3: usage: exits.py FILE"]


def test_a_module_level_process_call_through_the_command_line_writes_clean_output(library) -> None:
    """`tm.process()` at module level once ran pytm's argparse on threatlib's own arguments and exited 2."""
    cli = subprocess.run([sys.executable, "-m", "threatlib.cli", "export", "json", str(SCRIPTS / "module_level.py")],
                         cwd=ROOT, capture_output=True)
    assert cli.returncode == 0, cli.stderr
    exported = json.loads(cli.stdout)
    _, found, _ = ours(SCRIPTS / "module_level.py", library)
    assert Counter((f["threat_id"], f["element_name"]) for f in exported["findings"]) == found


def test_sarif_points_at_the_script_line_where_each_element_and_flow_is_made(library) -> None:
    from threatlib.render.sarif import sarif_log

    _, analysis = pipeline.analyse_file(SCRIPTS / "webapp.py", library)
    lines = (SCRIPTS / "webapp.py").read_text().splitlines()
    made = {e.id: e.line for e in analysis.elements} | {f.id: f.line for f in analysis.flows}
    assert lines[made["web-server"] - 1] == 'web = Server("Web Server")'
    assert lines[made["store-order"] - 1] == 'web_to_db = Dataflow(web, db, "Store order")'
    result = next(r for r in sarif_log(analysis)["runs"][0]["results"] if r["properties"]["element"] == "web-server")
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": made["web-server"]}


def test_a_model_pytm_rejects_in_check_is_placed_at_the_process_call(tmp_path, library) -> None:
    script = tmp_path / "duplicates.py"
    script.write_text("from pytm import TM, Actor, Dataflow, Server, Action\n"
                      "tm = TM('Dup', description='d', onDuplicates=Action.RESTRICT)\n"
                      "a, b = Actor('A'), Server('B')\nDataflow(a, b, 'one')\nDataflow(a, b, 'two')\n\n"
                      "if __name__ == '__main__':\n    tm.process()\n")
    plain = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert plain.returncode == 1 and "ValueError: Duplicate Dataflow found between Actor(A) and Server(B)" in plain.stderr
    with pytest.raises(InputError) as caught:
        pipeline.analyse_file(script, library)
    assert [str(p) for p in caught.value.problems] == [
        f"{script}:8:1: pytm rejected the model: ValueError: Duplicate Dataflow found between Actor(A) and Server(B): "
        "Dataflow(one) is same as Dataflow(two)"]


def test_a_script_that_resets_pytms_state_first_still_gives_its_findings(tmp_path, library) -> None:
    script = tmp_path / "reset.py"
    script.write_text("from pytm import TM, Actor, Dataflow, Server\nTM.reset()\ntm = TM('Reset', description='d')\n"
                      "Dataflow(Actor('User'), Server('Web'), 'Visit', protocol='HTTP')\nif __name__ == '__main__':\n"
                      "    tm.process()\n")
    expected_found, _ = plain_pytm(script, tmp_path)
    _, found, _ = ours(script, library)
    assert found == expected_found and found


def test_a_flows_data_comes_in_the_order_the_script_declares_it_whatever_pytms_set_order(tmp_path, library) -> None:
    names = [f"Record {i}" for i in range(12)]
    script = tmp_path / "many_data.py"
    script.write_text("from pytm import TM, Actor, Server, Dataflow, Data\n"
                      "tm = TM('many data')\n"
                      + "".join(f"d{i} = Data({n!r})\n" for i, n in enumerate(names))
                      + "a = Actor('User')\nb = Server('Web')\nf = Dataflow(a, b, 'Upload')\n"
                      + f"f.data = [{', '.join(f'd{i}' for i in reversed(range(12)))}]\n"
                      + "tm.process()\n", encoding="utf-8")
    model = pipeline.load(script, library)
    assert model.flows[0].data == [f"record-{i}" for i in range(12)]

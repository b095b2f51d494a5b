"""A model chooses its threats: families, pytm's own on or off, and per-element exclusions with reasons."""

from __future__ import annotations

from pathlib import Path

from threatlib import pipeline

SELECTION = """
threats:
  families: [cross-border]
  pytm: false
  exclusions:
    - threat: XB-01
      element: remote-read
      justification: Access is through an independent gateway in Ireland that strips identifiers.
      owner: Security team
    - threat: LC-01
      element: dublin-store
      justification: Family not selected, so this exclusion matches nothing.
"""


def test_families_pytm_switch_and_exclusions(tmp_path: Path, small_model_path: Path, library) -> None:
    model = tmp_path / "selected.yaml"
    model.write_text(small_model_path.read_text() + SELECTION)
    _, analysis = pipeline.analyse_file(model, library)
    assert [f.id for f in analysis.findings] == ["XB-03@remote-read"]  # only the cross-border family, no pytm
    assert [(x.finding.id, x.justification, x.owner) for x in analysis.excluded] == [
        ("XB-01@remote-read", "Access is through an independent gateway in Ireland that strips identifiers.",
         "Security team")]
    assert analysis.warnings == ["exclusion of LC-01@dublin-store matches no finding; remove it or check the ids"]


def test_excluded_findings_show_in_the_report(tmp_path: Path, small_model_path: Path, library) -> None:
    model = tmp_path / "selected.yaml"
    model.write_text(small_model_path.read_text() + SELECTION)
    written, warnings = pipeline.report(model, library, tmp_path / "out", pdf=False)
    html = (written / "report.html").read_text()
    assert 'id="XB-01@remote-read"' in html
    assert "strips identifiers." in html
    assert warnings == ["exclusion of LC-01@dublin-store matches no finding; remove it or check the ids"]


DECISIONS = """
decisions:
  - finding: LC-01@dublin-store
    decision: transferred
    justification: Covered by the hosting contract's indemnity.
    owner: Legal team
    date: 2026-10-01
  - finding: XB-09@nowhere
    decision: accepted
    justification: A decision whose finding no longer exists.
    owner: Security team
    date: 2026-10-02
"""


def test_decisions_show_in_reports_and_unmatched_ones_are_warned(tmp_path: Path, small_model_path: Path, library) -> None:
    import csv
    import io

    model = tmp_path / "decided.yaml"
    model.write_text(small_model_path.read_text() + DECISIONS)
    written, warnings = pipeline.report(model, library, tmp_path / "out", pdf=False)
    assert warnings == ["decision on XB-09@nowhere matches no finding; the threat or element may have changed"]
    rows = {r["id"]: r["status"] for r in csv.DictReader(io.StringIO((written / "threats.csv").read_text("utf-8-sig")))}
    assert rows["LC-01@dublin-store"] == "transferred"
    assert rows["LC-02@app"] == "open"
    html = (written / "report.html").read_text()
    assert "transferred by Legal team, 2026-10-01" in html and "Covered by the hosting contract" in html

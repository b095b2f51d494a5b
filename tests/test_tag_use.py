"""validate warns about a tag that threats read, but not on the element where the model puts it."""

from __future__ import annotations

from test_cli import run

MODEL = """\
metadata: {id: sdk, name: SDK, description: An app with an analytics SDK., scope: Test., as_of: 2026-12-01, data_subjects_in: [GB]}
sources:
  - {id: s, title: Test source, publisher: threatlib tests, date: "2026", kind: primary}
organisations:
  - {id: vendor, name: Vendor, incorporated_in: GB, headquarters: GB, claims: [{statement: Test., status: confirmed, sources: [s]}]}
data:
  - {id: contacts, name: Contacts, tags: [contacts], classification: restricted, personal: true}
elements:
  - {id: app, name: App, kind: process, operator: vendor, location: GB, tags: [mobile_app, SDK_ON_APP]}
  - {id: sdk-server, name: SDK maker's server, kind: external, location: US, tags: [third_party_sdk]}
flows:
  - {id: upload, name: Upload, source: app, sink: sdk-server, data: [contacts]}
"""


def validate(tmp_path, text: str):
    path = tmp_path / "sdk.yaml"
    path.write_text(text)
    return path, run("validate", str(path))


def test_a_tag_on_an_element_kind_no_threat_reads_it_on_is_warned_about_with_its_position(tmp_path) -> None:
    path, result = validate(tmp_path, MODEL.replace(", SDK_ON_APP", ""))
    assert result.returncode == 0
    assert result.stderr == (f"{path}:10:85: warning: tag 'third_party_sdk' on external 'sdk-server' changes no finding: "
                             "threats read it only on device, process, server elements and on the element a flow leaves "
                             "(`threatlib library --tags` defines each tag)\n")


def test_the_same_tag_where_a_threat_reads_it_is_not(tmp_path) -> None:
    # On the app (a process), and on the external element once it is the one a flow leaves.
    _, result = validate(tmp_path, MODEL.replace(", SDK_ON_APP", ", third_party_sdk").replace(", tags: [third_party_sdk]", ""))
    assert (result.returncode, result.stderr) == (0, "")
    _, result = validate(tmp_path, MODEL.replace(", SDK_ON_APP", "").replace("source: app, sink: sdk-server",
                                                                             "source: sdk-server, sink: app"))
    assert (result.returncode, result.stderr) == (0, "")


def test_a_tag_no_threat_reads_anywhere_only_describes(tmp_path) -> None:
    _, result = validate(tmp_path, MODEL.replace(", SDK_ON_APP", ", data_centre").replace(", tags: [third_party_sdk]", ""))
    assert (result.returncode, result.stderr) == (0, "")

"""An unknown location or size is never read as safe: staff in unnamed countries, a disputed headquarters and
an unstated scale each change the analysis or say what they leave open."""

from __future__ import annotations

from threatlib.analysis import analyse
from threatlib.compile import compile_model
from threatlib.spec import load_model

MODEL = """\
metadata: {id: unknowns, name: Unknowns, description: A store run by one company., scope: Test., as_of: 2026-12-01, data_subjects_in: [GB]}
sources:
  - {id: s, title: Test source, publisher: threatlib tests, date: "2026", kind: primary}
organisations:
  - {id: vendor, name: Vendor, incorporated_in: GB, headquarters: GB, staff_access_from: [GB]EXTRA,
     claims: [{statement: Test., status: confirmed, sources: [s]}]}
data:
  - {id: profile, name: Profile, classification: restricted, personal: true}
elements:
  - {id: store, name: Store, kind: datastore, operator: vendor, location: GB, stores: [profile]}
"""


def analysed(tmp_path, library, extra: str = ""):
    path = tmp_path / "unknowns.yaml"
    path.write_text(MODEL.replace("EXTRA", extra))
    model, doc = load_model(path, library)
    compiled = compile_model(model, library, pytm_threats=False)
    return compiled, analyse(compiled, doc)


def test_staff_in_unnamed_countries_make_the_store_a_finding_and_a_warning(tmp_path, library) -> None:
    _, known = analysed(tmp_path, library)
    _, unknown = analysed(tmp_path, library, ", staff_access_unnamed: true")
    assert [f.id for f in known.findings] == [] and known.warnings == []
    assert [f.id for f in unknown.findings] == ["XB-05@store"]
    assert unknown.warnings == [
        "organisation vendor: staff with access also sit in countries no source names; its elements that handle "
        "personal data are not treated as safe (XB-05), and the laws there are not modelled"]
    assert unknown.organisations[0].staff_access_unnamed is True


def test_a_disputed_headquarters_is_analysed_as_a_headquarters(tmp_path, library) -> None:
    plain, _ = analysed(tmp_path, library)
    disputed, analysis = analysed(tmp_path, library, ", headquarters_disputed: [CN]")
    via_hq = {p.id for law in library.jurisdictions["CN"].laws for p in law.provisions
              if "headquarters" in [v.value for v in p.applies_via] and not p.sectors and not p.thresholds}
    assert not [b for b in plain.bases["store"] if b.jurisdiction == "CN"]
    assert {b.provision_id for b in disputed.bases["store"] if b.jurisdiction == "CN"} == via_hq
    assert {b.via.value for b in disputed.bases["store"] if b.jurisdiction == "CN"} == {"headquarters"}
    assert analysis.warnings == ["organisation vendor: headquarters disputed (GB or CN); provisions that reach "
                                 "through a headquarters are applied for each place"]
    assert "CN" in analysis.elements[0].foreign_compelling


def test_pipl_art_40_binds_by_volume_without_calling_the_operator_critical_infrastructure(tmp_path, library) -> None:
    from threatlib.compile.legal import unstated_scale

    def art_40(extra: str):
        compiled, _ = analysed(tmp_path, library, ", headquarters_disputed: [CN]" + extra)
        model, doc = load_model(tmp_path / "unknowns.yaml", library, "unknowns.yaml")
        return "cn-pipl-art-40" in {b.provision_id for b in compiled.bases["store"]}, unstated_scale(model, doc, library)

    large, _ = art_40(", sectors: [online_platform], scale: {personal_data_subjects: 1000001}")
    at_limit, _ = art_40(", sectors: [online_platform], scale: {personal_data_subjects: 1000000}")
    designated, _ = art_40(", sectors: [critical_infrastructure]")
    unstated, warnings = art_40("")
    assert (large, at_limit, designated, unstated) == (True, False, True, False)
    assert [str(w) for w in warnings] == [
        "unknowns.yaml:5:10: warning: organisation 'vendor' states no scale, so provisions that bind above a size were "
        "not applied to it (PIPL 2021 Art. 40); state its scale (personal_data_subjects, users) to decide"]
    assert art_40(", scale: {users: 10}")[1] == []  # a stated scale, however small, decides it

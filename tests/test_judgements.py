"""Judgements: each part moves with its own evidence, and only through its stated driver.

Every test perturbs one input of a small model (the evidence of a step, a route, whose data it is, an assumption)
and asserts what must change and what must not.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import orjson
import pytest
import yaml

from threatlib import pipeline
from threatlib.analysis.model import Analysis, Judgement
from threatlib.library import Library

CLAIM = {"statement": "Stated by a test source.", "status": "confirmed", "sources": ["test-source"]}
MODELS = sorted(Path(__file__).parent.parent.joinpath("models").glob("*.yaml"))


@pytest.fixture(scope="module")
def bare(library) -> Library:
    """The library without its documented practice, so that these tests do not move as practice is recorded;
    one test below puts it back and asserts what that changes."""
    jurisdictions = {c: j.model_copy(update={"practice": []}) for c, j in library.jurisdictions.items()}
    return dataclasses.replace(library, jurisdictions=jurisdictions)


@pytest.fixture(scope="module")
def small(small_model_path) -> dict:
    return yaml.safe_load(small_model_path.read_text())


def sourced(model: dict) -> dict:
    """The small model with every step of the route to Beijing evidenced by a confirmed claim."""
    m = copy.deepcopy(model)
    for section in ("data", "elements", "flows"):
        for item in m[section]:
            item["claims"] = [dict(CLAIM)]
    return m


def only_remote_route(model: dict) -> dict:
    """The sourced model with the Irish subsidiary independent: the remote read is the only way to China."""
    m = sourced(model)
    sub = item(m, "organisations", "eu-sub")
    del sub["parent"], sub["control"]
    return m


def analyse(tmp_path: Path, model: dict, library, name: str = "model.yaml") -> Analysis:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(model, sort_keys=False))
    return pipeline.analyse_file(path, library)[1]


def china(analysis: Analysis) -> Judgement:
    [j] = [j for j in analysis.judgements if j.jurisdiction == "CN"]
    return j


def item(model: dict, section: str, item_id: str) -> dict:
    return next(x for x in model[section] if x["id"] == item_id)


def effects(j: Judgement) -> dict[str, int]:
    return {d.driver: d.effect for d in j.drivers}


def test_four_parts_each_from_its_own_evidence(tmp_path, small, bare) -> None:
    j = china(analyse(tmp_path, sourced(small), bare))
    # Legal reach: the settled provisions that carry it lead, named with the link they reach through.
    assert j.reach.certainty == "settled"
    assert [(p.provision_id, p.via, p.certainty) for p in j.reach.provisions[:2]] == [
        ("cn-nil-art-14", "headquarters", "settled"), ("cn-dsl-art-35", "headquarters", "settled")]
    # Route: the holder, the flows, the data this route carries, and every other place in reach.
    assert (j.route.holder, j.route.flows, j.route.data) == ("beijing-eng", ["app-upload", "remote-read"], ["location"])
    assert (j.route.reachable_data, j.route.places) == (["location", "profile"], ["app", "dublin-store", "beijing-eng"])
    assert [(p.id, p.role, p.status) for p in j.route.premises] == [
        ("location", "collection", "confirmed"), ("app-upload", "hand-over", "confirmed"),
        ("remote-read", "hand-over", "confirmed"), ("beijing-eng", "holder", "confirmed"), ("parent-co", "link", "reported")]
    assert j.route.weakest.id == "parent-co"
    # Likelihood from the drivers, at the ceiling; a forecast with gaps is held with moderate confidence.
    assert effects(j) == {"purpose": 2, "scope": 1, "safeguards": 1, "practice": 0, "vendor_practice": 0, "targeting": 0}
    assert (j.likelihood, j.confidence, j.timeframe.years, j.timeframe.end) == ("likely", "moderate", 2, "2028-11-01")
    assert j.holds_only_if == []


def test_allegations_on_the_route_lower_likelihood_and_confidence(tmp_path, small, bare) -> None:
    model = only_remote_route(small)
    before = china(analyse(tmp_path, model, bare))
    item(model, "flows", "remote-read")["claims"] = [dict(CLAIM, status="alleged")]
    after = china(analyse(tmp_path, model, bare))
    assert (before.likelihood, before.confidence) == ("likely", "moderate")
    assert (after.likelihood, after.confidence) == ("realistic_possibility", "low")
    assert after.route.weakest.id == "remote-read"
    assert effects(after)["evidence"] == -1
    # Reach is a question of law: the flow's evidence does not touch it.
    assert after.reach == before.reach


def test_among_equally_strong_routes_a_holder_inside_the_legal_order_is_named(tmp_path, small, bare) -> None:
    model = sourced(small)
    item(model, "flows", "remote-read")["claims"] = [dict(CLAIM, status="alleged")]
    j = china(analyse(tmp_path, model, bare))
    # The alleged remote read to Beijing and the control of the Irish store both rate realistic possibility; the
    # judgement names the route whose holder China's own law reaches most plainly, and says what it rests on.
    assert (j.likelihood, j.route.holder, j.reach.provisions[0].via) == ("realistic_possibility", "beijing-eng",
                                                                         "headquarters")
    assert (j.route.weakest.id, j.route.weakest.status, j.confidence) == ("remote-read", "alleged", "low")


def test_an_unsourced_step_caps_the_judgement_and_says_so(tmp_path, small, bare) -> None:
    model = only_remote_route(small)
    del item(model, "flows", "remote-read")["claims"]
    j = china(analyse(tmp_path, model, bare))
    assert (j.likelihood, j.confidence) == ("realistic_possibility", "low")
    assert (j.route.weakest.id, j.route.weakest.status) == ("remote-read", "unsourced")
    assert j.holds_only_if == ["Engineers query user data is as the model describes it (hand-over step)."]


def test_a_route_resting_on_an_assumption_holds_only_if_it_does(tmp_path, small, bare) -> None:
    model = only_remote_route(small)
    model["assumptions"] = [{"id": "remote-read-reaches-all", "statement": "The remote read reaches precise location.",
                             "why": "The vendor says staff abroad can read some data; it does not say which.",
                             "rests_on": ["remote-read"]}]
    analysis = analyse(tmp_path, model, bare)
    j = china(analysis)
    assert (j.likelihood, j.confidence) == ("realistic_possibility", "low")
    assert (j.route.weakest.status, j.route.weakest.assumption) == ("assumption", "remote-read-reaches-all")
    assert j.holds_only_if == ["The remote read reaches precise location."]
    assert [a.id for a in j.assumptions] == ["remote-read-reaches-all"]
    assert [a.id for a in analysis.assumptions] == ["remote-read-reaches-all"]


def test_removing_the_route_removes_the_judgements_basis(tmp_path, small, bare) -> None:
    model = sourced(small)
    model["flows"] = [f for f in model["flows"] if f["id"] != "remote-read"]
    j = china(analyse(tmp_path, model, bare))
    # What is left reaches the Irish store only through control by the parent: a contested reading.
    assert j.route.holder != "beijing-eng" and "beijing-eng" not in j.route.places
    assert (j.reach.certainty, j.reach.provisions[0].via) == ("contested", "control")
    assert (j.likelihood, effects(j)["certainty"]) == ("realistic_possibility", -1)
    # Without the parent's tie to China nothing reaches personal data, and the brief says why.
    item(model, "organisations", "parent-co").update(headquarters="KY", staff_access_from=[])
    analysis = analyse(tmp_path, model, bare)
    assert [j.jurisdiction for j in analysis.judgements] == []
    assert {n.jurisdiction: n.reason for n in analysis.no_judgement}["CN"] == (
        "The authorities of China can compel Engineering, Beijing, but no personal data the model describes reaches it.")


@pytest.mark.parametrize("groups, raised", [(["parliamentarians"], True), (["journalists"], True),
                                            (["children"], False), (["general_public"], False)])
def test_whose_data_raises_likelihood_only_through_the_targeting_driver(tmp_path, small, bare, groups, raised) -> None:
    model = sourced(small)
    model["flows"] = [f for f in model["flows"] if f["id"] != "remote-read"]  # below the ceiling: a contested reach
    before = china(analyse(tmp_path, model, bare))
    for element in model["elements"]:
        if element["id"] in ("user", "handset", "app"):
            element["subjects"] = groups
    after = china(analyse(tmp_path, model, bare))
    changed = {k for k in effects(after) if effects(after)[k] != effects(before).get(k)}
    assert changed == ({"targeting"} if raised else set())
    assert after.likelihood == ("likely" if raised else before.likelihood)
    assert after.route.subjects == sorted(groups)


def test_an_independent_gateway_lowers_but_a_group_run_one_does_not(tmp_path, small, bare) -> None:
    model = sourced(small)
    model["flows"] = [f for f in model["flows"] if f["id"] != "remote-read"]
    model["elements"].append({"id": "gateway", "name": "Access gateway", "kind": "server", "tags": ["access_gateway"],
                              "operator": "auditor", "location": "IE", "claims": [dict(CLAIM)]})
    model["organisations"].append({"id": "auditor", "name": "Auditor Ltd", "incorporated_in": "IE", "headquarters": "IE",
                                   "claims": [dict(CLAIM)]})
    model["flows"] += [{"id": "to-gateway", "name": "Store to gateway", "source": "dublin-store", "sink": "gateway",
                        "data": ["location"], "claims": [dict(CLAIM)]},
                       {"id": "gateway-read", "name": "Read through the gateway", "source": "gateway", "sink": "beijing-eng",
                        "data": ["location"], "remote_access": True, "claims": [dict(CLAIM)]}]
    independent = china(analyse(tmp_path, model, bare))
    assert (independent.route.holder, effects(independent)["gateway"]) == ("beijing-eng", -1)
    item(model, "elements", "gateway")["operator"] = "eu-sub"
    group_run = china(analyse(tmp_path, model, bare))
    assert group_run.route.holder == "beijing-eng" and "gateway" not in effects(group_run)


def test_documented_practice_raises_only_through_its_driver(tmp_path, small, bare, library) -> None:
    model = sourced(small)
    model["flows"] = [f for f in model["flows"] if f["id"] != "remote-read"]  # below the ceiling
    without, with_practice = (china(analyse(tmp_path, model, lib)) for lib in (bare, library))
    cases = [p for p in library.jurisdictions["CN"].practice if p.foreign_data and p.status.value in ("confirmed", "reported")]
    assert cases  # the library records uses of China's powers on foreigners' data
    changed = {k for k in effects(with_practice) if effects(with_practice)[k] != effects(without).get(k)}
    assert changed == {"practice"} and effects(with_practice)["practice"] == 1
    assert (without.likelihood, with_practice.likelihood) == ("realistic_possibility", "likely")


def test_a_documented_demand_on_the_vendor_raises_likelihood_lifts_the_ceiling_and_allows_high_confidence(
        tmp_path, small, bare) -> None:
    model = sourced(small)
    for org in model["organisations"]:
        org["claims"] = [dict(CLAIM)]
    before = china(analyse(tmp_path, model, bare))
    model["practice"] = [{"jurisdiction": "CN", "organisation": "eu-sub", "date": "2025-03",
                          "statement": "The state security organs demanded a user's records.", "status": "confirmed",
                          "sources": ["test-source"]}]
    after = china(analyse(tmp_path, model, bare))
    changed = {k for k in effects(after) if effects(after)[k] != effects(before).get(k)}
    assert changed == {"vendor_practice"}  # eu-sub's group includes Parent Co, which runs the Beijing engineers
    assert (before.likelihood, before.confidence) == ("likely", "moderate")
    assert (after.likelihood, after.confidence) == ("highly_likely", "high")
    model["practice"][0]["status"] = "alleged"  # an allegation is not a documented demand
    assert china(analyse(tmp_path, model, bare)).likelihood == "likely"


def test_legal_findings_are_rated_by_the_same_drivers(tmp_path, small, bare) -> None:
    analysis = analyse(tmp_path, sourced(small), bare)
    j = china(analysis)
    finding = next(f for f in analysis.findings if f.id == "PR-07@beijing-eng")
    assert finding.risk.likelihood == j.likelihood
    assert [line for line in finding.risk.rationale if line[:2] in ("+2", "+1")] == [
        f"{d.effect:+d} {d.driver}: {d.text}" for d in j.drivers if d.effect > 0]
    # The Irish store is reached only through control, so its findings sit lower, and say why.
    store = next(f for f in analysis.findings if f.element_id == "dublin-store" and f.jurisdictions == ["CN"])
    assert store.risk.likelihood == "realistic_possibility"
    assert any(line.startswith("The judgement for China is likely or probable") for line in store.risk.rationale)


def test_analysis_json_carries_each_judgement_in_its_parts(tmp_path, small, bare) -> None:
    analysis = analyse(tmp_path, sourced(small), bare)
    data = orjson.loads(analysis.model_dump_json())
    [cn] = [j for j in data["judgements"] if j["jurisdiction"] == "CN"]
    assert {"jurisdiction", "reach", "route", "likelihood", "timeframe", "confidence", "assumptions", "drivers",
            "alternative", "indicators"} <= set(cn)
    assert (cn["likelihood"], cn["confidence"], cn["timeframe"]["years"]) == ("likely", "moderate", 2)


@pytest.mark.parametrize("path", MODELS, ids=[p.stem for p in MODELS])
def test_every_foreign_legal_order_reaching_personal_data_has_a_judgement_or_a_reason(path, library) -> None:
    analysis = pipeline.analyse_file(path, library)[1]
    judged = {j.jurisdiction for j in analysis.judgements}
    assert judged == {e.jurisdiction for e in analysis.exposures}
    explained = {n.jurisdiction for n in analysis.no_judgement}
    foreign_in_model = {x.id for x in analysis.jurisdictions if x.foreign} - {"EU"}
    assert judged | explained >= foreign_in_model - {x for x in foreign_in_model if x in analysis.model.domestic}
    assert not judged & explained
    for j in analysis.judgements:  # the judgement's route is one of its exposures, and its data rides it
        assert any(e.holder == j.route.holder and e.flows == j.route.flows for e in analysis.exposures
                   if e.jurisdiction == j.jurisdiction)


def test_tiktok_china_singapore_and_the_us_differ_and_say_why(library) -> None:
    analysis = pipeline.analyse_file(Path(__file__).parent.parent / "models" / "tiktok.yaml", library)[1]
    by_code = {j.jurisdiction: j for j in analysis.judgements}
    assert {c: by_code[c].likelihood for c in ("CN", "US", "SG")} == {
        "CN": "likely", "US": "realistic_possibility", "SG": "remote_chance"}
    assert {c: by_code[c].reach.provisions[0].purpose for c in ("CN", "US", "SG")} == {
        "CN": "intelligence", "US": "intelligence", "SG": "law_enforcement"}
    assert {c: effects(by_code[c])["scope"] for c in ("CN", "US", "SG")} == {"CN": 1, "US": 0, "SG": -1}
    # Officials' phones open officials' data to both, through the targeting driver.
    [government] = [s for s in analysis.scenarios if s.id == "without-government-device-ban"]
    assert {o[3] for o in government.opened} == {"public_officials"}
    changes = {c.jurisdiction: c for c in government.judgements}
    assert changes["US"].after == "likely or probable (55-75%), moderate confidence"
    assert any(line.startswith("targeting: The data is about public officials") for line in changes["US"].drivers)

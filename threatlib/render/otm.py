"""Open Threat Model (OTM) 0.2.0: the analysis for tools that read OTM, such as IriusRisk.

Trust zones are legal orders, with the model's trust boundaries nested inside the legal order they lie in.
Components are the elements and the derived state authorities; dataflows are the flows and the derived
compulsion links, each link carrying its legal basis. OTM's attribute maps hold strings, so lists are joined
with ", " and booleans written "true" or "false". Numbers for our rating words are explained in interop.
"""

from __future__ import annotations

from threatlib.analysis.model import Analysis, AuthorityView, Basis, CompulsionView, ElementView, Finding, FlowView
from threatlib.jsontext import json_bytes
from threatlib.render.interop import (
    capec_ids,
    category_words,
    cwe_ids,
    findings_by_threat,
    model_path,
)
from threatlib.render.otm_diagram import add_diagram, component_boxes
from threatlib.render.text import plain
from threatlib.vocabulary import LIKELIHOOD_SCORE, SEVERITY_SCORE

OTM_VERSION = "0.2.0"
MODEL_FILE = "model-file"
# threatlib tells a legal order only as the users' own or foreign; these two numbers mark that split and
# measure nothing finer. Trust boundaries take the rating of the legal order they lie in.
# An element whose location was not modelled (a pytm script) sits in a zone rated 50: nothing is known either way.
TRUST_RATING = {False: 75, True: 25, None: 50}
UNMODELLED = "_unmodelled"  # no jurisdiction code has an underscore
THREAT_STATE = "exposed"  # every finding is open: threatlib records no mitigation as implemented
MITIGATION_STATE = "recommended"
# threatlib does not estimate how far a mitigation lowers a risk; 0 claims no reduction rather than inventing one.
RISK_REDUCTION = 0


def otm_json(analysis: Analysis, dot_json: dict | None = None) -> bytes:
    """`dot_json`: dot's JSON of the single diagram when the caller already has it (render_all does)."""
    return json_bytes(otm_document(analysis, dot_json))


def otm_document(analysis: Analysis, dot_json: dict | None = None) -> dict:
    m = analysis.model
    groups = findings_by_threat(analysis)
    mitigation_ids = _mitigation_ids(groups)
    by_target: dict[tuple[bool, str], list[Finding]] = {}
    for finding in analysis.findings:
        by_target.setdefault((finding.element_kind == "flow", finding.element_id), []).append(finding)

    def instances(target: str, flow: bool = False) -> list[dict]:
        return [{"threat": f.threat_id, "state": THREAT_STATE,
                 "mitigations": [{"mitigation": mitigation_ids[(f.threat_id, text)], "state": MITIGATION_STATE}
                                 for text in dict.fromkeys(f.mitigations)]}
                for f in by_target.get((flow, target), [])]

    zones, zone_of = _trust_zones(analysis)
    source_file = model_path(analysis)
    document: dict = {
        "otmVersion": OTM_VERSION,
        "project": {
            "name": m.name,
            "id": m.id,
            "description": m.description,
            "owner": ", ".join(m.authors) or None,
            "attributes": {
                "scope": m.scope,
                "as_of": m.as_of,
                "data_subjects_in": ", ".join(m.data_subjects_in),
                "domestic_legal_orders": ", ".join(m.domestic),
            },
        },
    }
    if source_file:
        document["representations"] = [{"name": "Model file", "id": MODEL_FILE, "type": "code",
                                        "description": source_file}]
    document["trustZones"] = zones
    document["components"] = (
        [_element(e, zone_of(e), analysis, instances(e.id), source_file) for e in analysis.elements]
        + [{"id": a.id, "name": a.name, "type": "state-authority", "description": a.description,
            "parent": {"trustZone": _jurisdiction_zone(a.jurisdiction)}, "tags": ["state-authority"],
            "attributes": {"jurisdiction": a.jurisdiction}} for a in analysis.authorities]
    )
    authorities = {a.id: a for a in analysis.authorities}
    document["dataflows"] = ([_flow(f, instances(f.id, flow=True)) for f in analysis.flows]
                             + [_compulsion(link, authorities[link.authority]) for link in analysis.compulsion])
    document["threats"] = [_threat(findings[0]) for findings in groups.values()]
    document["mitigations"] = [{"id": mitigation_id, "name": plain(text, 100), "description": text,
                                "riskReduction": RISK_REDUCTION, "attributes": {"threat": threat_id}}
                               for (threat_id, text), mitigation_id in mitigation_ids.items()]
    add_diagram(document, component_boxes(analysis, dot_json))
    return document


def _jurisdiction_zone(code: str) -> str:
    return f"jurisdiction.{code}"


def _boundary_zone(code: str, boundary: str) -> str:
    return f"boundary.{code}.{boundary}"


def _trust_zones(analysis: Analysis):
    """One zone per legal order in use and, inside it, one per trust boundary holding elements located there."""
    boundaries = {b.id: b for b in analysis.boundaries}
    jurisdictions = {j.id: j for j in analysis.jurisdictions}
    domestic = set(analysis.model.domestic)
    used = {e.location or UNMODELLED for e in analysis.elements} | {a.jurisdiction for a in analysis.authorities}
    # (legal order, boundary) pairs in use, with every enclosing boundary of each.
    placed: set[tuple[str, str]] = set()
    for element in analysis.elements:
        boundary = element.boundary
        while boundary:
            placed.add((element.location or UNMODELLED, boundary))
            boundary = boundaries[boundary].parent
    known = [j.id for j in analysis.jurisdictions]
    zones = []
    for code in [c for c in known if c in used] + sorted(used - set(known)):
        j = jurisdictions.get(code)
        if code == UNMODELLED:
            foreign = None
            zones.append({"id": _jurisdiction_zone(code), "name": "Jurisdiction not modelled", "type": "legal-order",
                          "risk": {"trustRating": TRUST_RATING[foreign]}, "attributes": {"jurisdiction": ""}})
        else:
            foreign = j.foreign if j else code not in domestic
            zones.append({"id": _jurisdiction_zone(code), "name": f"{code}: {j.name}" if j else code, "type": "legal-order",
                          "description": j.summary if j else None, "risk": {"trustRating": TRUST_RATING[foreign]},
                          "attributes": {"jurisdiction": code, "foreign": _word(foreign), "part_of": (j.part_of or "") if j else ""}})
        for b in analysis.boundaries:
            if (code, b.id) in placed:
                parent = _boundary_zone(code, b.parent) if b.parent else _jurisdiction_zone(code)
                zones.append({"id": _boundary_zone(code, b.id), "name": b.name, "type": "trust-boundary",
                              "risk": {"trustRating": TRUST_RATING[foreign]}, "parent": {"trustZone": parent},
                              "attributes": {"boundary": b.id, "jurisdiction": "" if code == UNMODELLED else code}})

    def zone_of(element: ElementView) -> str:
        code = element.location or UNMODELLED
        return _boundary_zone(code, element.boundary) if element.boundary else _jurisdiction_zone(code)

    return zones, zone_of


def _element(e: ElementView, zone: str, analysis: Analysis, threats: list[dict], source_file: str | None) -> dict:
    operators = {o.id: o.name for o in analysis.organisations}
    component = {
        "id": e.id, "name": e.name, "type": e.kind, "description": e.description or None,
        "parent": {"trustZone": zone},
        "tags": [e.kind] + ([] if e.in_scope else ["out-of-scope"]) + (["foreign-compellable"] if e.foreign_compelling else []),
    }
    if source_file and e.line:
        component["representations"] = [{"representation": MODEL_FILE, "id": f"{e.id}.source", "file": source_file, "line": e.line}]
    component["threats"] = threats
    component["attributes"] = {
        "operator": e.operator or "",
        "operator_name": operators.get(e.operator, "") if e.operator else "",
        "location": e.location or "",
        "boundary": e.boundary or "",
        "stores": ", ".join(e.stores),
        "in_scope": _word(e.in_scope),
        "compelling_jurisdictions": ", ".join(e.compelling),
        "foreign_compelling": ", ".join(e.foreign_compelling),
    }
    return component


def _flow(f: FlowView, threats: list[dict]) -> dict:
    return {
        "id": f.id, "name": f.name, "bidirectional": False, "source": f.source, "destination": f.sink,
        "tags": ["data-flow"] + (["remote-access"] if f.remote_access else []) + (["crosses-legal-order"] if f.crosses_legal_order else []),
        "threats": threats,
        "attributes": {
            "data": ", ".join(f.data),
            "protocol": f.protocol,
            "encryption": f.encryption,
            "remote_access": _word(f.remote_access),
            "crosses_legal_order": _word(f.crosses_legal_order),
        },
    }


def _compulsion(link: CompulsionView, authority: AuthorityView) -> dict:
    labels = list(dict.fromkeys(b.label for b in link.bases))
    return {
        "id": link.id,
        "name": f"Compelled access by {authority.name}",
        "description": f"{link.jurisdiction} can oblige the operator of this element to give {authority.name} access "
                       f"under {'; '.join(labels)}.",
        "bidirectional": False, "source": link.element, "destination": link.authority,
        "tags": ["legal-compulsion", "foreign" if link.foreign else "domestic"],
        "attributes": {
            "jurisdiction": link.jurisdiction,
            "foreign": _word(link.foreign),
            "legal_basis": "; ".join(_basis(b) for b in link.bases),
            "provisions": ", ".join(dict.fromkeys(b.provision_id for b in link.bases)),
            "powers": ", ".join(sorted({p for b in link.bases for p in b.powers})),
        },
    }


def _basis(b: Basis) -> str:
    route = f"via {b.via}" + (f" ({' > '.join(b.chain)})" if b.chain else "")
    return f"{b.label} ({', '.join(p.label for p in b.powers)}; {route}; {b.status.label})"


def _threat(f: Finding) -> dict:
    likelihood = LIKELIHOOD_SCORE.get(f.likelihood)
    scale = "the PHIA probability yardstick" if f.likelihood_scale == "yardstick" else "pytm's scale"
    return {
        "id": f.threat_id,
        "name": f.title,
        "description": f.description or None,
        "categories": category_words(f),
        "cwes": cwe_ids(f),
        "risk": {
            "likelihood": likelihood,
            "likelihoodComment": f"{f.likelihood} on {scale}" if likelihood is not None else "not rated",
            "impact": SEVERITY_SCORE[f.severity],
            "impactComment": f"severity {f.severity.label}",
        },
        "tags": list(dict.fromkeys([f.family, f.origin, *capec_ids(f)])),  # pytm's family is its origin
        "attributes": {
            "family": f.family,
            "origin": f.origin,
            "severity": f.severity,
            "likelihood": f.likelihood,
            "likelihood_scale": f.likelihood_scale,
            "references": f.references,
        },
    }


def _mitigation_ids(groups: dict[str, list[Finding]]) -> dict[tuple[str, str], str]:
    """An id per distinct mitigation text of each threat: THREAT-ID-M1, -M2, ... in the order first given."""
    ids: dict[tuple[str, str], str] = {}
    for threat_id, findings in groups.items():
        texts = dict.fromkeys(text for f in findings for text in f.mitigations)
        ids.update({(threat_id, text): f"{threat_id}-M{i}" for i, text in enumerate(texts, 1)})
    return ids


def _word(value: bool) -> str:
    return "true" if value else "false"

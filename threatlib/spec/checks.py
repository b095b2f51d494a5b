"""Checks that need the whole model: unique ids, references that resolve, no cycles, known codes."""

from __future__ import annotations

import ast
import difflib
import functools
import importlib.util
from collections.abc import Iterable, Mapping
from pathlib import Path

from threatlib.documents.common import Source
from threatlib.documents.yaml_source import Document
from threatlib.errors import Problem, brief
from threatlib.spec.claim_basis import confirmed_claims_basis, model_claims
from threatlib.spec.model import Model


# pytm's boolean controls; the model may set any of them by pytm's own name.
@functools.cache
def _pytm_control_names() -> frozenset[str]:
    # Read from pytm's source, not by importing it: load never runs pytm (importing it takes longer than
    # validating a model), and the names are the same either way (pytm's Controls fields annotated bool).
    tree = ast.parse(_pytm_file("base.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Controls":
            return frozenset(s.target.id for s in node.body if isinstance(s, ast.AnnAssign)
                             and isinstance(s.target, ast.Name) and isinstance(s.annotation, ast.Name)
                             and s.annotation.id == "bool")
    raise RuntimeError(f"pytm's Controls class is no longer in {_pytm_file('base.py')}: threatlib needs updating for this pytm")


def _pytm_file(name: str) -> Path:
    """A file of the installed pytm package, found without running pytm's __init__."""
    return Path(next(iter(importlib.util.find_spec("pytm").submodule_search_locations))) / name


def check_model(model: Model, doc: Document, jurisdictions: Iterable[str],
                library_sources: Mapping[str, Source] | None = None,
                library_threats: Mapping[str, str] | None = None, *, whole_file: bool = True) -> list[Problem]:
    """library_threats maps each library threat id to its family. A scenario's variant is not a whole file
    (its scenarios are gone, elements may be removed), so sources it no longer cites are not a problem."""
    known = frozenset(jurisdictions)
    problems: list[Problem] = []
    problems += _unique_ids(model, doc)
    for i, source in enumerate(model.sources):
        shared = (library_sources or {}).get(source.id)
        # the author names this model's organisation, which the library cannot: the rest must match
        if shared is not None and shared != source.model_copy(update={"author": None}) and not source.title.startswith("REPLACE:"):
            problems.append(doc.problem(("sources", i, "id"), f"source id '{source.id}' is used by the library for "
                                        f"'{shared.title}' ({shared.publisher}); use the same details or another id"))
    problems += _references(model, doc)
    problems += confirmed_claims_basis(model, doc, library_sources)
    problems += debate_ids(model, doc)
    if whole_file:
        problems += _uncited_sources(model, doc)
    problems += _jurisdiction_codes(model, doc, known)
    problems += _legal_layer_complete(model, doc)
    problems += _cycles(doc, "organisations", {o.id: o.parent for o in model.organisations}, "parent")
    problems += _cycles(doc, "boundaries", {b.id: b.parent for b in model.boundaries}, "parent")
    problems += _controls(model, doc)
    problems += _threat_selection(model, doc, library_threats)
    if whole_file:  # a scenario may remove what an assumption rests on; the assumption then rests on less
        problems += _assumptions(model, doc)
    problems += _jurisdiction_list(doc, [(("positions", i, "about", j), c) for i, p in enumerate(model.positions)
                                         for j, c in enumerate(p.about)]
                                   + [(("practice", i, "jurisdiction"), p.jurisdiction) for i, p in enumerate(model.practice)],
                                   known)
    orgs = {o.id for o in model.organisations}
    problems += [doc.problem(("practice", i, "organisation"), f"no organisation with id '{p.organisation}'")
                 for i, p in enumerate(model.practice) if p.organisation not in orgs]
    problems += [doc.problem(("sources", i, "author"), f"source '{s.id}' names author '{s.author}', which is not an "
                             f"organisation of this model{_hint(s.author, orgs)}")
                 for i, s in enumerate(model.sources) if s.author is not None and s.author not in orgs]
    for i, org in enumerate(model.organisations):
        if org.parent and not org.control:
            problems.append(doc.problem(("organisations", i, "parent"),
                                        f"organisation '{org.id}' has a parent but no 'control' saying how it is controlled"))
    for i, flow in enumerate(model.flows):
        if flow.source == flow.sink:
            problems.append(doc.problem(("flows", i, "sink"), f"flow '{flow.id}' has the same source and sink"))
    return problems


def _unique_ids(model: Model, doc: Document) -> list[Problem]:
    problems = []
    seen: dict[str, tuple] = {}
    for section in ("organisations", "data", "boundaries", "elements", "flows"):
        for i, item in enumerate(getattr(model, section)):
            path = (section, i, "id")
            if item.id in seen:
                line, col = doc.positions.of_value(seen[item.id])
                problems.append(doc.problem(path, f"duplicate id '{item.id}' (first used at line {line}, column {col})"))
            else:
                seen[item.id] = path
    source_seen: dict[str, tuple] = {}
    for i, source in enumerate(model.sources):
        path = ("sources", i, "id")
        if source.id in source_seen:
            line, col = doc.positions.of_value(source_seen[source.id])
            problems.append(doc.problem(path, f"duplicate source id '{source.id}' (first used at line {line}, column {col})"))
        source_seen.setdefault(source.id, path)
    return problems


def _references(model: Model, doc: Document) -> list[Problem]:
    orgs = {o.id for o in model.organisations}
    data = {d.id for d in model.data}
    boundaries = {b.id for b in model.boundaries}
    elements = {e.id for e in model.elements}
    sources = {s.id for s in model.sources}
    wanted: list[tuple[tuple, str | None, set[str], str]] = []
    for i, o in enumerate(model.organisations):
        wanted.append((("organisations", i, "parent"), o.parent, orgs, "organisation"))
    for i, b in enumerate(model.boundaries):
        wanted.append((("boundaries", i, "parent"), b.parent, boundaries, "boundary"))
    for i, e in enumerate(model.elements):
        wanted.append((("elements", i, "operator"), e.operator, orgs, "organisation"))
        wanted.append((("elements", i, "boundary"), e.boundary, boundaries, "boundary"))
        wanted += [(("elements", i, "stores", j), d, data, "data category") for j, d in enumerate(e.stores)]
    for i, f in enumerate(model.flows):
        wanted.append((("flows", i, "source"), f.source, elements, "element"))
        wanted.append((("flows", i, "sink"), f.sink, elements, "element"))
        wanted += [(("flows", i, "data", j), d, data, "data category") for j, d in enumerate(f.data)]
    for path, claim in model_claims(model):
        wanted += [(path + ("sources", k), s, sources, "source") for k, s in enumerate(claim.sources)]
    for i, said in enumerate(model.debate):
        wanted += [(("debate", i, "sources", k), s, sources, "source") for k, s in enumerate(said.sources)]
    problems = []
    for path, ref, universe, what in wanted:
        if ref is not None and ref not in universe:
            close = difflib.get_close_matches(ref, sorted(universe), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(doc.problem(path, f"no {what} with id '{ref}'{hint}"))
    return problems


def _uncited_sources(model: Model, doc: Document) -> list[Problem]:
    """A listed source that no claim cites would sit in the report's source list backing nothing: usually a
    citation that was lost, or a leftover from the model this one was started from."""
    cited = {s for _, claim in model_claims(model) for s in claim.sources} | {s for d in model.debate for s in d.sources}
    return [doc.problem(("sources", i, "id"), f"source '{s.id}' is listed but no claim cites it; cite it or remove it")
            for i, s in enumerate(model.sources) if s.id not in cited]


def _assumptions(model: Model, doc: Document) -> list[Problem]:
    universe = {x.id for section in ("organisations", "data", "elements", "flows") for x in getattr(model, section)}
    problems = []
    for i, a in enumerate(model.assumptions):
        for j, ref in enumerate(a.rests_on):
            if ref not in universe:
                close = difflib.get_close_matches(ref, sorted(universe), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(doc.problem(("assumptions", i, "rests_on", j),
                                            f"assumption '{a.id}' rests on '{ref}', which is no organisation, data category, "
                                            f"element or flow{hint}"))
    return problems


def _jurisdiction_list(doc: Document, used: list[tuple[tuple, str]], known: frozenset[str]) -> list[Problem]:
    return [doc.problem(path, f"unknown jurisdiction '{code}': not in the library; `threatlib library` lists the codes")
            for path, code in used if code not in known]


def _jurisdiction_codes(model: Model, doc: Document, known: frozenset[str]) -> list[Problem]:
    used: list[tuple[tuple, str]] = []
    used += [(("metadata", "data_subjects_in", i), c) for i, c in enumerate(model.metadata.data_subjects_in)]
    for i, o in enumerate(model.organisations):
        used += [(("organisations", i, "incorporated_in"), o.incorporated_in), (("organisations", i, "headquarters"), o.headquarters)]
        used += [(("organisations", i, "staff_access_from", j), c) for j, c in enumerate(o.staff_access_from)]
    used += [(("elements", i, "location"), e.location) for i, e in enumerate(model.elements)]
    return [doc.problem(path, f"unknown jurisdiction '{code}': not in the built-in library or a user library; "
                              "`threatlib library` lists the codes. If it is in your own library folder, pass "
                              f"--library FOLDER (FOLDER/jurisdictions/{code}.yaml) or list the folder under the "
                              "model's 'library:'; otherwise use the nearest legal order and say so in the description")
            for path, code in used if code is not None and code not in known]


def _legal_layer_complete(model: Model, doc: Document) -> list[Problem]:
    """A model without a legal layer (an import) is allowed; one that has begun it must locate every element."""
    if not model.legal_layer():
        return []
    problems = [doc.problem(("elements", i), f"element '{e.id}' has no location: once organisations, data_subjects_in or "
                                             "any location is given, every element needs a location (a jurisdiction code)")
                for i, e in enumerate(model.elements) if e.location is None]
    if not model.metadata.data_subjects_in:
        problems.append(doc.problem(("metadata",), "metadata.data_subjects_in is empty: once the legal layer is modelled, "
                                                   "say where the people whose data matters live (jurisdiction codes)"))
    return problems


def _cycles(doc: Document, section: str, parents: dict[str, str | None], key: str) -> list[Problem]:
    """Report each cycle once, at the entry that closes it, in linear time."""
    problems = []
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    index = {item_id: i for i, item_id in enumerate(parents)}
    for start in parents:
        walk = []
        node: str | None = start
        while node is not None and node in parents and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parents[node]
        if node is not None and state.get(node) == 1:
            cycle = walk[walk.index(node):] + [node]
            problems.append(doc.problem((section, index[walk[-1]], key), f"{key} cycle: {' -> '.join(cycle)}"))
        for visited in walk:
            state[visited] = 2
    return problems


def _controls(model: Model, doc: Document) -> list[Problem]:
    names = _pytm_control_names()
    problems = []
    for i, e in enumerate(model.elements):
        for name in e.controls:
            if name not in names:
                close = difflib.get_close_matches(name, sorted(names), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                problems.append(doc.problem(("elements", i, "controls", name), f"{brief(name)} is not a pytm control{hint}",
                                            at_key=True))
    return problems


@functools.cache  # read once, not once for the model and again for each scenario
def _pytm_threat_ids() -> frozenset[str]:
    import json

    path = _pytm_file("threatlib/threats.json")
    return frozenset(t["SID"] for t in json.loads(path.read_text(encoding="utf-8")) if "DEPRECATED" not in t)


def _threat_selection(model: Model, doc: Document, library_threats: Mapping[str, str] | None) -> list[Problem]:
    if library_threats is None:
        return []
    problems = []
    families = sorted(set(library_threats.values()))
    for i, family in enumerate(model.threats.families or []):
        if family not in families:
            close = difflib.get_close_matches(family, families, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "`threatlib library` lists the families"
            problems.append(doc.problem(("threats", "families", i), f"no threat family '{family}'; {hint}"))
    targets = {e.id for e in model.elements} | {f.id for f in model.flows}
    known = set(library_threats) | _pytm_threat_ids()
    for i, exclusion in enumerate(model.threats.exclusions):
        if exclusion.threat not in known:
            close = difflib.get_close_matches(exclusion.threat, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(doc.problem(("threats", "exclusions", i, "threat"), f"no threat '{exclusion.threat}'{hint}"))
        if exclusion.element not in targets:
            close = difflib.get_close_matches(exclusion.element, sorted(targets), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(doc.problem(("threats", "exclusions", i, "element"), f"no element or flow with id '{exclusion.element}'{hint}"))
    return problems


def debate_ids(model: Model, doc: Document) -> list[Problem]:
    """Each debate claim has its own id, so a reader (and a later model) can point at it."""
    first: dict[str, int] = {}
    problems = []
    for i, said in enumerate(model.debate):
        if said.id in first:
            line, col = doc.positions.of_value(("debate", first[said.id], "id"))
            problems.append(doc.problem(("debate", i, "id"), f"duplicate debate id '{said.id}' (first used at line {line}, column {col})"))
        first.setdefault(said.id, i)
    return problems


def _hint(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""

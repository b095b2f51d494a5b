"""The basis of a model's `confirmed` claims, by the rule in threatlib.documents.sources that the library's follow too."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from threatlib.documents.common import Claim, Source, Status
from threatlib.documents.sources import confirmed_basis_lacking, copies_alone, mirror_links
from threatlib.documents.yaml_source import Document
from threatlib.errors import Problem
from threatlib.spec.model import Model


def model_claims(model: Model) -> Iterator[tuple[tuple, Claim]]:
    """Every claim in the model with its path, and the claim-shaped entries (practice) too."""
    for section in ("organisations", "data", "elements", "flows"):
        for i, item in enumerate(getattr(model, section)):
            for j, claim in enumerate(item.claims):
                yield (section, i, "claims", j), claim
    for i, practice in enumerate(model.practice):  # claim-shaped: statement, status, sources
        yield ("practice", i), practice
    for i, position in enumerate(model.positions):
        yield ("positions", i, "vendor"), position.vendor
        for j, claim in enumerate(position.counter):
            yield ("positions", i, "counter", j), claim
    for i, scenario in enumerate(model.scenarios):
        for j, claim in enumerate(scenario.claims):
            yield ("scenarios", i, "claims", j), claim
        for section in ("organisations", "data", "elements", "flows"):
            for k, item in enumerate(getattr(scenario.add, section)):
                for j, claim in enumerate(item.claims):
                    yield ("scenarios", i, "add", section, k, "claims", j), claim
    for i, said in enumerate(model.debate):
        for j, claim in enumerate(said.evidence):
            yield ("debate", i, "evidence", j), claim


def confirmed_claims_basis(model: Model, doc: Document, library_sources: Mapping[str, Source] | None = None) -> list[Problem]:
    """A claim labelled confirmed needs a primary source or two independent secondary ones; a mirror counts as the
    source it copies, so two copies of one report are one report. Also: a mirror names what it copies, and only a
    mirror does."""
    sources = {**(library_sources or {}), **{s.id: s for s in model.sources}}
    problems = [doc.problem(path, message) for path, message in mirror_links(
        [(("sources", i), s) for i, s in enumerate(model.sources)], sources)]
    cited_lists = [(path, claim.sources) for path, claim in model_claims(model)]
    cited_lists += [(("debate", i), said.sources) for i, said in enumerate(model.debate)]
    for path, ids in cited_lists:
        problems += [doc.problem(path + ("sources", k), message) for k, message in copies_alone(ids, sources)]
    for path, claim in model_claims(model):
        if claim.status is Status.confirmed:
            cited = [sources[s] for s in claim.sources if s in sources]
            # a source id that names nothing is reported by the reference check
            if len(cited) == len(claim.sources) and (lacking := confirmed_basis_lacking(cited, sources)):
                problems.append(doc.problem(path + ("status",), lacking))
    return problems

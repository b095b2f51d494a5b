"""The basis of a `confirmed` claim: a primary source, or two independent secondary ones; a mirror counts as the
source it copies. Checked alike for a model's claims and the library's."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from pydantic import BaseModel

from threatlib.errors import Problem
from threatlib.spec.common import Claim, Source, SourceKind, Status
from threatlib.spec.model import Model
from threatlib.spec.yaml_source import Document


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
    problems = [doc.problem(path, message) for path, message in _mirror_links(
        [(("sources", i), s) for i, s in enumerate(model.sources)], sources)]
    cited_lists = [(path, claim.sources) for path, claim in model_claims(model)]
    cited_lists += [(("debate", i), said.sources) for i, said in enumerate(model.debate)]
    for path, ids in cited_lists:
        problems += [doc.problem(path + ("sources", k), message) for k, message in _copies_alone(ids, sources)]
    for path, claim in model_claims(model):
        if claim.status is Status.confirmed:
            cited = [sources[s] for s in claim.sources if s in sources]
            # a source id that names nothing is reported by the reference check
            if len(cited) == len(claim.sources) and (lacking := confirmed_basis_lacking(cited, sources)):
                problems.append(doc.problem(path + ("status",), lacking))
    return problems


def library_claims_basis(entry: BaseModel, doc: Document, sources: Mapping[str, Source]) -> list[Problem]:
    """The same rule for one library file, whose claims and provisions carry their sources inline."""
    listed: list[tuple[tuple, Source]] = []
    problems = []
    for path, status, cited in _library_claims(entry, ()):
        listed += [(path + ("sources", k), s) for k, s in enumerate(cited)]
        problems += [doc.problem(path + ("sources", k, "id"), message)
                     for k, message in _copies_alone([s.id for s in cited], sources)]
        if status is Status.confirmed and (lacking := confirmed_basis_lacking(cited, sources)):
            problems.append(doc.problem(path + ("status",), lacking))
    problems += [doc.problem(path, message) for path, message in _mirror_links(listed, sources)]
    return problems


def confirmed_basis_lacking(cited: list[Source], sources: Mapping[str, Source]) -> str | None:
    """Why these sources do not support a confirmed claim, or None when they do (or when none is given)."""
    if not cited:
        return None
    originals: dict[str, Source] = {}
    for source in cited:
        original = original_source(source, sources)
        originals.setdefault(original.id, original)
    if any(s.kind is SourceKind.primary for s in originals.values()):
        return None
    publishers = {_outlet(s.publisher) for s in originals.values()}
    if len(publishers) >= 2:
        return None
    fix = "cite the primary document or a second independent source, or label it reported"
    if len(originals) == 1:
        (only,) = originals.values()
        copies = [s.id for s in cited if s.id != only.id]
        if copies:
            return (f"claim is labelled confirmed but rests on one secondary source, '{only.id}' "
                    f"({'copied by' if len(copies) > 1 else 'of which'} {', '.join(repr(c) for c in copies)} "
                    f"{'are copies' if len(copies) > 1 else 'is a copy'}); {fix}")
        return f"claim is labelled confirmed but rests on one secondary source, '{only.id}'; {fix}"
    publisher = next(iter(originals.values())).publisher
    return f"claim is labelled confirmed but its secondary sources all come from one outlet, {publisher}; {fix}"


def _outlet(publisher: str) -> str:
    """The outlet a publisher names, without the author or carrier in brackets: "China Law Translate (Jeremy Daum)"
    and "China Law Translate" are one outlet, so two of its pieces are not independent of each other."""
    return re.sub(r"\s+", " ", re.sub(r"\([^)]*\)", "", publisher)).strip().removeprefix("The ").casefold()


def original_source(source: Source, sources: Mapping[str, Source]) -> Source:
    """Follow mirror_of to the source a copy was made from (a broken or circular chain stops at the last copy)."""
    seen = {source.id}
    while source.kind is SourceKind.mirror and source.mirror_of in sources and source.mirror_of not in seen:
        source = sources[source.mirror_of]
        seen.add(source.id)
    return source


def _mirror_links(listed: list[tuple[tuple, Source]], sources: Mapping[str, Source]) -> list[tuple[tuple, str]]:
    found = []
    for path, s in listed:
        if s.kind is SourceKind.mirror and s.mirror_of is None:
            found.append((path + ("kind",), f"source '{s.id}' is a mirror: say which source it copies with mirror_of"))
        elif s.kind is not SourceKind.mirror and s.mirror_of is not None:
            found.append((path + ("mirror_of",), f"source '{s.id}' names mirror_of but its kind is {s.kind.value}; "
                                                 "only a mirror copies another source"))
        elif s.mirror_of is not None and s.mirror_of not in sources:
            close = difflib.get_close_matches(s.mirror_of, sorted(sources), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            found.append((path + ("mirror_of",), f"source '{s.id}' is a mirror of '{s.mirror_of}', which is not a listed source{hint}"))
        elif s.mirror_of == s.id:
            found.append((path + ("mirror_of",), f"source '{s.id}' cannot be a mirror of itself"))
    return found


def _copies_alone(ids: list[str], sources: Mapping[str, Source]) -> list[tuple[int, str]]:
    """A copy is kept only beside the source it copies, so a reader sees both where it was read and what it is."""
    found = []
    for k, source_id in enumerate(ids):
        copy = sources.get(source_id)
        if copy is not None and copy.kind is SourceKind.mirror and copy.mirror_of in sources and copy.mirror_of not in ids:
            found.append((k, f"source '{source_id}' is a copy of '{copy.mirror_of}': cite '{copy.mirror_of}' beside it"))
    return found


def _library_claims(value: object, path: tuple) -> Iterator[tuple[tuple, Status, list[Source]]]:
    """Every part of a library entry with a status and inline sources (provisions, claims), with its path."""
    if isinstance(value, BaseModel):
        status, sources = getattr(value, "status", None), getattr(value, "sources", None)
        if isinstance(status, Status) and isinstance(sources, list):
            yield path, status, sources
        for name in type(value).model_fields:
            yield from _library_claims(getattr(value, name), path + (name,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _library_claims(item, path + (i,))

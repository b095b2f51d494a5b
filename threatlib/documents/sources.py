"""What a claim's sources must be: a confirmed claim rests on a primary source or on two independent secondary
ones, and a mirror counts as the source it copies. The same rule holds for a model's claims (spec/claim_basis.py)
and for the library's, whose claims carry their sources inline (checked here)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from pydantic import BaseModel

from threatlib.documents.common import Source, SourceKind, Status
from threatlib.documents.yaml_source import Document
from threatlib.errors import Problem


def library_claims_basis(entry: BaseModel, doc: Document, sources: Mapping[str, Source]) -> list[Problem]:
    """The same rule for one library file, whose claims and provisions carry their sources inline."""
    listed: list[tuple[tuple, Source]] = []
    problems = []
    for path, status, cited in _library_claims(entry, ()):
        listed += [(path + ("sources", k), s) for k, s in enumerate(cited)]
        problems += [doc.problem(path + ("sources", k, "id"), message)
                     for k, message in copies_alone([s.id for s in cited], sources)]
        if status is Status.confirmed and (lacking := confirmed_basis_lacking(cited, sources)):
            problems.append(doc.problem(path + ("status",), lacking))
    problems += [doc.problem(path, message) for path, message in mirror_links(listed, sources)]
    problems += [doc.problem(path + ("author",), f"source '{s.id}' names an author, but organisations belong to a model: "
                                                 "a library source cannot be one's own document")
                 for path, s in _library_sources(entry, ()) if s.author is not None]
    return problems


def _library_sources(value: object, path: tuple) -> Iterator[tuple[tuple, Source]]:
    """Every source of a library entry, wherever it is cited (claims, provisions, thresholds, ratings), with its path."""
    if isinstance(value, Source):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _library_sources(getattr(value, name), path + (name,))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _library_sources(item, path + (i,))


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


def mirror_links(listed: list[tuple[tuple, Source]], sources: Mapping[str, Source]) -> list[tuple[tuple, str]]:
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


def copies_alone(ids: list[str], sources: Mapping[str, Source]) -> list[tuple[int, str]]:
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

"""The public debate: each claim made about the app, with the model's assessment and what its evidence rests on."""

from __future__ import annotations

from collections.abc import Mapping

from threatlib.analysis.model import CitedClaim, DebateView
from threatlib.documents.common import Source, SourceKind
from threatlib.documents.sources import original_source
from threatlib.spec.model import Model


def debate_views(spec: Model, library_sources: Mapping[str, Source]) -> list[DebateView]:
    sources = {**library_sources, **{s.id: s for s in spec.sources}}
    views = []
    for said in spec.debate:
        cited = [sources[s] for claim in said.evidence for s in claim.sources if s in sources]
        originals = [original_source(s, sources) for s in cited]
        views.append(DebateView(
            id=said.id, claim=said.claim, said_by=said.said_by, said_on=said.said_on, sources=list(said.sources),
            assessment=said.assessment.value, reasoning=said.reasoning, in_short=said.in_short,
            evidence=[CitedClaim(statement=c.statement, status=c.status.value, sources=list(c.sources)) for c in said.evidence],
            primary_publishers=_publishers(originals, SourceKind.primary),
            secondary_publishers=_publishers(originals, SourceKind.secondary)))
    return views


def _publishers(originals: list[Source], kind: SourceKind) -> list[str]:
    """In order of first citation, each publisher once."""
    return list(dict.fromkeys(s.publisher for s in originals if s.kind is kind))

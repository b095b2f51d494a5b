"""What a judgement rests on, in words a reader can weigh: the kinds and statuses of the sources behind its route.

Each necessary step of the route is put in one class by its best evidence (a copy counts as the source it copies):
a step the vendor states is "the vendor's own statement"; a step with a primary document is the company's own
documents when one of the model's organisations published it, otherwise official or first-hand records (a
regulator's decision, a court's record, a statute, a register, researchers' own findings); a step resting only on
independent reporting is "press reports"; and a step resting on no source or on an assumption says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from threatlib.analysis.model import Premise, SourceRef

# Strongest first: the order the sentence names them in.
BASIS_WORDS = {
    "official": "official records or researchers' own findings",
    "company": "the company's own documents",
    "vendor_claim": "the vendor's own statement",
    "vendor_reported": "press reports of what the vendor says",
    "press": "press reports or independent analysis",
    "assumption": "a modelling assumption",
    "unsourced": "no source",
}
# Words of a company's name that do not tell one publisher from another, and words of public bodies' names that a
# company's name can share ("High-Flyer" and a High Court).
_COMMON = frozenset("""
    limited ltd inc co corp corporation company holdings holding group plc pte llc gmbh the and of for
    technology technologies information international service services systems system computer communications
    beijing hangzhou shenzhen shanghai guangzhou china chinese europe european global research development
    data security video artificial intelligence engine mobile identity subsidiaries fund hedge quantitative
    high court supreme national state states united new federal government department ministry office
    commission authority council parliament public
""".split())
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _COMMON}


class RouteBasis:
    def __init__(self, sources: Sequence[SourceRef], organisation_names: Iterable[str]):
        self._sources = {s.id: s for s in sources}
        self._company_words = set().union(*(_words(n) for n in organisation_names))

    def _original(self, source_id: str) -> SourceRef | None:
        s, seen = self._sources.get(source_id), {source_id}
        while s is not None and s.kind == "mirror" and s.mirror_of in self._sources and s.mirror_of not in seen:
            seen.add(s.mirror_of)
            s = self._sources[s.mirror_of]
        return s

    def step_class(self, p: Premise) -> str:
        if p.status in ("assumption", "unsourced"):
            return p.status
        originals = [s for s in map(self._original, p.sources) if s is not None]
        primary = [s for s in originals if s.kind == "primary"]
        if p.status == "vendor_claim":
            return "vendor_claim" if primary else "vendor_reported"
        if not primary:
            return "press"
        if all(_words(s.publisher) & self._company_words for s in primary):
            return "company"
        return "official"

    def counts(self, premises: Sequence[Premise]) -> Mapping[str, int]:
        found: dict[str, int] = {}
        for p in premises:
            c = self.step_class(p)
            found[c] = found.get(c, 0) + 1
        return {k: found[k] for k in BASIS_WORDS if k in found}

    def words(self, premises: Sequence[Premise]) -> str:
        """'Its steps rest on official or first-hand records (2 steps) and press reports (1 step).'"""
        parts = [f"{BASIS_WORDS[k]} ({n} step{'s' if n != 1 else ''})" for k, n in self.counts(premises).items()]
        if not parts:
            return ""
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"Its steps rest on {listed}."

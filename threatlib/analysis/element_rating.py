"""A legal finding's likelihood, by the judgements' drivers at its own element (see judgements and drivers)."""

from __future__ import annotations

from threatlib.analysis.confidence import step_words
from threatlib.analysis.drivers import WEAKNESS, Basis, Rated, strength
from threatlib.analysis.judgements import CERTAINTY, VIA_ORDER, Evidence, Organisations, _certainty, _rated
from threatlib.analysis.model import Exposure, Judgement
from threatlib.compile import CompiledModel
from threatlib.compile.legal import LegalBasis


class ElementRater:
    """Rates a legal finding by the judgements' drivers, at its own element: its own legal bases, whose data reaches
    it, and how well the model evidences the element and its operator's link. A flow is rated at its sink."""

    def __init__(self, compiled: CompiledModel, exposures: list[Exposure], judgements: list[Judgement]):
        self.compiled = compiled
        self.evidence = Evidence(compiled)
        self.judgements = {j.jurisdiction: j for j in judgements}
        self.subjects: dict[str, set[str]] = {}
        for e in exposures:
            self.subjects.setdefault(e.holder, set()).update(e.subjects)
        self.default_subjects = {g.value for g in compiled.spec.metadata.data_subjects}
        self._cache: dict[tuple, tuple[Rated, str]] = {}
        self.organisations = Organisations(compiled)
        self.index = compiled.library.provision_index()
        self._ratings: dict[tuple, Rated] = {}  # elements alike in every driver share one rating
        self._leads: dict[tuple[int, ...], tuple] = {}  # by the identities of the bases, alive in compiled
        self._subjects: dict[str, frozenset[str]] = {}  # whose data reaches each holder
        self._by_code: dict[tuple[int, ...], list[tuple]] = {}  # bases by legal order, for each set of them
        self._ranks: dict[int, tuple] = {}  # each basis's rank as a lead provision
        self._reasons: dict[tuple[int, str], list[str]] = {}  # by the identity of a rating, alive in _ratings

    def rate(self, element_id: str, relevant: list[LegalBasis]) -> tuple[int, list[str]]:
        """The highest likelihood over the legal orders the finding relies on, and how it was reached."""
        best: tuple[Rated, str] | None = None
        ids = tuple(map(id, relevant))  # the compiled model's own bases, alive for the analysis
        if ids not in self._by_code:
            self._by_code[ids] = [(code, tuple(sorted({b.provision_id for b in relevant if b.jurisdiction == code})),
                                   [b for b in relevant if b.jurisdiction == code])
                                  for code in sorted({b.jurisdiction for b in relevant})]
        for code, provisions, bases in self._by_code[ids]:
            key = (element_id, code, provisions)
            if key not in self._cache:
                self._cache[key] = (self._rate(element_id, code, bases), code)
            if best is None or self._cache[key][0].index > best[0].index:
                best = self._cache[key]
        rated, code = best
        if (id(rated), code) not in self._reasons:  # the reasons are the rating's, whichever element it rates
            self._reasons[id(rated), code] = self._reasons_for(rated, code)
        return rated.index, self._reasons[id(rated), code]

    def _reasons_for(self, rated: Rated, code: str) -> list[str]:
        name = self.compiled.library.jurisdictions[code].in_sentence
        reasons = [f"Likelihood by the judgement drivers for {name}, at this element:"]
        reasons += [f"{d.effect:+d} {d.driver}: {d.text}" for d in rated.drivers]
        judgement = self.judgements.get(code)
        if judgement and judgement.likelihood != rated.key:
            holder = self.compiled.facts[judgement.route.holder].name
            reasons.append(f"The judgement for {name} is {judgement.likelihood_words}: it rates the route to {holder}, "
                           "whose legal basis, data subjects or evidence differ from this element's.")
        return reasons

    def _rate(self, element_id: str, code: str, bases: list[LegalBasis]) -> Rated:
        facts = self.compiled.facts[element_id]
        holder = facts.sink if facts.kind == "flow" else element_id
        # Elements with the same bases (one tuple of them from compile) have the same lead provision.
        key = tuple(map(id, bases))
        if key not in self._leads:
            self._leads[key] = self._lead(bases)
        lead, basis, contested = self._leads[key]
        premises = [self.evidence.premise(element_id, "hand-over" if facts.kind == "flow" else "holder")]
        premises += [self.evidence.premise(org, "link") for org in lead.chain]
        weakest = max(premises, key=lambda x: WEAKNESS.index(x.status))
        operator = self.compiled.facts[holder].operator
        if holder not in self._subjects:
            self._subjects[holder] = frozenset(self.subjects.get(holder) or self.default_subjects)
        return _rated(self._ratings, self.compiled, code, basis, contested=contested,
                      sectors=self.organisations.sectors(operator), subjects=self._subjects[holder],
                      weakest=(weakest.status, step_words(weakest)), gateway=None,
                      group=self.organisations.group(operator))

    def _lead_rank(self, b: LegalBasis) -> tuple:
        """Best-settled first, then the strongest power, then by id and link: one basis is in many elements' sets,
        so its rank is worked out once (by its identity: the compiled model's own, alive for the analysis)."""
        if id(b) not in self._ranks:
            p = self.index[b.provision_id][2]
            self._ranks[id(b)] = (CERTAINTY.index(_certainty(b, p)), -strength(p.purpose.value, p.scope.value),
                                  b.provision_id, VIA_ORDER[b.via.value], b.chain)
        return self._ranks[id(b)]

    def _lead(self, bases: list[LegalBasis]) -> tuple[LegalBasis, Basis, bool]:
        """The provision that carries the reach among these bases, what the rating needs of it, and whether the
        reach it carries is contested."""
        lead = min(bases, key=self._lead_rank)
        p = self.index[lead.provision_id][2]
        return (lead, Basis(lead.label, p.purpose.value, p.scope.value, frozenset(p.powers)),
                p.counter_reading is not None or lead.via.value == "control")

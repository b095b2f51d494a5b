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
        # By the identity of a rating, alive in _ratings: its reasons, and whether they name the element's own step.
        self._reasons: dict[tuple[int, str], tuple[list[str], bool]] = {}

    def rate(self, element_id: str, relevant: list[LegalBasis]) -> tuple[int, list[str]]:
        """The highest likelihood over the legal orders the finding relies on, and how it was reached."""
        index, reasons, own = self.rate_shared(element_id, relevant)
        return index, reasons if own is None else in_place(reasons, own)

    def rate_shared(self, element_id: str, relevant: list[LegalBasis]) -> tuple[int, list[str], str | None]:
        """rate(), its reasons shared by the elements rated alike: where they name the element's own step (its
        evidence lowering or capping the rating), OWN_STEP stands in for it, and the step's words come beside them
        (None where the reasons name no such step). In a large estate of unsourced steps each element's own step
        caps its rating, and the reasons are otherwise the same for many elements."""
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
            reasons = self._reasons_for(rated, code)
            self._reasons[id(rated), code] = reasons, any(OWN_STEP in r for r in reasons)
        reasons, names_own_step = self._reasons[id(rated), code]
        return rated.index, reasons, self._own_step_words(element_id) if names_own_step else None

    def _own_premise(self, element_id: str):
        """The element's own step: its hand-over for a flow, else the element as holder."""
        return self.evidence.premise(element_id, "hand-over" if self.compiled.facts[element_id].kind == "flow" else "holder")

    def _own_step_words(self, element_id: str) -> str:
        return step_words(self._own_premise(element_id))

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
        premises = [self._own_premise(element_id)]
        premises += [self.evidence.premise(org, "link") for org in lead.chain]
        weakest = max(premises, key=lambda x: WEAKNESS.index(x.status))
        # The element's own step is named by a stand-in, so elements rated alike share one rating and its reasons.
        words = OWN_STEP if weakest is premises[0] else step_words(weakest)
        operator = self.compiled.facts[holder].operator
        if holder not in self._subjects:
            self._subjects[holder] = frozenset(self.subjects.get(holder) or self.default_subjects)
        return _rated(self._ratings, self.compiled, code, basis, contested=contested,
                      sectors=self.organisations.sectors(operator), subjects=self._subjects[holder],
                      weakest=(weakest.status, words), gateway=None,
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


OWN_STEP = "\x00own step\x00"  # no words of a step hold it: a model's text cannot hold a NUL


def in_place(reasons: list[str], own: str) -> list[str]:
    """Reasons with the words of the element's own step where OWN_STEP stands in for them."""
    return [r.replace(OWN_STEP, own) for r in reasons]

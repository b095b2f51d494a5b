"""Why a legal finding applies: the sentences on legal reach, made once for elements with the same bases, read as
they read made for each element alone."""

from __future__ import annotations

import pytest

from threatlib.analysis.why import explain
from threatlib.compile.facts import Facts
from threatlib.compile.legal import LegalBasis
from threatlib.library.schema import Nexus, Power


def _basis(code: str, provision: str, via: Nexus, chain: tuple[str, ...]) -> LegalBasis:
    return LegalBasis(jurisdiction=code, law_rank=0, provision_id=provision, law_id=f"{code}-law", law_short="Law",
                      article=provision, powers=(Power.compelled_disclosure,), via=via, chain=chain, authorities=(),
                      status="confirmed")


NAMES = {"org-a": "Acme", "org-b": "Borealis"}
BY_PLACE = _basis("CN", "art-7", Nexus.location, ())
BY_OPERATOR = _basis("CN", "art-10", Nexus.incorporation, ("org-a",))
BY_PARENT = _basis("US", "s-702", Nexus.control, ("org-b", "org-a"))


@pytest.mark.parametrize("relevant", [[BY_PLACE], [BY_OPERATOR, BY_PARENT], [BY_PLACE, BY_OPERATOR, BY_PARENT],
                                      [BY_OPERATOR, BY_PLACE]])
def test_sentences_made_once_read_as_made_for_each_element(relevant) -> None:
    # "Acme" is also the operator's name: where its place and its operator reach it, one sentence names both.
    elements = [Facts(id=f"e{i}", kind="server", name=name) for i, name in enumerate(["Widget", "Acme", "Gadget", "Acme"])]
    reaches: dict = {}
    alone = [explain(f, relevant, None, NAMES) for f in elements]
    assert [explain(f, relevant, None, NAMES, reaches) for f in elements] == alone
    assert all(alone)
    if BY_PLACE in relevant:
        assert any("CN reaches Widget because" in s for s in alone[0])
        assert len(alone[1]) < len(alone[0]) or BY_OPERATOR not in relevant  # Acme's two sentences became one

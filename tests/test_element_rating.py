"""A legal finding's rating at its element: elements rated alike share one rating and its reasons, a stand-in for
each one's own step, and every finding reads as if its element had been rated alone."""

from __future__ import annotations

import sys
from pathlib import Path

from threatlib.analysis.element_rating import OWN_STEP, ElementRater
from threatlib.analysis.exposure import exposure_paths
from threatlib.analysis.findings import resolve_findings
from threatlib.analysis.judgements import judge
from threatlib.compile import compile_model
from threatlib.spec import load_model

ROOT = Path(__file__).resolve().parent.parent


class _Alone(ElementRater):
    """Rates every element with a rater of its own: nothing one element's rating worked out reaches another's."""

    def __init__(self, compiled, exposures, judgements):
        super().__init__(compiled, exposures, judgements)
        self.made_with = (compiled, exposures, judgements)

    def rate_shared(self, element_id, relevant):
        return ElementRater(*self.made_with).rate_shared(element_id, relevant)


def _findings(path: Path, library, rater_class: type[ElementRater]) -> list:
    model, _ = load_model(path, library)
    compiled = compile_model(model, library)
    exposures = exposure_paths(compiled)
    judgements, _ = judge(compiled, exposures, lambda source: source.id)
    return resolve_findings(compiled, {}, rater_class(compiled, exposures, judgements))


def test_findings_rated_together_read_as_each_rated_alone(library, tmp_path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import synthetic_model
    finally:
        sys.path.remove(str(ROOT / "bench"))
    path = tmp_path / "estate.yaml"
    path.write_text(synthetic_model(60), encoding="utf-8")
    together, alone = _findings(path, library, ElementRater), _findings(path, library, _Alone)
    assert [f.model_dump() for f in together] == [f.model_dump() for f in alone]
    # The estate's steps are unsourced, so each element's own step caps its rating and is named in its reasons.
    capped = [(f, r) for f in together for r in f.risk.rationale if "Capped at realistic possibility" in r]
    assert capped
    named = {f.element_id: f.element_name for f in together}
    for finding, reason in capped:
        own = (f"the flow {finding.element_name}" if finding.element_kind == "flow"
               else f"{finding.element_name} (where it is and who runs it)")
        assert f"it rests on {own}, which is" in reason or "'s link to the legal order" in reason
        assert not any(f"it rests on {name} (" in reason for other, name in named.items()
                       if other != finding.element_id and name != finding.element_name)
    assert not any(OWN_STEP in r for f in together for r in f.risk.rationale)

"""The compiled model: a validated model plus the library, as a pytm TM with derived facts and compulsion links.

It owns pytm's global state (see pytm_state): the TM, its elements and threats live in a state object
held by the CompiledModel, never in the process-wide registry once compile returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytm
from pytm.tm import TMState

from threatlib.collector import collector_paused
from threatlib.compile.derived import derive
from threatlib.compile.facts import Facts
from threatlib.compile.legal import CompulsionLink, LegalBasis
from threatlib.compile.pytm_model import build_pytm
from threatlib.compile.pytm_state import fresh_state, register_threats
from threatlib.library import Library
from threatlib.spec.model import Model

if TYPE_CHECKING:  # the script's loader uses this package's pytm_state: importing it here would go round
    from threatlib.spec.pytm_import import PytmScript


@dataclass
class CompiledModel:
    spec: Model
    library: Library
    tm: pytm.TM
    state: TMState
    facts: dict[str, Facts]  # element and flow ids
    bases: dict[str, tuple[LegalBasis, ...]]  # element id -> every legal basis reaching it
    compulsion: tuple[CompulsionLink, ...]
    domestic: frozenset[str]
    authorities: dict[str, tuple[str, str]]  # authority id -> (jurisdiction, name)
    legal_layer: bool = True  # False for a pytm script or an import not yet given organisations and jurisdictions
    # A pytm script: the (threat, element) pairs its own TM.resolve() found, excluded ones included; None otherwise.
    resolved: tuple | None = None
    pytm_classes: dict[str, str] = field(default_factory=dict)  # a pytm script: element id -> its pytm class name


@collector_paused()
def compile_model(model: Model, library: Library, *, pytm_threats: bool | None = None) -> CompiledModel:
    """pytm_threats overrides the model's own `threats.pytm` choice (the fixtures turn them off)."""
    if pytm_threats is None:
        pytm_threats = model.threats.pytm
    d = derive(model, library)
    with fresh_state() as state:
        tm = build_pytm(model, library, d.facts, state, pytm_threats)
    return CompiledModel(spec=model, library=library, tm=tm, state=state, facts=d.facts, bases=d.bases,
                         compulsion=d.compulsion, domestic=d.domestic, authorities=d.authorities,
                         legal_layer=model.legal_layer())


def compile_script(script: PytmScript, library: Library) -> CompiledModel:
    """A pytm script already run and resolved by pytm at load: its elements are given their facts, and its
    findings are pytm's own."""
    derived = derive(script.spec, library)
    for element_id, node in script.nodes.items():
        node.facts = derived.facts[element_id]
    # Our library's threats read the legal layer's facts: with none modelled there is nothing for them to find.
    threats = register_threats(script.state, (), keep_pytm=True)
    resolved = tuple((threats[f.threat_id], f.element) for f in script.findings
                     if f.threat_id in threats and hasattr(f.element, "facts"))
    return CompiledModel(spec=script.spec, library=library, tm=script.tm, state=script.state, facts=derived.facts,
                         bases=derived.bases, compulsion=derived.compulsion, domestic=derived.domestic,
                         authorities=derived.authorities, legal_layer=False, resolved=resolved,
                         pytm_classes={e.id: type(script.nodes[e.id]).__name__ for e in script.spec.elements})

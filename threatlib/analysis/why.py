"""Why a finding applies, in sentences a reader can check: the facts that made its threat's condition hold, and the
legal bases that reach its element. The matcher (findings.py) decides; this says it in English."""

from __future__ import annotations

from threatlib.compile import CompiledModel
from threatlib.compile.facts import Facts
from threatlib.compile.legal import LegalBasis
from threatlib.vocabulary import LINK_REASONS


def explain(facts: Facts, relevant: list[LegalBasis], compiled: CompiledModel, names: dict[str, str],
            reaches: dict | None = None, data_names: dict[str, str] | None = None) -> list[str]:
    """Say, in sentences a reader can check, which facts made the threat apply; `relevant` is relevant_bases().

    reaches: the sentences on legal reach already made, by the identities of their bases (the compiled model's own,
    alive for the analysis); data_names: the data categories' names by id, for many findings made once."""
    why = []
    if facts.kind == "flow":
        route = f"from {facts.source_jurisdiction} to {facts.jurisdiction}" if facts.crosses_legal_order else f"within {facts.jurisdiction}"
        access = "read remotely by the sink" if facts.remote_access else "sent"
        why.append(f"The flow carries {_data_names(facts.handles, data_names, compiled)} {route}, {access}.")
        if facts.sink_foreign_compelling:
            why.append(f"Its sink can be compelled by {', '.join(facts.sink_foreign_compelling)}.")
        subject = compiled.facts[facts.sink].name  # relevant_bases looks at the sink's bases for a flow
    else:
        subject = facts.name
        held = facts.stores or facts.handles
        if held:
            verb = "stores" if facts.stores else "handles"
            why.append(f"It {verb} {_data_names(held, data_names, compiled)}.")
    if reaches is None:
        return why + _reach(relevant, subject, names)
    # A basis with no chain reaches the element itself, named in its sentence: made once with a stand-in for the
    # name, unless the name is an organisation's the sentences name too (the two would then share a sentence).
    named = [b for b in relevant if not b.chain]
    own = subject if named and subject in {names.get(b.chain[0], b.chain[0]) for b in relevant if b.chain} else None
    key = (tuple(map(id, relevant)), own)
    if key not in reaches:
        reaches[key] = _reach(relevant, _ELEMENT if own is None else own, names)
    if not named or own is not None:
        return why + reaches[key]
    return why + [sentence.replace(_ELEMENT, subject) for sentence in reaches[key]]


_ELEMENT = "\x00element\x00"  # no name holds it: a model's text cannot hold a NUL


def _reach(relevant: list[LegalBasis], subject: str, names: dict[str, str]) -> list[str]:
    """One sentence per jurisdiction and organisation: the routes by which it reaches, then the provisions."""
    why = []
    grouped: dict[tuple[str, str], dict[str, list[LegalBasis]]] = {}
    for b in relevant:
        who = names.get(b.chain[0], b.chain[0]) if b.chain else subject
        route = LINK_REASONS[b.via]
        if b.via == "control" and len(b.chain) > 1:
            route = f"it is controlled by {' and '.join(names.get(c, c) for c in b.chain[1:])}"
        grouped.setdefault((b.jurisdiction, who), {}).setdefault(route, []).append(b)
    for (jurisdiction, who), routes in grouped.items():
        provisions: dict[str, LegalBasis] = {}
        for group in routes.values():
            for b in group:
                provisions.setdefault(b.provision_id, b)
        laws = "; ".join(f"{b.label} ({', '.join(p.label for p in b.powers)})"
                         for b in sorted(provisions.values(), key=lambda x: (x.law_rank, x.provision_id)))
        why.append(f"{jurisdiction} reaches {who} because {' and '.join(routes)}: {laws}.")
    return why


def _data_names(ids, names: dict[str, str] | None, compiled: CompiledModel) -> str:
    if names is None:
        names = {d.id: d.name for d in compiled.spec.data}
    return ", ".join([names[i] for i in ids])

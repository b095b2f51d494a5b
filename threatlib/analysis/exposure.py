"""Exposure paths: which personal data categories can reach which state authority, and by what path.

For each data category a breadth-first search runs forward along the flows that carry it, from every
element where it originates, so each category costs one pass over the flows: linear in the model, and
no enumeration of all paths. Every compellable element the category reaches is recorded, each with a
shortest path from where the data originates.
"""

from __future__ import annotations

from collections import deque

from threatlib.analysis.model import Exposure
from threatlib.compile import CompiledModel


def exposure_paths(compiled: CompiledModel) -> list[Exposure]:
    model = compiled.spec
    carriers: dict[str, list] = {d.id: [] for d in model.data}
    for flow in model.flows:
        for d in flow.data:
            carriers[d].append(flow)
    links_at: dict[str, list] = {}
    for link in compiled.compulsion:
        if link.foreign:
            links_at.setdefault(link.element, []).append(link)

    exposures: dict[tuple[str, str, str], Exposure] = {}
    for category in model.data:
        if not category.personal:
            continue
        flows = carriers[category.id]
        out: dict[str, list] = {}
        has_inbound = set()
        for flow in flows:
            out.setdefault(flow.source, []).append(flow)
            has_inbound.add(flow.sink)
        # Data originates where it leaves or rests without having arrived along a flow: the user's side.
        origins = [e.id for e in model.elements
                   if (e.id in out or category.id in e.stores) and e.id not in has_inbound]
        previous: dict[str, tuple[str, str] | None] = {o: None for o in origins}
        queue = deque(origins)
        while queue:
            here = queue.popleft()
            if here in links_at and compiled.facts[here].handles and category.id in compiled.facts[here].handles:
                for link in links_at[here]:
                    key = (category.id, link.authority, here)
                    if key not in exposures:
                        elements, via_flows = _walk_back(previous, here)
                        exposures[key] = Exposure(
                            data=category.id, authority=link.authority, jurisdiction=link.jurisdiction,
                            elements=elements, flows=via_flows, holder=here,
                            bases=sorted({b.provision_id for b in link.bases}))
            for flow in out.get(here, ()):
                if flow.sink not in previous:
                    previous[flow.sink] = (here, flow.id)
                    queue.append(flow.sink)
    return sorted(exposures.values(), key=lambda e: (e.jurisdiction, e.authority, e.data, len(e.elements), e.holder))


def _walk_back(previous, end: str) -> tuple[list[str], list[str]]:
    elements, flows = [end], []
    step = previous[end]
    while step is not None:
        element, flow = step
        elements.append(element)
        flows.append(flow)
        step = previous[element]
    return elements[::-1], flows[::-1]

"""Exposure paths: which personal data categories can reach which state authority, and by what path.

For each data category a breadth-first search runs forward along the flows that carry it, from every
element where it originates, so each category costs one pass over the flows: linear in the model, and
no enumeration of all paths. Every compellable element the category reaches is recorded, each with a
shortest path from where the data originates.

Whose data it is matters as much as what it is (officials' data draws more interest than anyone's), so origins
are grouped by the subjects they declare (an element's `subjects`, else the model's `data_subjects`) and each
group is searched on its own: an exposure is per data category, holder, authority and group of subjects.
"""

from __future__ import annotations

from collections import deque

from threatlib.analysis.model import Exposure
from threatlib.compile import CompiledModel
from threatlib.spec.model import SubjectGroup


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

    exposures: dict[tuple, Exposure] = {}
    provisions: dict[int, list[str]] = {}
    default_subjects = model.metadata.data_subjects
    subjects_of = {e.id: tuple(sorted(s.value for s in (e.subjects or default_subjects))) for e in model.elements}
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
        groups: dict[tuple[str, ...], list[str]] = {}
        for e in model.elements:
            if (e.id in out or category.id in e.stores) and e.id not in has_inbound:
                groups.setdefault(subjects_of[e.id], []).append(e.id)
        for subjects, origins in sorted(groups.items()):
            _search(compiled, category.id, origins, subjects, out, links_at, exposures, provisions)
    return sorted(exposures.values(),
                  key=lambda e: (e.jurisdiction, e.authority, e.data, len(e.elements), e.holder, e.subjects))


def _search(compiled: CompiledModel, category: str, origins: list[str], subjects: tuple[str, ...], out, links_at,
            exposures: dict, provisions: dict) -> None:
    """provisions: each compulsion link's provision ids, by the link's identity (the links live in compiled)."""
    previous: dict[str, tuple[str, str] | None] = {o: None for o in origins}
    groups = [SubjectGroup(s) for s in subjects]
    make_exposure = Exposure.maker()
    queue = deque(origins)
    while queue:
        here = queue.popleft()
        if here in links_at and category in compiled.facts[here].handles:
            path = None  # one shortest path to here, shared by the exposures to each authority that can compel it
            for link in links_at[here]:
                key = (category, link.authority, here, subjects)
                if key not in exposures:
                    if path is None:
                        path = _walk_back(previous, here)
                    if id(link) not in provisions:
                        provisions[id(link)] = sorted({b.provision_id for b in link.bases})
                    exposures[key] = make_exposure({
                        "data": category, "authority": link.authority, "jurisdiction": link.jurisdiction,
                        "elements": path[0], "flows": path[1], "holder": here, "subjects": groups,
                        "bases": provisions[id(link)]})
        for flow in out.get(here, ()):
            if flow.sink not in previous:
                previous[flow.sink] = (here, flow.id)
                queue.append(flow.sink)


def _walk_back(previous, end: str) -> tuple[list[str], list[str]]:
    elements, flows = [end], []
    step = previous[end]
    while step is not None:
        element, flow = step
        elements.append(element)
        flows.append(flow)
        step = previous[element]
    return elements[::-1], flows[::-1]

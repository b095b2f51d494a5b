"""What the model does not know about where an organisation sits or how large it is, said out loud.

An unknown is never read as safe. Staff in unnamed countries make XB-05 fire on the organisation's elements
that handle personal data; a disputed headquarters is analysed as a headquarters in every place claimed (both
are warnings in every report). An organisation whose size is not stated reaches no threshold, so `validate`
names the provisions that bind by size and would otherwise reach it, for the analyst to decide by stating it.
"""

from __future__ import annotations

from threatlib.compile import CompiledModel
from threatlib.errors import Problem
from threatlib.legal import LegalReach
from threatlib.spec.model import Model, Scale
from threatlib.spec.yaml_source import Document

_UNBOUNDED = Scale(personal_data_subjects=10**15, users=10**15)


def unknown_location_warnings(compiled: CompiledModel) -> list[str]:
    warnings = []
    for o in compiled.spec.organisations:
        if o.staff_access_unnamed:
            warnings.append(f"organisation {o.id}: staff with access also sit in countries no source names; its elements "
                            "that handle personal data are not treated as safe (XB-05), and the laws there are not modelled")
        if o.headquarters_disputed:
            places = " or ".join([o.headquarters, *o.headquarters_disputed])
            warnings.append(f"organisation {o.id}: headquarters disputed ({places}); provisions that reach through a "
                            "headquarters are applied for each place")
    return warnings


def unstated_scale(model: Model, doc: Document, library) -> list[Problem]:
    """A warning, at the organisation, for each one of unstated size that a provision binding by size would reach."""
    if not any(p.thresholds for j in library.jurisdictions.values() for law in j.laws for p in law.provisions):
        return []
    reach = LegalReach(model, library)
    warnings = []
    for i, o in enumerate(model.organisations):
        if o.scale is not None:
            continue
        links, sectors = reach.organisation_links(o.id), frozenset(o.sectors)
        by_size = sorted({b.label for b in reach.bases(links, sectors, _UNBOUNDED)} - {b.label for b in reach.bases(links, sectors)})
        if by_size:
            warnings.append(doc.problem(("organisations", i, "id"), f"warning: organisation '{o.id}' states no scale, so "
                                        f"provisions that bind above a size were not applied to it ({'; '.join(by_size)}); "
                                        "state its scale (personal_data_subjects, users) to decide"))
    return warnings

"""What the model does not know about where an organisation sits or how large it is, said out loud.

An unknown is never read as safe. Staff in unnamed countries make XB-05 fire on the organisation's elements
that handle personal data; a disputed headquarters is analysed as a headquarters in every place claimed; an
organisation whose size is not stated reaches no threshold, so the provisions that bind by size and would
otherwise reach it are named here, for the analyst to decide by stating its scale.
"""

from __future__ import annotations

from threatlib.compile import CompiledModel
from threatlib.legal import LegalReach
from threatlib.spec.model import Scale

_UNBOUNDED = Scale(personal_data_subjects=10**15, users=10**15)


def unknown_location_warnings(compiled: CompiledModel) -> list[str]:
    spec, library = compiled.spec, compiled.library
    warnings = []
    sized = any(p.thresholds for j in library.jurisdictions.values() for law in j.laws for p in law.provisions)
    reach = LegalReach(spec, library) if sized else None
    for o in spec.organisations:
        if o.staff_access_unnamed:
            warnings.append(f"organisation {o.id}: staff with access also sit in countries no source names; its elements "
                            "that handle personal data are not treated as safe (XB-05), and the laws there are not modelled")
        if o.headquarters_disputed:
            places = " or ".join([o.headquarters, *o.headquarters_disputed])
            warnings.append(f"organisation {o.id}: headquarters disputed ({places}); provisions that reach through a "
                            "headquarters are applied for each place")
        if reach is not None and o.scale is None:
            links = reach.organisation_links(o.id)
            sectors = frozenset(o.sectors)
            by_size = sorted({b.label for b in reach.bases(links, sectors, _UNBOUNDED)} - {b.label for b in reach.bases(links, sectors)})
            if by_size:
                warnings.append(f"organisation {o.id}: no scale stated, so provisions that bind above a size were not "
                                f"applied to it ({'; '.join(by_size)}); state its scale to decide")
    return warnings

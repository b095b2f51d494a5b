"""What the model does not know about where an organisation sits or how large it is, said out loud.

An unknown is never read as safe. Staff in unnamed countries make XB-05 fire on the organisation's elements
that handle personal data; a disputed headquarters is analysed as a headquarters in every place claimed (both
are warnings in every report). An organisation whose size is not stated reaches no threshold, so `validate`
names the provisions that bind by size and would otherwise reach it, for the analyst to decide by stating it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # validate reads this module without pytm, which the compile stage brings
    from threatlib.compile import CompiledModel

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

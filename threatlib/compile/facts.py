"""Derived facts: what threat conditions read as `target.facts`.

Graph questions do not fit in one pytm condition, so the compile stage answers them here, once, and
attaches the answers to each pytm element. Conditions then only match facts, and a finding can say why.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class PowersByLink(dict):
    """Link kind -> powers; a link kind with no powers reads as an empty set, so conditions may subscript freely."""

    def __missing__(self, key: str) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class Facts:
    id: str  # the element's or flow's id in the model
    kind: str  # actor, device, process, server, datastore, external, flow
    name: str  # its name in the model
    jurisdiction: str = ""  # where it physically is; for a flow, its sink's
    operator: str = ""  # organisation id, "" when none
    tags: frozenset[str] = frozenset()  # element tags (mobile_app, in_app_browser, update_channel, ...)
    stores: tuple[str, ...] = ()  # data ids held at rest
    handles: tuple[str, ...] = ()  # data ids stored, received or sent (for a flow: carried)
    handles_personal: bool = False  # some data it handles (a flow: carries) is personal
    handles_sensitive: bool = False  # some of it is sensitive
    handles_children: bool = False  # some of it is about children
    stores_personal: bool = False  # some data it holds at rest is personal
    data_tags: frozenset[str] = frozenset()  # tags of every data category handled (for a flow: carried)
    stored_tags: frozenset[str] = frozenset()  # tags of the data categories held at rest
    compelling: tuple[str, ...] = ()  # jurisdictions with a power to obtain data from it or make its operator act
    foreign_compelling: tuple[str, ...] = ()  # those that are not the data subjects' own legal orders
    foreign_powers: frozenset[str] = frozenset()  # every power any foreign jurisdiction holds over it
    foreign_powers_via: PowersByLink = field(default_factory=PowersByLink)  # link kind -> foreign powers
    weak_safeguards: tuple[str, ...] = ()  # foreign compelling jurisdictions rating weak or absent on an EDPB guarantee
    staff_in_unnamed_countries: bool = False  # its operator's staff with access also sit in countries no source names
    # Flows only:
    source: str = ""  # id of the element the flow leaves
    sink: str = ""  # id of the element the flow reaches
    source_jurisdiction: str = ""  # where the source physically is
    crosses_legal_order: bool = False  # source and sink sit in different jurisdictions
    enters_foreign: bool = False  # the sink sits in a foreign jurisdiction
    remote_access: bool = False  # the sink reads the source's data from elsewhere
    encrypted: bool = False  # the flow is encrypted in transit (any encryption but none)
    sink_foreign_compelling: tuple[str, ...] = ()  # foreign jurisdictions that can compel the sink
    source_foreign_compelling: tuple[str, ...] = ()  # foreign jurisdictions that can compel the source
    source_operator: str = ""  # organisation id of the source's operator
    sink_operator: str = ""  # organisation id of the sink's operator
    source_tags: frozenset[str] = frozenset()  # element tags of the source
    sink_tags: frozenset[str] = frozenset()  # element tags of the sink

    def powers_via(self, via: str) -> frozenset[str]:
        return self.foreign_powers_via.get(via, frozenset())

"""pytm's TM.check() for a model compile built, without pydantic's validation of each assignment.

check() fills in each flow's defaults from its ends (protocol and port from the sink, encryption and the
destination checks from the ends' controls, levels, overrides), each element's inputs and outputs and each data
item's carriers and processors; pytm's own threats read them. It writes every one through pydantic's
validate-on-assignment and hashes elements by name and uuid for its indexes: a sixth of a large estate's analysis,
to write values that are already of their fields' types (they are read from pytm's own validated fields).

This does the same writes, in the same order, straight into the records, and marks each field set as validation
would. It takes only the models compile builds (no responses, orders, overrides, duplicate checks, unused-element
pruning, or element classes with checks of their own); anything else, such as a pytm script's model, goes to
pytm's check() itself. A test compares every element, flow and data item after either.
"""

from __future__ import annotations

import pytm
from pytm.enums import Lifetime
from pytm.tm import TM, Action, TMState


def check(tm: TM, state: TMState) -> bool:
    """What tm.check() does and returns, on `state` (installed as pytm's active state when pytm's check runs)."""
    if not _plain(tm, state):
        return tm.check()
    if tm.description is None:  # pytm's own first check, with its words
        return tm.check()
    state.flows = list(state.flows)  # pytm sorts by order, which compile leaves at -1 on every flow: the same order
    _apply_defaults(state.flows, state.data)
    return True


def _plain(tm: TM, state: TMState) -> bool:
    """Whether the model is one compile builds, for which the checks skipped here find nothing to do."""
    if tm.isOrdered or tm.ignoreUnused or tm.onDuplicates != Action.NO_ACTION:
        return False
    for element in state.elements:
        if type(element).check is not pytm.Element.check or getattr(element, "overrides", None):
            return False
    return all(f.responseTo is None and f.response is None and not f.isResponse and f.order == -1 for f in state.flows)


def _put(record, name: str, value) -> None:
    """A field written as validated assignment writes it, for a value already of the field's type."""
    record.__dict__[name] = value
    record.__pydantic_fields_set__.add(name)


def _apply_defaults(flows: list, data: list) -> None:
    """pytm's _apply_defaults and its _FlowDefaultsBuilder, step for step."""
    for datum in data:
        for flow in getattr(datum, "carriedBy", []):
            _add_data(getattr(flow, "data", None), datum)
    # Elements and flows by identity, in order of first appearance, as pytm's indexes keyed by them keep them (their
    # hash is their uuid's); data items by value, as pytm's are (two equal ones are one key, the first seen).
    inputs: dict[int, tuple[object, list]] = {}
    outputs: dict[int, tuple[object, list]] = {}
    carriers: dict[object, dict[int, object]] = {}
    processors: dict[object, dict[int, object]] = {}
    for flow in flows:
        source, sink = flow.source, flow.sink
        source_data = getattr(source, "data", None)
        if source_data:
            _add_data(getattr(flow, "data", None), source_data)
        for datum in list(getattr(flow, "data", [])):
            carriers.setdefault(datum, {}).setdefault(id(flow), flow)
            held = processors.setdefault(datum, {})
            held.setdefault(id(source), source)
            held.setdefault(id(sink), sink)
        try:
            levels = source.levels & sink.levels
        except TypeError:
            levels = set()
        if levels:
            _put(flow, "levels", set(levels))
        combined = list(getattr(sink, "overrides", []))
        ids = {getattr(finding, "threat_id", None) for finding in combined}
        for finding in getattr(source, "overrides", []):
            if getattr(finding, "threat_id", None) not in ids:
                combined.append(finding)
                ids.add(getattr(finding, "threat_id", None))
        _put(flow, "overrides", combined)
        _put(flow, "protocol", getattr(sink, "protocol", getattr(flow, "protocol", "")))
        _put(flow, "dstPort", getattr(sink, "port", getattr(flow, "dstPort", -1)))
        if hasattr(sink, "controls"):
            _put(flow.controls, "isEncrypted", getattr(sink.controls, "isEncrypted", False))
        if hasattr(source, "controls"):
            _put(flow.controls, "authenticatesDestination", getattr(source.controls, "authenticatesDestination", False))
            _put(flow.controls, "checksDestinationRevocation",
                 getattr(source.controls, "checksDestinationRevocation", False))
        _enrich_data(flow)
        inputs.setdefault(id(sink), (sink, []))[1].append(flow)
        outputs.setdefault(id(source), (source, []))[1].append(flow)
    for attr, index in (("inputs", inputs), ("outputs", outputs)):
        for element, its_flows in index.values():
            if hasattr(element, attr):
                _put(element, attr, list(its_flows))
    for datum, its_flows in carriers.items():
        _put(datum, "carriedBy", sorted(its_flows.values(), key=lambda f: f.name))
    for datum, elements in processors.items():
        _put(datum, "processedBy", sorted(elements.values(), key=lambda e: e.name))


def _enrich_data(flow) -> None:
    source, sink = flow.source, flow.sink
    for datum in list(getattr(flow, "data", [])):
        if getattr(datum, "isStored", False):
            if hasattr(sink, "controls") and hasattr(sink.controls, "isEncryptedAtRest"):
                _put(datum, "isDestEncryptedAtRest", sink.controls.isEncryptedAtRest)
            if hasattr(source, "controls") and hasattr(source.controls, "isEncryptedAtRest"):
                _put(datum, "isSourceEncryptedAtRest", source.controls.isEncryptedAtRest)
        if getattr(datum, "credentialsLife", Lifetime.NONE) != Lifetime.NONE and not getattr(datum, "isCredentials", False):
            _put(datum, "isCredentials", True)
        if getattr(datum, "isCredentials", False) and getattr(datum, "credentialsLife", Lifetime.NONE) == Lifetime.NONE:
            _put(datum, "credentialsLife", Lifetime.UNKNOWN)


def _add_data(container, value) -> None:
    """pytm's _add_data: Data items into a set or list of them."""
    if container is None or value is None:
        return
    if isinstance(value, pytm.Data):
        items = [value]
    elif hasattr(value, "__iter__") and not isinstance(value, str | bytes):
        items = list(value)
    else:
        items = [value]
    for item in items:
        if item is None:
            continue
        if hasattr(container, "add"):
            container.add(item)
        elif hasattr(container, "append"):
            container.append(item)

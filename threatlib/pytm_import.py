"""Existing pytm models: run a pytm script and give its model the same outputs as a YAML model.

The script is run as Python code, with the privileges of whoever runs threatlib: only run scripts you
trust. It is run under a module name other than "__main__", so the usual `tm.process()` guard does not
fire. The elements it builds keep their pytm attributes, so pytm's threats apply exactly as in pytm; the
legal layer is not modelled (a pytm script names no organisations or jurisdictions), and the reports say so.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import runpy
from pathlib import Path

import pytm

from threatlib.compile import CompiledModel, LibraryThreat, derive
from threatlib.errors import InputError, Problem
from threatlib.library import Library
from threatlib.pytm_state import fresh_state
from threatlib.spec.common import Source, SourceKind
from threatlib.spec.model import (
    Boundary,
    Classification,
    DataCategory,
    Element,
    ElementKind,
    Encryption,
    Flow,
    Metadata,
    Model,
    ThreatSelection,
)

# Most specific first: pytm's Datastore, Lambda and others subclass Asset.
KIND_OF = [(pytm.Actor, "actor"), (pytm.Datastore, "datastore"), (pytm.Server, "server"), (pytm.Process, "process"),
           (pytm.Lambda, "process"), (pytm.ExternalEntity, "external"), (pytm.Asset, "device")]
UNSPECIFIED = "unspecified-data"


def _slug(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:56] or "element"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _as_of() -> dt.date:
    """pytm models carry no date: take SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date() if epoch else dt.date.today()


def load_pytm_script(path: Path, library: Library) -> CompiledModel:
    with fresh_state() as state:
        try:
            namespace = runpy.run_path(str(path), run_name="threatlib_pytm_model")
        except SyntaxError as exc:
            raise InputError([Problem(str(path), exc.lineno or 1, exc.offset or 1, f"not valid Python: {exc.msg}")]) from None
        except Exception as exc:  # the script is the user's code: report where it failed, not our traceback
            line = _failing_line(exc, path)
            raise InputError([Problem(str(path), line, 1, f"the pytm script raised {type(exc).__name__}: {exc}")]) from None
        tms = [v for v in namespace.values() if isinstance(v, pytm.TM)]
        if not tms:
            raise InputError([Problem(str(path), 1, 1, "the script builds no pytm TM: expected a line like tm = TM(\"name\")")])
        tm = tms[0]
        spec, by_id = _spec(tm, state, path)
        derived = derive(spec, library)
        for element_id, node in by_id.items():
            node.facts = derived.facts[element_id]
        state.threats.extend(LibraryThreat(t) for t in library.threats)
    return CompiledModel(spec, library, tm, state, derived.facts, derived.bases, derived.compulsion,
                         derived.domestic, derived.authorities, legal_layer=False)


def _failing_line(exc: BaseException, path: Path) -> int:
    tb = exc.__traceback__
    line = 1
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _spec(tm: pytm.TM, state, path: Path) -> tuple[Model, dict[str, object]]:
    """A threatlib model describing the pytm objects, built by code (model_construct: no user text to check)."""
    taken: set[str] = set()
    boundary_ids = {id(b): _slug(b.name, taken) for b in state.boundaries}
    boundaries = [Boundary.model_construct(id=boundary_ids[id(b)], name=b.name, description=b.description or "",
                                           parent=boundary_ids.get(id(b.inBoundary)) if b.inBoundary else None)
                  for b in state.boundaries]
    data_ids: dict[int, str] = {}
    data = []
    for d in state.data:
        data_ids[id(d)] = _slug(d.name, taken)
        data.append(DataCategory.model_construct(
            id=data_ids[id(d)], name=d.name, description=d.description or "", tags=[],
            classification=Classification.restricted, personal=bool(d.isPII), sensitive=False, children=False, claims=[]))
    by_id: dict[str, object] = {}
    elements = []
    for node in state.elements:
        if isinstance(node, (pytm.Dataflow, pytm.Boundary)):
            continue
        kind = next(k for cls, k in KIND_OF if isinstance(node, cls))
        element_id = _slug(node.name, taken)
        by_id[element_id] = node
        elements.append(Element.model_construct(
            id=element_id, name=node.name, kind=ElementKind(kind), description=node.description or "", tags=[], operator=None,
            location=None, boundary=boundary_ids.get(id(node.inBoundary)) if node.inBoundary else None, stores=[],
            os=getattr(node, "OS", "") or "", controls={}, in_scope=node.inScope, claims=[]))
    element_of = {id(node): element_id for element_id, node in by_id.items()}
    flows = []
    for flow in state.flows:
        flow_id = _slug(flow.name, taken)
        by_id[flow_id] = flow
        carried = [data_ids[id(d)] for d in flow.data if id(d) in data_ids] or [UNSPECIFIED]
        flows.append(Flow.model_construct(
            id=flow_id, name=flow.name, source=element_of[id(flow.source)], sink=element_of[id(flow.sink)],
            data=carried, protocol=flow.protocol or "", encryption=Encryption.tls12 if flow.controls.isEncrypted else Encryption.none,
            remote_access=False, description=flow.description or "", claims=[]))
    if any(UNSPECIFIED in f.data for f in flows):
        data.append(DataCategory.model_construct(
            id=UNSPECIFIED, name="Data not specified in the pytm model", description="", tags=[],
            classification=Classification.restricted, personal=False, sensitive=False, children=False, claims=[]))
    metadata = Metadata.model_construct(
        id=_slug(tm.name, set()), name=tm.name, description=tm.description or f"pytm model {path.name}",
        scope="Imported from a pytm script: its elements, boundaries and flows. Organisations and jurisdictions "
              "were not modelled, so the legal layer is absent.",
        as_of=_as_of(), data_subjects_in=[], authors=[])
    source = Source.model_construct(id="pytm-script", title=path.name, publisher="pytm model script",
                                    date=_as_of().isoformat(), url=None, kind=SourceKind.primary)
    spec = Model.model_construct(metadata=metadata, sources=[source], organisations=[], data=data,
                                 boundaries=boundaries, elements=elements, flows=flows, positions=[],
                                 threats=ThreatSelection())
    return spec, by_id

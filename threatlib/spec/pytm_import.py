"""Existing pytm models: run a pytm script as its author would, and give its model the same outputs as a YAML model.

The script is run as Python code, with the privileges of whoever runs threatlib: only run scripts you
trust. It runs as `__main__` with its own path as the whole command line, so its `if __name__ == "__main__":`
block runs too (where scripts often set `tm.threatsFile` or assumptions). `TM.process()`, wherever it is
called, only hands us the TM: pytm's argument parser never sees threatlib's command line, and nothing the
script prints reaches our output. pytm's own check() and resolve() then decide the findings, as `process()`
would with `--report` or `--json`, so overrides, assumptions that exclude threats and the script's own
threats file all count exactly as in pytm. (A finding on a trust boundary itself, which only a script's own
threats file can ask for, has no element to sit on here and is left out.) The legal layer is not modelled
(a pytm script names no organisations or jurisdictions), and the reports say so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import runpy
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pydantic
import pytm
from pytm.tm import TMState, UIError

from threatlib.compile.pytm_state import script_hooks, script_state
from threatlib.documents.common import Source, SourceKind
from threatlib.documents.yaml_source import Document, Positions
from threatlib.errors import InputError, Problem
from threatlib.spec.model import (
    Boundary,
    Classification,
    DataCategory,
    Decision,
    DecisionKind,
    Element,
    ElementKind,
    Encryption,
    Exclusion,
    Flow,
    Metadata,
    Model,
    ThreatSelection,
)

# Most specific first: pytm's Datastore, Lambda, LLM and others subclass Asset.
KIND_OF = [(pytm.Actor, "actor"), (pytm.Datastore, "datastore"), (pytm.Server, "server"), (pytm.Process, "process"),
           (pytm.Lambda, "process"), (pytm.LLM, "process"), (pytm.Agent, "process"), (pytm.ExternalEntity, "external"),
           (pytm.Asset, "device")]
UNSPECIFIED = "unspecified-data"
# pytm's finding responses that are one of our decisions; any other response is kept in the justification.
RESPONSE_DECISION = {"mitigated": DecisionKind.mitigated, "accepted": DecisionKind.accepted,
                     "transferred": DecisionKind.transferred, "avoided": DecisionKind.mitigated}


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


@dataclass
class PytmScript:
    """A pytm script as run and resolved by pytm: our model describing it, and pytm's objects in their own state."""

    spec: Model
    tm: pytm.TM
    state: TMState
    nodes: dict[str, object]  # element and flow id -> the pytm object
    findings: tuple  # pytm's findings, the ones its assumptions exclude included
    document: Document  # where in the script each element and flow was made (for SARIF and the like)


def load_pytm_script(path: Path) -> PytmScript:
    """Run the script, let pytm check and resolve its TM, and describe it in our model format."""
    with script_state() as current_state:
        tm, made_at = run_script(path)
        state = current_state()
        try:
            tm.check()
            tm.resolve()
        except Exception as exc:  # noqa: BLE001 - pytm rejects the model: at the process() call, where pytm would
            line, column = made_at.get(id(tm), (1, 1))
            raise InputError([Problem(str(path), line, column, f"pytm rejected the model: {_describe(exc)}")]) from None
        spec, by_id = _spec(tm, state, path)
    return PytmScript(spec=spec, tm=tm, state=state, nodes=by_id, findings=(*tm.findings, *tm.excluded_findings),
                      document=_positions(path, spec, by_id, made_at))


def _positions(path: Path, spec: Model, by_id: dict[str, object], made_at: dict[int, tuple[int, int]]) -> Document:
    values = {}
    for section, items in (("elements", spec.elements), ("flows", spec.flows)):
        for i, item in enumerate(items):
            if id(by_id[item.id]) in made_at:
                values[(section, i)] = made_at[id(by_id[item.id])]
    return Document(file=str(path), data=None, positions=Positions(values=values))


def run_script(path: Path) -> tuple[pytm.TM, dict[int, tuple[int, int]]]:
    """Run the script as `python SCRIPT` would, in the current pytm state.

    Returns the TM it processes (or else builds), and the line and column in the script where each pytm
    element was made, by the element's id().
    """
    processed: list[pytm.TM] = []
    made_at: dict[int, tuple[int, int]] = {}
    script = str(path.resolve())

    def script_line() -> tuple[int, int] | None:
        frame = sys._getframe(2)
        while frame is not None and str(Path(frame.f_code.co_filename).resolve()) != script:
            frame = frame.f_back
        return (frame.f_lineno, 1) if frame is not None else None

    def hand_over(tm: pytm.TM) -> None:
        processed.append(tm)
        if (line := script_line()) is not None:
            made_at[id(tm)] = line  # where pytm would have checked and resolved it

    def made(element: pytm.Element) -> None:
        if (line := script_line()) is not None:
            made_at[id(element)] = line

    original_argv, original_path = sys.argv, list(sys.path)
    output = io.StringIO()
    sys.argv = [str(path)]
    sys.path.insert(0, str(path.resolve().parent))
    try:
        with script_hooks(hand_over, made), contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            namespace = runpy.run_path(str(path), run_name="__main__")
    except SyntaxError as exc:
        if exc.filename and Path(exc.filename).resolve() != path.resolve():
            raise InputError([_script_problem(exc, path, "the pytm script raised")]) from None
        raise InputError([Problem(str(path), exc.lineno or 1, exc.offset or 1, f"not valid Python: {exc.msg}")]) from None
    except SystemExit as exc:
        if exc.code not in (None, 0):
            said = [line for line in output.getvalue().splitlines() if line.strip()]
            detail = f": {said[-1].strip()}" if said else ""
            raise InputError([_script_problem(exc, path, f"the pytm script exited with status {exc.code}{detail}",
                                              bare=True)]) from None
        namespace = {}
    except Exception as exc:  # noqa: BLE001 - the script is the user's code: report where it failed, not our traceback
        raise InputError([_script_problem(exc, path, "the pytm script raised")]) from None
    finally:
        sys.argv = original_argv
        sys.path[:] = original_path
    if processed:
        return processed[0], made_at
    tms = [v for v in namespace.values() if isinstance(v, pytm.TM)]
    if not tms:
        raise InputError([Problem(str(path), 1, 1, "the script builds no pytm TM: expected a line like tm = TM(\"name\")")])
    return tms[0], made_at


def _script_problem(exc: BaseException, path: Path, what: str, *, bare: bool = False) -> Problem:
    """One line: where in the script it failed (the innermost frame of the script itself) and why."""
    line, column = 1, 1
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line, column = frame.lineno or 1, (frame.colno or 0) + 1
    if bare:
        return Problem(str(path), line, column, what)
    return Problem(str(path), line, column, f"{what} {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, pydantic.ValidationError):
        # pydantic's own text spans lines and ends with a URL: keep the field, the message and the value given.
        parts = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            parts.append(f"{where + ': ' if where else ''}{error['msg']} (got {error.get('input')!r})")
        return f"an invalid {exc.title}: {'; '.join(parts)}"
    if isinstance(exc, UIError):
        return f"an error {exc.context.rstrip('.')}: {exc.error}"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


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
    declared = {id(d): i for i, d in enumerate(state.data)}
    flows = []
    for flow in state.flows:
        flow_id = _slug(flow.name, taken)
        by_id[flow_id] = flow
        # pytm keeps a flow's data in a set, whose order follows memory addresses: take the script's order of declaring them.
        carried = [data_ids[id(d)] for d in sorted(flow.data, key=lambda d: declared.get(id(d), len(declared)))
                   if id(d) in data_ids] or [UNSPECIFIED]
        flows.append(Flow.model_construct(
            id=flow_id, name=flow.name, source=element_of[id(flow.source)], sink=element_of[id(flow.sink)],
            data=carried, protocol=flow.protocol or "", encryption=Encryption.tls12 if flow.controls.isEncrypted else Encryption.none,
            remote_access=False, description=flow.description or "", claims=[]))
    if any(UNSPECIFIED in f.data for f in flows):
        data.append(DataCategory.model_construct(
            id=UNSPECIFIED, name="Data not specified in the pytm model", description="", tags=[],
            classification=Classification.restricted, personal=False, sensitive=False, children=False, claims=[]))
    node_ids = {id(node): node_id for node_id, node in by_id.items()}
    scope = ("Imported from a pytm script: its elements, boundaries and flows. Organisations and jurisdictions "
             "were not modelled, so the legal layer is absent.")
    assumptions = [_assumption_text(a) for a in tm.assumptions if not a.exclude]
    if assumptions:
        scope += " The script assumes: " + " ".join(f"{text.rstrip('.')}." for text in assumptions)
    metadata = Metadata.model_construct(
        id=_slug(tm.name, set()), name=tm.name, description=tm.description or f"pytm model {path.name}",
        scope=scope, as_of=_as_of(), data_subjects_in=[], authors=[])
    source = Source.model_construct(id="pytm-script", title=path.name, publisher="pytm model script",
                                    date=_as_of().isoformat(), url=None, kind=SourceKind.primary)
    # pytm moved the findings an assumption excludes to excluded_findings: they are exclusions here, with its words.
    exclusions = [Exclusion.model_construct(threat=f.threat_id, element=node_ids[id(f.element)],
                                            justification=f"pytm assumption: {_assumption_text(f.assumption)}", owner=None)
                  for f in tm.excluded_findings if id(f.element) in node_ids]
    decisions = [_decision(f, node_ids[id(f.element)]) for f in tm.findings
                 if f.response.strip() and id(f.element) in node_ids]
    spec = Model.model_construct(metadata=metadata, sources=[source], organisations=[], data=data,
                                 boundaries=boundaries, elements=elements, flows=flows, positions=[],
                                 threats=ThreatSelection.model_construct(families=None, pytm=True, exclusions=exclusions),
                                 decisions=decisions, scenarios=[])
    return spec, by_id


def _assumption_text(assumption) -> str:
    text = assumption.name.strip()
    if assumption.description.strip():
        text = f"{text.rstrip('.')}: {assumption.description.strip()}"
    return text


def _decision(finding, element_id: str) -> Decision:
    """An override's response (mitigated, accepted, transferred, avoided) as a decision on that finding."""
    response = finding.response.strip()
    kind = RESPONSE_DECISION.get(response.split()[0].lower().strip(".,:;"), DecisionKind.accepted)
    justification = f"pytm override response: {response}"
    if finding.cvss.strip():
        justification += f" (CVSS {finding.cvss.strip()})"
    return Decision.model_construct(finding=f"{finding.threat_id}@{element_id}", decision=kind,
                                    justification=justification, owner="pytm script", date=_as_of())

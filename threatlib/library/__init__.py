"""The library: jurisdictions (laws, powers, safeguards) and threats, shipped as data beside this file.

Every file is validated on load; a threat whose condition leaves the allowed language is refused
with its position, before any of it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import CodeType

from pydantic import BaseModel

from threatlib.errors import InputError, Problem
from threatlib.library.conditions import ConditionError, compile_condition
from threatlib.library.schema import Jurisdiction, Threat, ThreatProof
from threatlib.spec.checks import library_claims_basis
from threatlib.spec.common import Source
from threatlib.spec.validate import validate_document
from threatlib.spec.yaml_source import read_yaml

LIBRARY_DIR = Path(__file__).parent


@dataclass(frozen=True)
class LoadedThreat:
    threat: Threat
    condition: CodeType
    folder: Path


@dataclass(frozen=True)
class Library:
    jurisdictions: dict[str, Jurisdiction]
    threats: tuple[LoadedThreat, ...]
    sources: dict[str, Source]  # every source the library cites, by id

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.jurisdictions)

    def provision_index(self) -> dict[str, tuple[Jurisdiction, object, object]]:
        """Provision id -> (jurisdiction, law, provision)."""
        return {p.id: (j, law, p) for j in self.jurisdictions.values() for law in j.laws for p in law.provisions}


def load_library(root: Path = LIBRARY_DIR) -> Library:
    problems: list[Problem] = []
    sources: dict[str, tuple[Source, str]] = {}
    checked: list[tuple] = []  # (document, entry) of each file, checked once every source is known
    jurisdictions = _load_jurisdictions(root / "jurisdictions", problems, sources, checked)
    threats = _load_threats(root / "threats", problems, sources, checked)
    by_id = {k: v for k, (v, _) in sources.items()}
    for doc, entry in checked:
        problems += library_claims_basis(entry, doc, by_id)
    if problems:
        raise InputError(problems)
    return Library(jurisdictions, threats, {k: v for k, (v, _) in sorted(sources.items())})


def _register_sources(doc, value, path: tuple, sources: dict[str, tuple[Source, str]], problems: list[Problem]) -> None:
    """Walk a validated library entry; one source id must always describe the same source."""
    if isinstance(value, Source):
        known = sources.setdefault(value.id, (value, doc.file))
        if known[0] != value:
            problems.append(doc.problem(path + ("id",), f"source id '{value.id}' already names a different source in {known[1]}"))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _register_sources(doc, getattr(value, name), path + (name,), sources, problems)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _register_sources(doc, item, path + (i,), sources, problems)


def _load_jurisdictions(folder: Path, problems: list[Problem], sources, checked: list) -> dict[str, Jurisdiction]:
    found: dict[str, Jurisdiction] = {}
    seen_ids: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc = read_yaml(path, _display(path))
            jurisdiction = validate_document(doc, Jurisdiction)
        except InputError as exc:
            problems += exc.problems
            continue
        _register_sources(doc, jurisdiction, (), sources, problems)
        checked.append((doc, jurisdiction))
        if jurisdiction.id != path.stem:
            problems.append(doc.problem(("id",), f"jurisdiction id '{jurisdiction.id}' must match its file name '{path.stem}'"))
        authorities = {a.id for a in jurisdiction.authorities}
        ids = [("authorities", i, a.id) for i, a in enumerate(jurisdiction.authorities)]
        for li, law in enumerate(jurisdiction.laws):
            ids.append(("laws", li, law.id))
            for pi, provision in enumerate(law.provisions):
                ids.append(("laws", li, "provisions", pi, provision.id))
                for ai, authority in enumerate(provision.authorities):
                    if authority not in authorities:
                        problems.append(doc.problem(("laws", li, "provisions", pi, "authorities", ai),
                                                    f"no authority '{authority}' in {jurisdiction.id}"))
        for *path_, item_id in ids:
            if item_id in seen_ids:
                problems.append(doc.problem(tuple(path_) + ("id",), f"id '{item_id}' is already used in {seen_ids[item_id]}"))
            seen_ids[item_id] = doc.file
        found[jurisdiction.id] = jurisdiction
    for code, jurisdiction in found.items():
        if jurisdiction.part_of and jurisdiction.part_of not in found:
            problems.append(Problem(_display(folder / f"{code}.yaml"), 1, 1, f"part_of '{jurisdiction.part_of}' is not in the library"))
    return found


def _load_threats(folder: Path, problems: list[Problem], sources, checked: list) -> tuple[LoadedThreat, ...]:
    loaded = []
    for path in sorted(folder.glob("*/*/threat.yaml")):
        try:
            doc = read_yaml(path, _display(path))
            threat = validate_document(doc, Threat)
        except InputError as exc:
            problems += exc.problems
            continue
        if threat.id != path.parent.name or threat.family != path.parent.parent.name:
            where = f"{path.parent.parent.name}/{path.parent.name}/"
            problems.append(doc.problem(("id",), f"threat {threat.id} of family '{threat.family}' must live in "
                                                 f"threats/{threat.family}/{threat.id}/, not {where}"))
            continue
        _register_sources(doc, threat, (), sources, problems)
        checked.append((doc, threat))
        try:
            code = compile_condition(threat.condition, threat.id)
        except ConditionError as exc:
            problems.append(doc.problem(("condition",), f"threat {threat.id} refused: {exc}"))
            continue
        loaded.append(LoadedThreat(threat, code, path.parent))
    return tuple(sorted(loaded, key=lambda t: t.threat.id))


def load_proof(folder: Path) -> ThreatProof:
    return validate_document(read_yaml(folder / "expected.yaml", _display(folder / "expected.yaml")), ThreatProof)


def _display(path: Path) -> str:
    """Library paths are shown relative to the package, so messages do not depend on where it is installed."""
    try:
        return str(Path("threatlib/library") / path.relative_to(LIBRARY_DIR))
    except ValueError:
        return str(path)

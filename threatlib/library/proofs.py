"""Proofs of the library's rules: each threat's fixtures and each legal order's proof, all small models over
one shared base (fixture_base.yaml: metadata and the source 'fixture-source'), so a fixture writes only what its
rule needs. A fixture's own `metadata` keys replace the base's; its `sources` come after the base's.

A threat folder holds two fixtures, one per side. In `fires.yaml` a comment on its own line just above an element
or flow marks where the threat must fire (like semgrep's `# ruleid:`):

    flows:
      # fires: XB-01
      - {id: remote-read, ...}

The threat fires on exactly the marked elements and flows. `near_miss.yaml` carries no mark: the threat must fire
on nothing in it.

A legal order's proof sits beside the jurisdiction files, as jurisdictions/proofs/CODE.yaml. An element may carry
two extra keys naming provisions of CODE:

    reached_by: [cn-nil-art-7, ...]      # these provisions must reach this element
    not_reached_by: [cn-pipl-art-40]     # the near miss: these must not (though something nearly links them)

The check is exact. For every provision of CODE, the elements it reaches are exactly those marked with it in
`reached_by`; and every provision has at least one element marked `reached_by` and one `not_reached_by`, so
each is shown both ways. Reach is what the compile stage derives (links, applies_via, sectors, thresholds).

A mistake in a fixture (a mark that names no element, a mark in a near miss) is a positioned problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from threatlib.errors import InputError, Problem
from threatlib.library import LIBRARY_DIR, Library
from threatlib.spec.checks import check_model
from threatlib.spec.model import Model
from threatlib.spec.validate import validate_document
from threatlib.spec.yaml_source import Document, Positions, read_yaml

MARKS = ("reached_by", "not_reached_by")
BASE = LIBRARY_DIR / "fixture_base.yaml"
FIXTURES = ("fires.yaml", "near_miss.yaml")
_MARK = re.compile(r"#\s*fires\s*:")  # anything that looks like a mark is read as one, so a typo is reported
_WHOLE_MARK = re.compile(r"^\s*#\s*fires\s*:\s*(\S+)\s*$")
_ITEMS = ("elements", "flows")


@cache
def _base() -> Document:
    return read_yaml(BASE, _shown(BASE))


class BasedDocument(Document):
    """A fixture over the shared base: every path is looked up, for its position, in the file that wrote it."""

    def __init__(self, fixture: Document, base: Document):
        own = fixture.data if isinstance(fixture.data, dict) else {}
        data = fixture.data
        if isinstance(fixture.data, dict):
            data = {**base.data, **fixture.data}
            meta = own.get("metadata", {})
            data["metadata"] = {**base.data["metadata"], **meta} if isinstance(meta, dict) else meta
            sources = own.get("sources", [])
            data["sources"] = base.data["sources"] + sources if isinstance(sources, list) else sources
        super().__init__(fixture.file, data, Positions())
        self.fixture, self.base, self._own = fixture, base, own
        self.positions = self  # of_value and of_key below

    def _where(self, path: tuple) -> tuple[Document, tuple]:
        own, base_sources = self._own, len(self.base.data["sources"])
        if path[:1] == ("sources",) and len(path) > 1 and isinstance(path[1], int) and isinstance(own.get("sources", []), list):
            if path[1] < base_sources:
                return self.base, path
            return self.fixture, ("sources", path[1] - base_sources) + tuple(path[2:])
        if path[:1] == ("metadata",) and isinstance(own.get("metadata", {}), dict):
            if (len(path) > 1 and path[1] not in own.get("metadata", {})) or (len(path) == 1 and "metadata" not in own):
                return self.base, path
        if path == ("sources",) and "sources" not in own:
            return self.base, path
        return self.fixture, path

    def of_value(self, path: tuple) -> tuple[int, int]:
        doc, where = self._where(tuple(path))
        return doc.positions.of_value(where)

    def of_key(self, path: tuple) -> tuple[int, int]:
        doc, where = self._where(tuple(path))
        return doc.positions.of_key(where)

    def problem(self, path: tuple, message: str, *, at_key: bool = False) -> Problem:
        doc, where = self._where(tuple(path))
        return doc.problem(where, message, at_key=at_key)


def read_based(path: Path, display_name: str | None = None) -> BasedDocument:
    """A fixture file read over the shared base."""
    return BasedDocument(read_yaml(path, display_name), _base())


def _validated(doc: Document, library: Library, problems: list[Problem]) -> Model:
    try:
        model = validate_document(doc, Model)
    except InputError as exc:
        raise InputError(problems + exc.problems) from None
    problems += check_model(model, doc, library.codes, library.sources)
    if problems:
        raise InputError(sorted(problems))
    return model


@dataclass(frozen=True)
class Fixture:
    model: Model
    doc: BasedDocument
    fires_on: dict[str, tuple[int, int]]  # element or flow id -> (line, column) of its '# fires:' mark


def read_fixture(path: Path, library: Library, threat_id: str, display_name: str | None = None) -> Fixture:
    """Read one of a threat's fixtures: its '# fires:' marks, then the model over the shared base."""
    doc = read_based(path, display_name)
    problems: list[Problem] = []
    starts = {}  # line -> id of the element or flow written from that line
    own = doc.fixture.data if isinstance(doc.fixture.data, dict) else {}
    for section in _ITEMS:
        items = own.get(section)
        for k, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                starts[doc.fixture.positions.of_value((section, k))[0]] = item["id"]
    fires_on: dict[str, tuple[int, int]] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        found = _MARK.search(line)
        if not found:
            continue
        at = (n, found.start() + 1)
        whole = _WHOLE_MARK.match(line)
        if not whole:
            problems.append(Problem(doc.file, *at, f"write a mark alone on its line, as '# fires: {threat_id}', "
                                                  "just above the element or flow it names"))
        elif whole.group(1) != threat_id:
            problems.append(Problem(doc.file, *at, f"this mark names '{whole.group(1)}', but these are {threat_id}'s "
                                                  f"fixtures: write '# fires: {threat_id}'"))
        elif path.name != "fires.yaml":
            problems.append(Problem(doc.file, *at, f"{threat_id} must fire on nothing in a near miss: "
                                                  "move this mark to fires.yaml, or remove it"))
        elif n + 1 not in starts:
            problems.append(Problem(doc.file, *at, "this mark names no element or flow: put it on the line just above "
                                                  "one ('- id: ...' or '- {id: ...}' under elements or flows)"))
        elif starts[n + 1] in fires_on:
            problems.append(Problem(doc.file, *at, f"'{starts[n + 1]}' is already marked"))
        else:
            fires_on[starts[n + 1]] = at
    if path.name == "fires.yaml" and not fires_on and not problems:
        problems.append(Problem(doc.file, 1, 1, f"no element or flow is marked: write '# fires: {threat_id}' on the "
                                                "line just above each one the threat must fire on"))
    return Fixture(_validated(doc, library, problems), doc, fires_on)


def prove_threat(folder: Path, threat_id: str, library: Library) -> list[Problem]:
    """Every way a threat and its fixtures disagree: where it fires unmarked, where a mark finds nothing."""
    from threatlib.analysis import analyse
    from threatlib.compile import compile_model

    problems: list[Problem] = []
    for name in FIXTURES:
        path = folder / name
        if not path.is_file():
            problems.append(Problem(_shown(folder / "threat.yaml"), 1, 1, f"{threat_id} has no {name}: write one "
                                                                           "(docs/threats.md, 'The proof')"))
            continue
        try:
            fixture = read_fixture(path, library, threat_id, _shown(path))
        except InputError as exc:
            problems += exc.problems
            continue
        analysis = analyse(compile_model(fixture.model, library, pytm_threats=False))
        fired = {f.element_id for f in analysis.findings if f.threat_id == threat_id}
        where = {item.id: (section, k) for section in _ITEMS for k, item in enumerate(getattr(fixture.model, section))}
        for element_id in sorted(fired - set(fixture.fires_on)):
            note = "this near miss must stay quiet" if name != "fires.yaml" else f"it is not marked '# fires: {threat_id}'"
            problems.append(fixture.doc.problem(where[element_id] + ("id",), f"{threat_id} fires on '{element_id}'; {note}"))
        for element_id in sorted(set(fixture.fires_on) - fired):
            problems.append(Problem(fixture.doc.file, *fixture.fires_on[element_id],
                                    f"{threat_id} should fire on '{element_id}' but does not"))
    return sorted(problems)


def proof_path(code: str, library_root: Path = LIBRARY_DIR) -> Path:
    return library_root / "jurisdictions" / "proofs" / f"{code}.yaml"


@dataclass(frozen=True)
class Proof:
    model: Model
    doc: BasedDocument
    marks: dict[str, dict[str, tuple[str, ...]]]  # element id -> mark -> provision ids


def read_proof(path: Path, library: Library, display_name: str | None = None) -> Proof:
    """Read a proof file: take the marks off its elements, then validate the rest as a model."""
    doc = read_based(path, display_name)
    marks: dict[str, dict[str, tuple[str, ...]]] = {}
    problems: list[Problem] = []
    elements = doc.data.get("elements") if isinstance(doc.data, dict) else None
    for i, element in enumerate(elements if isinstance(elements, list) else []):
        if not isinstance(element, dict):
            continue
        for mark in MARKS:
            if mark in element:
                value = element.pop(mark)
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    problems.append(doc.problem(("elements", i, mark), f"{mark} is a list of provision ids"))
                    continue
                marks.setdefault(str(element.get("id")), {})[mark] = tuple(value)
    return Proof(_validated(doc, library, problems), doc, marks)


def check_proof(proof: Proof, code: str, library: Library) -> list[Problem]:
    """Every way the proof and the library disagree about where CODE's provisions reach, positioned in the proof."""
    from threatlib.compile import derive

    doc = proof.doc
    jurisdiction = library.jurisdictions[code]
    provisions = [p.id for law in jurisdiction.laws for p in law.provisions]
    index = {e.id: i for i, e in enumerate(proof.model.elements)}
    problems: list[Problem] = []
    for element_id, marks in proof.marks.items():
        for mark, ids in marks.items():
            for j, provision_id in enumerate(ids):
                if provision_id not in provisions:
                    problems.append(doc.problem(("elements", index[element_id], mark, j),
                                                f"'{provision_id}' is not a provision of {code}"))
    bases = derive(proof.model, library).bases
    reached = {p: {e for e, element_bases in bases.items() for b in element_bases if b.provision_id == p} for p in provisions}
    for p in provisions:
        marked = {e for e, m in proof.marks.items() if p in m.get("reached_by", ())}
        missed = {e for e, m in proof.marks.items() if p in m.get("not_reached_by", ())}
        if not marked:
            problems.append(doc.problem(("elements",), f"{p}: no element is marked 'reached_by: [{p}]'; "
                                                       "add one the provision must reach"))
        if not missed:
            problems.append(doc.problem(("elements",), f"{p}: no element is marked 'not_reached_by: [{p}]'; "
                                                       "add a near miss the provision must not reach"))
        for e in sorted(marked - reached[p]):
            problems.append(doc.problem(("elements", index[e], "id"), f"{p} should reach '{e}' but does not"))
        for e in sorted(reached[p] - marked):
            note = "its near miss" if e in missed else "it is not marked reached_by"
            problems.append(doc.problem(("elements", index[e], "id"), f"{p} reaches '{e}', {note}"))
    return sorted(problems)


def prove_library(library: Library) -> str:
    """Run every legal order's proof and every user threat's fixtures; InputError lists each failure.

    The built-in threats' fixtures are run by the test suite; a user library's are run here, the same way.
    """
    from threatlib.library import BUILT_IN

    problems: list[Problem] = []
    roots = {BUILT_IN: library.root, **{str(p): p for p in library.user}}
    for code in library.jurisdictions:
        path = proof_path(code, roots[library.origin(code)])
        shown = _shown(path)
        if not path.is_file():
            problems.append(Problem(shown, 1, 1, f"{code} has no proof: write {shown} (docs/jurisdictions.md, 'Proofs')"))
            continue
        try:
            problems += check_proof(read_proof(path, library, shown), code, library)
        except InputError as exc:
            problems += exc.problems
    threats = [t for t in library.threats if t.origin != BUILT_IN]
    for loaded in threats:
        problems += prove_threat(loaded.folder, loaded.threat.id, library)
    if problems:
        raise InputError(problems)
    return f"{len(library.jurisdictions)} legal orders and {len(threats)} user threats"


def _shown(path: Path) -> str:
    try:
        return str(Path("threatlib/library") / path.relative_to(LIBRARY_DIR))
    except ValueError:
        return str(path)

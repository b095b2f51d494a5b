"""Proofs of legal orders: for each jurisdiction, a small model that shows where each provision reaches.

A proof sits beside the jurisdiction files, as jurisdictions/proofs/CODE.yaml. It is a model in the usual
format, except that an element may carry two extra keys naming provisions of CODE (like a `# ruleid:` mark
beside the line a rule must flag):

    reached_by: [cn-nil-art-7, ...]      # these provisions must reach this element
    not_reached_by: [cn-pipl-art-40]     # the near miss: these must not (though something nearly links them)

The check is exact. For every provision of CODE, the elements it reaches are exactly those marked with it in
`reached_by`; and every provision has at least one element marked `reached_by` and one `not_reached_by`, so
each is shown both ways. Reach is what the compile stage derives (links, applies_via, sectors, thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from threatlib.documents.validate import validate_document
from threatlib.documents.yaml_source import Document, read_yaml
from threatlib.errors import InputError, Problem
from threatlib.library import LIBRARY_DIR, Library
from threatlib.spec.checks import check_model
from threatlib.spec.model import Model

MARKS = ("reached_by", "not_reached_by")


def proof_path(code: str, library_root: Path = LIBRARY_DIR) -> Path:
    return library_root / "jurisdictions" / "proofs" / f"{code}.yaml"


@dataclass(frozen=True)
class Proof:
    model: Model
    doc: Document
    marks: dict[str, dict[str, tuple[str, ...]]]  # element id -> mark -> provision ids


def read_proof(path: Path, library: Library, display_name: str | None = None) -> Proof:
    """Read a proof file: take the marks off its elements, then validate the rest as a model."""
    doc = read_yaml(path, display_name)
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
    model = validate_document(doc, Model)
    problems += check_model(model, doc, library.codes, library.sources)
    if problems:
        raise InputError(problems)
    return Proof(model, doc, marks)


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
    from threatlib.analysis import analyse
    from threatlib.compile import compile_model
    from threatlib.library import BUILT_IN, load_proof
    from threatlib.spec import load_model

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
        folder, threat_id = loaded.folder, loaded.threat.id
        try:
            expected = set(load_proof(folder).fires_on)
            for name, wanted in (("fires.yaml", expected), ("near_miss.yaml", set())):
                model, doc = load_model(folder / name, library, _shown(folder / name))
                analysis = analyse(compile_model(model, library, pytm_threats=False))
                got = {f.element_id for f in analysis.findings if f.threat_id == threat_id}
                if got != wanted:
                    problems.append(doc.problem(("elements",), f"{threat_id} fires on {', '.join(sorted(got)) or 'nothing'}; "
                                                               f"expected {', '.join(sorted(wanted)) or 'nothing'}"))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return f"{len(library.jurisdictions)} legal orders and {len(threats)} user threats"


def _shown(path: Path) -> str:
    try:
        return str(Path("threatlib/library") / path.relative_to(LIBRARY_DIR))
    except ValueError:
        return str(path)

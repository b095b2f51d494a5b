"""Write the library's threats as a pytm threats file, so plain pytm can load and apply them.

pytm's condition checker allows calls only to its own element methods, so `facts.powers_via(x)` is
rewritten to the equivalent subscript `facts.foreign_powers_via[x]`. In plain pytm an element has no
`facts` unless you attach them, and pytm then treats the condition as false: the threats load, but fire
only on elements that carry threatlib's derived facts.
"""

from __future__ import annotations

import ast

from threatlib.jsontext import json_bytes
from threatlib.library import Library

PYTM_TARGETS = {
    "actor": "Actor",
    "device": "Asset",
    "process": "Process",
    "server": "Server",
    "datastore": "Datastore",
    "external": "ExternalEntity",
    "flow": "Dataflow",
}


class _PowersViaToSubscript(ast.NodeTransformer):
    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "powers_via" and len(node.args) == 1:
            mapping = ast.Attribute(value=func.value, attr="foreign_powers_via", ctx=ast.Load())
            return ast.Subscript(value=mapping, slice=node.args[0], ctx=ast.Load())
        return node


def pytm_condition(condition: str) -> str:
    tree = _PowersViaToSubscript().visit(ast.parse(condition, mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree))


def pytm_threats_json(library: Library) -> bytes:
    entries = []
    for loaded in library.threats:
        t = loaded.threat
        kinds = [PYTM_TARGETS[k.value] for k in t.targets]
        facts_kinds = f"target.facts.kind in {tuple(sorted(k.value for k in t.targets))!r}"
        references = "; ".join(
            f"{s.title}, {s.publisher}, {s.date}" + (f", {s.url}" if s.url else "") for c in t.evidence for s in c.sources)
        entries.append({
            "SID": t.id,
            "target": sorted(set(kinds)),
            "description": t.title,
            "details": t.description,
            "Likelihood Of Attack": t.likelihood.label,
            "severity": t.severity.label.title(),
            # The kind check keeps pytm's class matching as narrow as ours (a device is a plain pytm Asset).
            "condition": f"{facts_kinds} and ({pytm_condition(t.condition)})",
            "prerequisites": t.impact,
            "mitigations": " ".join(t.mitigations),
            "example": " ".join(c.statement for c in t.evidence),
            "references": references,
        })
    return json_bytes(entries)

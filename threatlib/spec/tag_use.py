"""Which tags the library's threats read, and on which kinds of element: a tag no threat reads changes no
finding, which a modeller should know (it is usually the wrong word, or a gap in the library).

A threat reads an element tag when its condition names it: on the kinds the threat targets when it reads
`tags`, or, through a flow's `source_tags` or `sink_tags`, on an element of any kind that a flow leaves or
reaches.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from threatlib.documents.yaml_source import Document
from threatlib.errors import Problem
from threatlib.library import Library
from threatlib.spec.model import ElementKind, ElementTag, Model

ELEMENT_TAG_NAMES = frozenset(t.value for t in ElementTag)
ALL_KINDS = frozenset(k.value for k in ElementKind)


def _names(condition: str) -> tuple[set[str], set[str]]:
    """String constants and attribute names in a condition."""
    tree = ast.parse(condition, mode="eval")
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    return strings, attributes


@dataclass(frozen=True)
class TagReads:
    """Where the threats read one element tag."""

    kinds: frozenset[str]  # kinds of element a threat reads it on, as its own tag
    flow_source: bool  # a flow threat reads it on the element a flow leaves
    flow_sink: bool  # a flow threat reads it on the element a flow reaches

    def describe(self) -> str:
        places = [f"on {', '.join(sorted(self.kinds))} elements"] if self.kinds else []
        places += ["on the element a flow leaves"] if self.flow_source else []
        places += ["on the element a flow reaches"] if self.flow_sink else []
        return " and ".join(places)


def tags_read(library: Library) -> dict[str, TagReads]:
    """Element tag -> where some threat reads it; a tag no threat names is absent."""
    kinds: dict[str, set[str]] = {}
    source: set[str] = set()
    sink: set[str] = set()
    for loaded in library.threats:
        strings, attributes = _names(loaded.threat.condition)
        named = strings & ELEMENT_TAG_NAMES
        if "tags" in attributes:
            for tag in named:
                kinds.setdefault(tag, set()).update({k.value for k in loaded.threat.targets} & ALL_KINDS)
        if "source_tags" in attributes:
            source |= named
        if "sink_tags" in attributes:
            sink |= named
    return {tag: TagReads(frozenset(kinds.get(tag, ())), tag in source, tag in sink)
            for tag in sorted(set(kinds) | source | sink)}


def unread_tags(model: Model, doc: Document, library: Library) -> list[Problem]:
    """A warning for each element tag that threats read, but not where the model uses it: usually the wrong
    word or the wrong element (a third-party SDK tag on the SDK maker's server rather than on the app).
    Tags that no threat reads at all only describe, and are not warned about."""
    reads = tags_read(library)
    sources = {f.source for f in model.flows}
    sinks = {f.sink for f in model.flows}
    warnings = []
    for i, e in enumerate(model.elements):
        for j, tag in enumerate(e.tags):
            read = reads.get(tag.value)
            if read is None or e.kind.value in read.kinds or (read.flow_source and e.id in sources) \
                    or (read.flow_sink and e.id in sinks):
                continue
            warnings.append(doc.problem(("elements", i, "tags", j), f"warning: tag '{tag.value}' on {e.kind.value} "
                                        f"'{e.id}' changes no finding: threats read it only {read.describe()} "
                                        "(`threatlib library --tags` defines each tag)"))
    return warnings

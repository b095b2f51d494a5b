"""The field lists of the authoring guides, generated from the library's pydantic schemas so they are never
written twice. Each guide marks where a list goes:

    <!-- fields: Jurisdiction Authority Law -->
    ...generated...
    <!-- end fields -->

and `<!-- example: PATH -->` before a yaml block shows that repository file whole (the worked examples are the
test library's own files, which the tests load), `<!-- facts -->` ... `<!-- end facts -->` the facts a
threat condition can read, and `<!-- legal orders -->` ... `<!-- end legal orders -->` the built-in legal orders
(in the README).

`python -m threatlib.library.guide docs/jurisdictions.md docs/threats.md README.md` (run by `make catalogue`)
rewrites the lists; a test fails when a committed guide or the README is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic import BaseModel

from threatlib.library import schema
from threatlib.spec import common

BLOCK = re.compile(r"(<!-- fields: ([A-Za-z ]+) -->\n)(.*?)(<!-- end fields -->)", re.S)
EXAMPLE = re.compile(r"(<!-- example: (\S+) -->\n)```yaml\n.*?```\n", re.S)  # a file shown whole, from the repository
FACTS = re.compile(r"(<!-- facts -->\n).*?(<!-- end facts -->)", re.S)
LEGAL_ORDERS = re.compile(r"(<!-- legal orders -->\n).*?(<!-- end legal orders -->)", re.S)
MODELS: dict[str, type[BaseModel]] = {
    name: obj for module in (schema, common) for name, obj in vars(module).items()
    if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__
}


def _type(prop: dict, defs: dict) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        target = defs[name]
        if "enum" in target:
            return "one of " + ", ".join(f"`{v}`" for v in target["enum"])
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        kinds = [_type(p, defs) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(kinds) + (" or null" if any(p.get("type") == "null" for p in prop["anyOf"]) else "")
    kind = prop.get("type", "any")
    if kind == "array":
        least = f", at least {prop['minItems']}" if prop.get("minItems") else ""
        return f"list of {_type(prop.get('items', {}), defs)}{least}"
    if kind == "string":
        if "pattern" in prop:
            return f"text matching `{prop['pattern']}`"
        if prop.get("format") == "date":
            return "date (YYYY-MM-DD)"
        return "text"
    if kind == "integer" and "minimum" in prop:
        return f"whole number, at least {prop['minimum']}"
    return {"boolean": "true or false", "integer": "whole number"}.get(kind, kind)


def fields_markdown(name: str) -> str:
    """One table of a schema's keys: type, whether required (or its default) and what it means."""
    model = MODELS[name]
    js = model.model_json_schema(mode="validation")
    defs = js.get("$defs", {})
    required = set(js.get("required", []))
    doc = " ".join((model.__doc__ or "").split())
    out = [f"#### {name}", ""] + ([doc, ""] if doc and not doc.startswith("Usage docs") else [])
    out += ["| key | type | required | meaning |", "|---|---|---|---|"]
    for key, prop in js["properties"].items():
        field = model.model_fields[key]
        if key in required:
            need = "yes"
        else:
            default = field.default_factory() if field.default_factory else field.default
            shown = "null" if default is None else str(default).lower() if isinstance(default, bool) else default
            need = f"no (default `{shown}`)"
        meaning = " ".join(prop.get("description", "").split()).replace("|", "\\|")
        out.append(f"| `{key}` | {_type(prop, defs)} | {need} | {meaning} |")
    return "\n".join(out) + "\n"


def facts_markdown() -> str:
    """The facts a condition reads as `target.facts`, with the comment beside each in threatlib/facts.py."""
    import dataclasses

    from threatlib import facts

    comments = {}
    for line in Path(facts.__file__).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^    (\w+): [^#]*?(?:#\s*(.*))?$", line)
        if match:
            comments[match.group(1)] = (match.group(2) or "").strip()
    out = ["| fact | type | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(facts.Facts):
        kind = str(f.type).replace("frozenset[str]", "set of text").replace("tuple[str, ...]", "list of text")
        kind = kind.replace("PowersByLink", "link kind -> set of powers").replace("str", "text")
        out.append(f"| `{f.name}` | {kind} | {comments.get(f.name, '')} |")
    return "\n".join(out) + "\n"


def legal_orders_markdown(library=None) -> str:
    """The library's legal orders, one a line: the code a model writes and the name."""
    from threatlib.library import load_library

    library = library or load_library()
    return "".join(f"- `{code}`: {library.jurisdictions[code].name}\n" for code in sorted(library.jurisdictions))


def render(text: str, root: Path = Path(".")) -> str:
    def block(match: re.Match) -> str:
        names = match.group(2).split()
        return match.group(1) + "\n" + "\n".join(fields_markdown(n) for n in names) + "\n" + match.group(4)

    def example(match: re.Match) -> str:
        return match.group(1) + "```yaml\n" + (root / match.group(2)).read_text(encoding="utf-8") + "```\n"

    text = BLOCK.sub(block, text)
    text = EXAMPLE.sub(example, text)
    text = LEGAL_ORDERS.sub(lambda m: m.group(1) + "\n" + legal_orders_markdown() + "\n" + m.group(2), text)
    return FACTS.sub(lambda m: m.group(1) + "\n" + facts_markdown() + "\n" + m.group(2), text)


def main(paths: list[str]) -> None:
    for path in map(Path, paths):
        path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])

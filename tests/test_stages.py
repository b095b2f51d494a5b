"""The pipeline's stages import forward only, read statically from every module's import statements (those inside
functions too, which run later but are imports all the same)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "threatlib"

# (stage, what it must never import): load is threatlib.spec, and so on; "pytm" is pytm itself.
FORBIDDEN = {
    "threatlib.spec": ("threatlib.compile", "threatlib.analysis", "threatlib.render", "threatlib.scaffold", "threatlib.cli",
                       "pytm"),
    "threatlib.analysis": ("threatlib.render",),
    "threatlib.render": ("pytm", "threatlib.compile"),
    "threatlib.library": ("threatlib.spec", "threatlib.compile", "threatlib.analysis", "threatlib.render"),
}
# A pytm script is the user's own pytm model: loading it means running pytm, in a state the compile stage's one
# holder of pytm's state gives it.
ALLOWED = {
    ("threatlib.spec.pytm_import", "pytm"),
    ("threatlib.spec.pytm_import", "threatlib.compile.pytm_state"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module the file imports, with the line; `from a import b` counts as a.b too (b may be a module)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, node.lineno))
            found += [(f"{node.module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def crossings() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = module_name(path)
        for stage, forbidden in FORBIDDEN.items():
            if not within(module, stage):
                continue
            for name, line in imports(path):
                target = next((f for f in forbidden if within(name, f)), None)
                if target and not any(module == m and within(name, allowed) for m, allowed in ALLOWED):
                    out.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {module} imports {name}")
    return sorted(set(out))


def test_stages_import_forward_only() -> None:
    assert crossings() == []


def test_the_walk_sees_an_import_inside_a_function(tmp_path) -> None:
    module = tmp_path / "late.py"
    module.write_text("import os\n\ndef f():\n    from threatlib.render import render_all\n    import pytm.tm\n", encoding="utf-8")
    assert imports(module) == [("os", 1), ("threatlib.render", 4), ("threatlib.render.render_all", 4), ("pytm.tm", 5)]

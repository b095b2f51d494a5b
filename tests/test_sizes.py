"""Small modules and short functions, so a newcomer can read one piece at a time: under 400 lines a module, under
80 a function (decorators and docstring included)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "threatlib"
MODULE_LINES = 400
FUNCTION_LINES = 80


def too_long(path: Path, text: str) -> dict[str, int]:
    """The module (by its path) or function (path:name) over its limit, with its length in lines."""
    name = str(path.relative_to(PACKAGE.parent))
    found = {}
    if len(text.splitlines()) >= MODULE_LINES:
        found[name] = len(text.splitlines())
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            if node.end_lineno - start + 1 >= FUNCTION_LINES:
                found[f"{name}:{node.name}"] = node.end_lineno - start + 1
    return found


def offenders() -> dict[str, int]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found |= too_long(path, path.read_text(encoding="utf-8"))
    return found


def test_modules_and_functions_stay_small() -> None:
    assert offenders() == {}


def test_the_limits_count_what_they_say(tmp_path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(77))
    short = f"@decorator\ndef f():\n{body}\n"  # 79 lines with its decorator
    path = PACKAGE / "example.py"
    assert too_long(path, short) == {}
    assert too_long(path, short + "    x = 0\n") == {"threatlib/example.py:f": 80}
    assert too_long(path, "\n" * 399 + "x = 1") == {"threatlib/example.py": 400}

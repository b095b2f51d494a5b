"""The expression language of threat conditions, checked before anything from a threat file runs.

A condition is a Python expression over `target` (a pytm element) and `target.facts` (what the compile
stage derived). Only literals, boolean logic, comparisons, membership, attribute access from `target`,
subscripts, comprehensions and a few pure built-ins are allowed: no imports, no dunders, no other calls.
"""

from __future__ import annotations

import ast
import builtins
from types import CodeType

SAFE_FUNCTIONS = frozenset({"any", "all", "len", "min", "max", "sum", "sorted"})
TARGET_METHODS = frozenset({"oneOf", "crosses", "enters", "exits", "inside", "checkTLSVersion", "hasDataLeaks",
                            "powers_via"})  # pytm's element methods, and Facts.powers_via; all pure
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.UnaryOp, ast.Compare, ast.Name, ast.Load, ast.Store, ast.Constant,
    ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Tuple, ast.Set, ast.GeneratorExp, ast.ListComp,
    ast.comprehension, ast.IfExp, ast.And, ast.Or, ast.Not, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt,
    ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.BinOp, ast.Add, ast.Sub, ast.BitAnd, ast.BitOr,
)


class ConditionError(ValueError):
    pass


def compile_condition(text: str, threat_id: str) -> CodeType:
    """Check a condition against the allowed language and compile it; raise ConditionError if refused."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"condition is not a valid expression: {exc.msg}") from None
    bound = {n.id for node in ast.walk(tree) if isinstance(node, ast.comprehension)
             for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    nodes = sorted(ast.walk(tree), key=lambda n: (getattr(n, "lineno", 1 << 30), getattr(n, "col_offset", 0)))
    # One pass per rule, so the message names the most basic problem first (a lambda before its call).
    for node in nodes:
        if not isinstance(node, _ALLOWED):
            raise ConditionError(f"'{type(node).__name__}' is not allowed in a condition")
    for node in nodes:
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ConditionError(f"attribute '{node.attr}' is private; conditions may read public attributes only")
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if node.id not in {"target", "True", "False", "None"} | SAFE_FUNCTIONS | bound:
                raise ConditionError(f"name '{node.id}' is not defined in conditions; start from 'target'")
    for node in nodes:
        if isinstance(node, ast.Call):
            if node.keywords:
                raise ConditionError("keyword arguments are not allowed in a condition")
            func = node.func
            if isinstance(func, ast.Name) and func.id in SAFE_FUNCTIONS:
                continue
            if isinstance(func, ast.Attribute) and func.attr in TARGET_METHODS:
                continue
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", type(func).__name__)
            raise ConditionError(f"call to '{name}' is not allowed; conditions may call "
                                 f"{', '.join(sorted(SAFE_FUNCTIONS | TARGET_METHODS))}")
    return compile(tree, filename=f"<condition of {threat_id}>", mode="eval")


SAFE_GLOBALS = {"__builtins__": {name: getattr(builtins, name) for name in SAFE_FUNCTIONS}}

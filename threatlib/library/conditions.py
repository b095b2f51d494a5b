"""The expression language of threat conditions, checked before anything from a threat file runs.

A condition is a Python expression over `target` (a pytm element) and `target.facts` (what the compile
stage derived). Only literals, boolean logic, comparisons, membership, attribute access from `target`,
subscripts, comprehensions and a few pure built-ins are allowed: no imports, no dunders, no other calls.
"""

from __future__ import annotations

import ast
import builtins
import functools
from collections.abc import Callable
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
    return compile(_checked(text), filename=f"<condition of {threat_id}>", mode="eval")


def _checked(text: str) -> ast.Expression:
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
    return tree


SAFE_GLOBALS = {"__builtins__": {name: getattr(builtins, name) for name in SAFE_FUNCTIONS}}


@functools.cache
def condition_function(text: str, threat_id: str) -> Callable[[object], object]:
    """The condition, checked as compile_condition checks it, compiled once into a function of `target`.

    Calling it gives what eval() of the compiled condition gives, with `target` bound as in eval (comprehensions
    see it), but without a namespace dict built and an expression frame set up on every one of the hundreds
    of thousands of (threat, element) pairs of a large estate.
    """
    return _as_function(_checked(text), f"<condition of {threat_id}>", SAFE_GLOBALS)


FACTS = "target_facts"  # the facts' parameter in facts_condition_function's functions


@functools.cache
def facts_condition_function(text: str, threat_id: str) -> Callable[[object, object], object]:
    """condition_function's function, of `target` and of `target.facts` given beside it, read once by the caller:
    an element's facts are an attribute pytm's elements keep outside their fields, each read of which costs more
    than most conditions' own work. The same answers, as the facts are the same object at every read."""
    tree = _checked(text)
    if any(isinstance(n, ast.Name) and n.id == FACTS for n in ast.walk(tree)):  # the name is the condition's own
        plain = condition_function(text, threat_id)
        return lambda target, target_facts: plain(target)
    return _as_function(_FactsGiven().visit(tree), f"<condition of {threat_id}>", SAFE_GLOBALS, FACTS)


class _FactsGiven(ast.NodeTransformer):
    """`target.facts` read from the parameter FACTS instead."""

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        if node.attr == "facts" and isinstance(node.value, ast.Name) and node.value.id == "target":
            return ast.copy_location(ast.Name(FACTS, ast.Load()), node)
        return self.generic_visit(node)


def _as_function(tree: ast.Expression, filename: str, namespace: dict, *more: str) -> Callable[..., object]:
    """`lambda target, *more: <condition>`, evaluated once in `namespace` (read-only: a condition cannot assign)."""
    where = {"lineno": 1, "col_offset": 0, "end_lineno": 1, "end_col_offset": 0}  # the parsed body keeps its own
    arguments = ast.arguments(posonlyargs=[], args=[ast.arg(name, **where) for name in ("target", *more)],
                              kwonlyargs=[], kw_defaults=[], defaults=[])
    wrapped = ast.Expression(ast.Lambda(args=arguments, body=tree.body, **where))
    return eval(compile(wrapped, filename, "eval"), namespace)


def pytm_condition_test(threat) -> Callable[[object], bool]:
    """pytm's Threat.apply for an element of a class the threat targets, compiled once per condition.

    pytm evaluates the compiled condition with a fresh copy of its namespace on every call and answers False
    when it raises; this test answers the same. Where only pytm's own apply can answer exactly (a subclass
    with its own apply, or `target` read inside a comprehension, which pytm's eval does not let it see),
    the test is that apply.
    """
    import pytm

    if type(threat).apply is not pytm.Threat.apply:
        return threat.apply
    if not threat.condition:
        return _never
    function = _pytm_function(threat.condition) if hasattr(pytm.Threat, "_build_eval_globals") else None
    return threat.apply if function is None else function


def _never(target) -> bool:
    return False


@functools.cache
def _pytm_function(text: str) -> Callable[[object], bool] | None:
    import pytm

    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return None  # pytm refuses it when the threat is made; never reached
    if _target_in_comprehension(tree):
        return None
    condition = _as_function(tree, "<pytm condition>", pytm.Threat._build_eval_globals())

    def test(target) -> bool:
        try:
            return bool(condition(target))
        except Exception:  # pytm's rule for its own threats: a condition that raises does not apply
            return False

    return test


def _target_in_comprehension(tree: ast.Expression) -> bool:
    """Whether `target` is read inside a comprehension's own scope (all but its first iterable)."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            inner = [node.generators[0].target, *node.generators[0].ifs, *node.generators[1:]]
            inner += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            if any(isinstance(n, ast.Name) and n.id == "target" for part in inner for n in ast.walk(part)):
                return True
    return False

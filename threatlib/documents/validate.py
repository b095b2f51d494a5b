"""Turn pydantic's validation errors into positioned, human messages."""

from __future__ import annotations

import difflib
import typing
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from threatlib.documents.yaml_source import Document
from threatlib.errors import InputError, Problem, brief
from threatlib.vocabulary import RENAMED, RENAMED_KEYS

M = TypeVar("M", bound=BaseModel)


def validate_document(doc: Document, schema: type[M]) -> M:
    """Validate a parsed document against a schema, or raise InputError listing every problem."""
    if not isinstance(doc.data, dict):
        keys = ", ".join(schema.model_fields)
        found = "nothing but comments" if doc.data is None else f"a {type(doc.data).__name__}"
        raise InputError([doc.problem((), f"expected a mapping of keys ({keys}) at the top level, found {found}")])
    try:
        return schema.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError([error_problem(doc, schema, error) for error in exc.errors()]) from None


def error_problem(doc: Document, schema: type[BaseModel], error: dict) -> Problem:
    """One pydantic error as a positioned message."""
    loc = tuple(error["loc"])
    kind = error["type"]
    field = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(schema, loc[:-1])
        new, why = RENAMED_KEYS.get(str(field), ("", ""))
        if new in allowed:  # only where the old key belonged: 'stride' in a model is simply unknown
            return doc.problem(loc, f"unknown key {brief(str(field))}: it is now '{new}', {why}", at_key=True)
        hint = ""
        close = difflib.get_close_matches(str(field), allowed, n=1)
        if close:
            hint = f"; did you mean '{close[0]}'?"
        elif allowed:
            hint = f"; allowed keys: {', '.join(allowed)}"
        return doc.problem(loc, f"unknown key {brief(str(field))}{hint}", at_key=True)
    if kind == "missing":
        where = _describe(loc[:-1])
        return doc.problem(loc[:-1], f"missing required key '{field}'{where}")
    value = error.get("input")
    shown = f" (got {brief(value)})" if not isinstance(value, (dict, list)) and value is not None else ""
    message = error["msg"][0].lower() + error["msg"][1:]
    if kind == "string_pattern_mismatch":
        message = _pattern_message(str(field), loc, error.get("ctx", {}).get("pattern", ""))
    if kind == "bool_type":
        message = "should be true or false, written without quotes"
    if kind == "enum" and isinstance(value, str):
        if value in RENAMED:
            return doc.problem(loc, f"{dotted(loc)}: {RENAMED[value]}")
    return doc.problem(loc, f"{dotted(loc)}: {message}{shown}")


def _pattern_message(field: str, loc: tuple, pattern: str = "") -> str:
    from threatlib.documents.common import PARTIAL_DATE_PATTERN

    if pattern == PARTIAL_DATE_PATTERN:  # every PartialDate field (date, said_on, ...), whatever its name
        return "a date is YYYY-MM-DD, YYYY-MM or YYYY"
    if field in {"location", "incorporated_in", "headquarters"} or "data_subjects_in" in loc or "staff_access_from" in loc:
        return "a jurisdiction code is two capital letters, e.g. CN, US, GB, IE"
    if field == "date":
        return "a date is YYYY-MM-DD, YYYY-MM or YYYY"
    if field == "url":
        return "an address starts with http:// or https:// and has no spaces"
    return "an id is lowercase letters, digits and hyphens, starting with a letter or digit, at most 64 characters"


def dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(loc: tuple) -> str:
    return f" in {dotted(loc)}" if loc else " at the top level"


def _allowed_keys(schema: type[BaseModel], loc: tuple) -> list[str]:
    """Follow `loc` through the schema's fields to the model whose keys are expected there."""
    current: object = schema
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else current
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: object) -> object:
    """Strip Optional[...] and Annotated[...] down to the underlying type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, __import__("types").UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0] if len(args) == 1 else annotation
            if len(args) != 1:
                return annotation
        else:
            return annotation

"""Read YAML safely into plain Python values, keeping where each key and value was written.

libyaml (through PyYAML's C composer) builds the node tree with the line and column of every node; we
then build plain values ourselves, so nothing in a file can construct Python objects: tags other than
YAML's standard ones are refused, scalars follow YAML 1.2's core schema (so `NO`, Norway's code, stays
text, not false), dates stay text for the schema to parse, duplicate keys are errors, and aliases are
expanded under a node budget, so an alias bomb is an error, not an exhausted machine.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from threatlib.errors import InputError, Problem

_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C composer when PyYAML has libyaml
STANDARD = "tag:yaml.org,2002:"
ALLOWED_TAGS = {STANDARD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")

MAX_BYTES = 20 * 1024 * 1024
MAX_NODES = 2_000_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]


@dataclass
class Positions:
    """1-based (line, column) of each value and each mapping key, by path from the document root."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def of_value(self, path: Path_) -> tuple[int, int]:
        """Where the value at `path` is written, or its nearest written ancestor."""
        while path and path not in self.values:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def of_key(self, path: Path_) -> tuple[int, int]:
        return self.keys.get(path) or self.of_value(path)


@dataclass
class Document:
    file: str
    data: object
    positions: Positions

    def problem(self, path: Path_, message: str, *, at_key: bool = False) -> Problem:
        line, column = self.positions.of_key(path) if at_key else self.positions.of_value(path)
        return Problem(self.file, line, column, message)


def read_yaml(path: Path, display_name: str | None = None) -> Document:
    """Parse one YAML file; any problem becomes an InputError with positions."""
    name = display_name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_yaml(raw, name)


def parse_yaml(raw: bytes, name: str) -> Document:
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(name, 1, 1, f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")])
    text = _decode(raw, name)
    if not text.strip():
        raise InputError([Problem(name, 1, 1, "file is empty; a model needs at least metadata, sources, data and elements")])
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise InputError([Problem(name, line, column, f"invalid YAML: {what}")]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise InputError([Problem(name, 1, 1, f"invalid YAML: {exc}")]) from None
    positions = Positions()
    positions.values[()] = (1, 1)
    converter = _Converter(name, positions)
    data = converter.convert(root, ())
    if converter.problems:
        raise InputError(converter.problems)
    return Document(name, data, positions)


# Byte-order marks of the encodings an editor may have saved the file in instead of UTF-8 (longest first).
WIDE_ENCODINGS = [(codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                  (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")]


def _decode(raw: bytes, name: str) -> str:
    for bom, encoding in WIDE_ENCODINGS:
        if raw.startswith(bom):
            raise InputError([Problem(name, 1, 1, f"the file is {encoding}; save it as UTF-8")])
    if b"\x00" in raw[:8192]:
        raise InputError([Problem(name, 1, 1, "not a text file (it contains NUL bytes); expected UTF-8 YAML")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            [Problem(name, line, column, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
        ) from None


class _Converter:
    def __init__(self, name: str, positions: Positions):
        self.name = name
        self.positions = positions
        self.nodes = 0
        self.problems: list[Problem] = []

    def convert(self, node, path: Path_, depth: int = 0) -> object:
        if node is None:
            return None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError([Problem(self.name, *self.positions.of_value(path),
                                      f"document expands to more than {MAX_NODES:,} values (an alias bomb?)")])
        if depth > MAX_DEPTH:
            raise InputError([Problem(self.name, *self.positions.of_value(path), f"nesting deeper than {MAX_DEPTH} levels")])
        if node.tag not in ALLOWED_TAGS:
            tag = node.tag.replace(STANDARD, "!!")
            self.problems.append(Problem(self.name, *_at(node), f"YAML tag {tag} is not allowed; write plain values"))
            return None
        if isinstance(node, MappingNode):
            result: dict = {}
            first: dict = {}
            for key_node, value_node in node.value:
                key = self.convert(key_node, path, depth + 1)
                if not isinstance(key, str):
                    self.problems.append(Problem(self.name, *_at(key_node), f"key {key!r} must be text"))
                    continue
                if key in first:
                    line, column = first[key]
                    self.problems.append(Problem(self.name, *_at(key_node),
                                                 f"duplicate key '{key}' (first at line {line}, column {column})"))
                    continue
                first[key] = _at(key_node)
                child = path + (key,)
                self.positions.keys[child] = _at(key_node)
                self.positions.values[child] = _at(value_node)
                result[key] = self.convert(value_node, child, depth + 1)
            return result
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions.values[path + (index,)] = _at(item)
                items.append(self.convert(item, path + (index,), depth + 1))
            return items
        return _scalar(node)


def _at(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node: ScalarNode) -> object:
    """YAML 1.2 core schema for plain scalars; anything quoted, or tagged !!str, is text."""
    text = node.value
    if node.style or node.tag == STANDARD + "str":
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text

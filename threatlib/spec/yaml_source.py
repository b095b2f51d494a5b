"""Read YAML safely into plain Python values, keeping where each key and value was written.

ruamel.yaml's round-trip loader records line and column for every mapping key and sequence item;
it never builds Python objects from tags, and we refuse tagged nodes outright. Aliases are
expanded under a node budget, so an alias bomb is an error, not an exhausted machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from threatlib.errors import InputError, Problem

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
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _TextDates
    try:
        root = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(part for part in (exc.context, exc.problem) if part)
        raise InputError([Problem(name, line, column, f"invalid YAML: {what}")]) from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise InputError([Problem(name, 1, 1, f"invalid YAML: {exc}")]) from None
    positions = Positions()
    positions.values[()] = (1, 1)
    converter = _Converter(name, positions)
    data = converter.convert(root, ())
    if converter.problems:
        raise InputError(converter.problems)
    return Document(name, data, positions)


class _TextDates(RoundTripConstructor):
    """Leave dates as text: the schema parses them, so a bad date is a positioned error, not a crash."""


_TextDates.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def _decode(raw: bytes, name: str) -> str:
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

    def convert(self, node: object, path: Path_, depth: int = 0) -> object:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise InputError([Problem(self.name, *self.positions.of_value(path),
                                      f"document expands to more than {MAX_NODES:,} values (an alias bomb?)")])
        if depth > MAX_DEPTH:
            raise InputError([Problem(self.name, *self.positions.of_value(path),
                                      f"nesting deeper than {MAX_DEPTH} levels")])
        tag = getattr(getattr(node, "tag", None), "value", None)
        if isinstance(node, TaggedScalar) or tag is not None:
            self.problems.append(Problem(self.name, *self.positions.of_value(path),
                                         f"YAML tag {tag or node.tag!s} is not allowed; write plain values"))
            return None
        if isinstance(node, CommentedMap):
            result = {}
            for key in node:
                if not isinstance(key, str):
                    line, col = node.lc.key(key)
                    self.problems.append(Problem(self.name, line + 1, col + 1, f"key {key!r} must be text"))
                    continue
                child = path + (key,)
                kline, kcol = node.lc.key(key)
                vline, vcol = node.lc.value(key)
                self.positions.keys[child] = (kline + 1, kcol + 1)
                self.positions.values[child] = (vline + 1, vcol + 1)
                result[key] = self.convert(node[key], child, depth + 1)
            return result
        if isinstance(node, CommentedSeq):
            items = []
            for index, item in enumerate(node):
                line, col = node.lc.item(index)
                self.positions.values[path + (index,)] = (line + 1, col + 1)
                items.append(self.convert(item, path + (index,), depth + 1))
            return items
        if isinstance(node, (dt.date, dt.datetime)):
            return node.isoformat()
        if isinstance(node, bool) or node is None or isinstance(node, (int, float)):
            return node
        if isinstance(node, str):
            return str(node)
        return str(node)

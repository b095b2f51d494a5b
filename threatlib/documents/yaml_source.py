"""Read YAML safely into plain Python values, keeping where each key and value was written.

libyaml (through PyYAML's C composer) builds the node tree with the line and column of every node; we
then build plain values ourselves, so nothing in a file can construct Python objects: tags other than
YAML's standard ones are refused, scalars follow YAML 1.2's core schema (so `NO`, Norway's code, stays
text, not false), dates stay text for the schema to parse, duplicate keys are errors, and aliases are
expanded under a node budget, so an alias bomb is an error, not an exhausted machine.

Only a regular file is read (a named pipe would wait for ever, a device such as /dev/zero never ends), and the
size limit holds while reading, not after. Whatever the system refuses is an EnvironmentProblem naming the path.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from threatlib.errors import EnvironmentProblem, InputError, Problem, brief

_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C composer when PyYAML has libyaml
STANDARD = "tag:yaml.org,2002:"
ALLOWED_TAGS = {STANDARD + t for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
MERGE = STANDARD + "merge"
MAX_DIGITS = 100  # no number in a model is longer; Python refuses to read ints of over 4,300 digits at all
# What YAML cannot hold even quoted (besides tab and line breaks): C0 controls, DEL, C1 controls but NEL,
# surrogates and the two non-characters U+FFFE and U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

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
    return parse_yaml(read_regular_file(path, name), name)


_KINDS = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]


def require_regular_file(path: Path, name: str | None = None) -> None:
    """Refuse, without waiting or reading, anything but a regular file (for a file another reader will open)."""
    read_regular_file(path, name or str(path), limit=None)


def read_regular_file(path: Path, name: str, limit: int | None = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Opened without blocking, so a named pipe is refused
    at once rather than waited on; read at most one byte past the limit, so a file that grows is stopped too."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise EnvironmentProblem.from_os_error(name, "read", exc) from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            kind = next((kind for test, kind in _KINDS if test(status.st_mode)), "not a regular file")
            raise EnvironmentProblem(name, "read", f"it is {kind}, not a file", "give the path of a model file")
        if limit is None:
            return b""
        if status.st_size > limit:
            raise InputError([Problem(name, 1, 1, f"file is {status.st_size:,} bytes; the limit is {limit:,}")])
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(fd, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise EnvironmentProblem.from_os_error(name, "read", exc) from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError([Problem(name, 1, 1, f"file is over {limit:,} bytes; the limit is {limit:,}")])
    return b"".join(chunks)


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
    except yaml.reader.ReaderError as exc:  # a character YAML cannot hold; found by _decode first, kept as a guard
        line, column = _position(text, exc.position)
        raise InputError([Problem(name, line, column, f"invalid YAML: character U+{exc.character:04X} is not allowed")]) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError([Problem(name, 1, 1, f"invalid YAML: {brief(first_line, 120)}")]) from None
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
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _position(raw[:nul].decode("utf-8", "replace"), nul)
        raise InputError([Problem(name, line, column, "a NUL byte: this is not a text file, or it is damaged; expected UTF-8 YAML")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw[: exc.start].decode("utf-8", "replace"), None)
        raise InputError(
            [Problem(name, line, column, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
        ) from None
    bad = _UNPRINTABLE.search(text)
    if bad:
        line, column = _position(text, bad.start())
        raise InputError([Problem(name, line, column, f"character U+{ord(bad[0]):04X} cannot be written in YAML; "
                                  "remove it (in double quotes, an escape such as \\u0007 stands for it)")])
    return text


def _position(text: str, offset: int | None) -> tuple[int, int]:
    """1-based line and column of `offset` in `text` (of the end of `text` when offset is None)."""
    before = text if offset is None else text[:offset]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


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
                if key_node.tag == MERGE:
                    self.problems.append(Problem(self.name, *_at(key_node),
                                                 "merge keys (<<) are not supported; write the keys out in full"))
                    continue
                key = self.convert(key_node, path, depth + 1)
                if not isinstance(key, str):
                    self.problems.append(Problem(self.name, *_at(key_node), _not_text_key(key_node, key)))
                    continue
                if key in first:
                    line, column = first[key]
                    self.problems.append(Problem(self.name, *_at(key_node),
                                                 f"duplicate key {brief(key)} (first at line {line}, column {column})"))
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
        value = _scalar(node)
        if isinstance(value, (int, float)) and len(node.value) > MAX_DIGITS:
            self.problems.append(Problem(self.name, *_at(node), f"a number of {len(node.value):,} characters is too long to be "
                                         "a value here; put it in quotes if it is text"))
            return None
        return value


def _not_text_key(node, key: object) -> str:
    if not isinstance(node, ScalarNode):
        return f"a key must be text, not {brief(key) if key is not None else 'a ' + type(node).__name__[:-4].lower()}"
    read_as = "nothing (null)" if key is None else "true or false" if isinstance(key, bool) else "a number"
    return f"key {brief(node.value)} is read as {read_as}, not text; put it in quotes if it is a name"


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
    if len(text) > MAX_DIGITS and (_INT.match(text) or _FLOAT.match(text)):
        return 0  # too long to be read as a number; the converter reports it
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text

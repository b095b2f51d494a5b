"""Errors meant for people: what is wrong and where (file:line:column), or which path the system refused and why.

Every message is one line of plain text: control characters, line breaks and bidirectional controls that a model
or a file name may carry are shown escaped (\\x1b, \\u202e), so a message can neither retitle nor clear a terminal
nor reorder what is read, and one problem is always one line.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass

EXIT_BAD_INPUT = 2
EXIT_ENVIRONMENT = 3

# C0 and C1 controls (tab and line breaks too: a message is one line), DEL, line and paragraph separators,
# and the bidirectional marks, embeddings, overrides and isolates.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


_UNSHOWABLE_IN_CELLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def shown(text: str, *, keep_layout: bool = False) -> str:
    """`text` with every character that would not print as itself escaped, as Python writes it. keep_layout keeps
    tab and line breaks (a CSV cell may hold several lines); a message is one line, so they are escaped there."""
    pattern = _UNSHOWABLE_IN_CELLS if keep_layout else _UNSHOWABLE
    return pattern.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)


def brief(value: object, limit: int = 40) -> str:
    """A value quoted for a message: text in quotes, escaped, cut after `limit` characters."""
    if isinstance(value, str):
        text = shown(value)
        return f"'{text}'" if len(text) <= limit else f"'{text[:limit]}…' ({len(value):,} characters)"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "nothing (null)"}[value]
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a number of {len(str(abs(value))) if value.bit_length() < 10_000 else 'thousands of'} digits"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return f"a mapping of {len(value)} key{'s' if len(value) != 1 else ''}"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    return f"a {type(value).__name__}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return shown(f"{self.file}:{self.line}:{self.column}: {self.message}")


class InputError(Exception):
    """Bad input: the CLI prints each problem and exits with 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # rebuilt from its problems when a worker process hands it back, not from its text
        return InputError, (self.problems,)


class ThreatConditionError(RuntimeError):
    """A threat's condition raised while being applied: a broken rule, never silently skipped."""


# What to do about each kind of refusal from the operating system.
_ADVICE = {
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EACCES: ("permission denied", "check its permissions, or choose another path"),
    errno.EPERM: ("operation not permitted", "check its permissions, or choose another path"),
    errno.EROFS: ("the file system is read-only", "choose a folder on a writable file system"),
    errno.ENOSPC: ("no space left on the device", "free some space, or choose another place, then run again"),
    errno.EDQUOT: ("the disk quota is exceeded", "free some space, or choose another place, then run again"),
    errno.EISDIR: ("it is a folder", "give a file"),
    errno.EEXIST: ("something else is in the way", "remove it or choose another path"),
    errno.EFBIG: ("the file is larger than the system allows", "raise the file size limit or free some space, then run again"),
    errno.ENOTDIR: ("a part of the path is not a folder", "check the path"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.EMFILE: ("too many open files", "close other programs or raise the limit, then run again"),
    errno.EIO: ("input/output error", "check the device, then run again"),
}


class EnvironmentProblem(Exception):
    """The system refused a read or a write (permission, read-only, disk full, not a regular file): the input
    may be fine. The CLI prints the one line and exits with EXIT_ENVIRONMENT."""

    def __init__(self, path: object, action: str, reason: str, advice: str):
        self.path, self.action, self.reason, self.advice = str(path), action, reason, advice
        super().__init__(str(self))

    def __reduce__(self):  # rebuilt from its parts when a forked renderer hands it back
        return EnvironmentProblem, (self.path, self.action, self.reason, self.advice)

    def __str__(self) -> str:
        return shown(f"{self.path}: cannot {self.action}: {self.reason}; {self.advice}")

    @classmethod
    def from_os_error(cls, path: object, action: str, exc: OSError) -> EnvironmentProblem:
        reason, advice = _ADVICE.get(exc.errno, ((exc.strerror or type(exc).__name__).lower(), "check the path, then run again"))
        return cls(exc.filename if path is None and exc.filename else path, action, reason, advice)

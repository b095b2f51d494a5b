"""Errors meant for people: what is wrong and where (file:line:column)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, at a 1-based line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class InputError(Exception):
    """Bad input: the CLI prints each problem and exits with 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # rebuilt from its problems when a worker process hands it back, not from its text
        return InputError, (self.problems,)


class ThreatConditionError(RuntimeError):
    """A threat's condition raised while being applied: a broken rule, never silently skipped."""

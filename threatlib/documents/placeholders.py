"""The marks `threatlib new --from` leaves on what must change (`REPLACE:`), as load reads them.

A started model validates with each marked flag, date or number read as its value; each mark left is then listed
with its position until it is filled in.
"""

from __future__ import annotations

import re

PLACEHOLDER = "REPLACE:"
PLACEHOLDER_URL = "https://example.org/REPLACE"
# A marked value that is not text (a flag, a date, a number) is read as its unmarked value while validating, so
# the only problem left is the placeholder itself.
_TYPED = re.compile(r"^(true|false|-?\d+|\d{4}(-\d{2}(-\d{2})?)?)$")


def unmark(data: object) -> object:
    """The document with each marked flag, date or number read as its value, for validating a started model."""
    if isinstance(data, dict):
        return {key: unmark(value) for key, value in data.items()}
    if isinstance(data, list):
        return [unmark(value) for value in data]
    if isinstance(data, str) and data.startswith(PLACEHOLDER):
        rest = data[len(PLACEHOLDER):].strip()
        if rest in ("true", "false"):  # a flag was marked as text; booleans are strict, so read it back as one
            return rest == "true"
        if _TYPED.match(rest):
            return rest
    return data


def placeholders(data: object, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every value still marked for replacing, with its path in the document."""
    found: list[tuple[tuple, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += placeholders(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += placeholders(value, path + (index,))
    elif isinstance(data, str) and (data.startswith(PLACEHOLDER) or data == PLACEHOLDER_URL):
        found.append((path, data))
    return found

"""Small text helpers shared by renderers: neutralise control characters, wrap for labels."""

from __future__ import annotations

import re
import textwrap

_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # pytm scripts once broke labels with HTML's <br/>
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def plain(text: str, limit: int = 10_000) -> str:
    """One line of visible text: control characters become spaces, long text is cut with an ellipsis."""
    text = _CONTROL.sub(" ", text.replace("\n", " ").replace("\t", " "))
    text = re.sub(r" {2,}", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrapped(text: str, width: int, max_lines: int = 4) -> list[str]:
    """Lines of at most `width` characters; a `<br/>` in the text starts a new line, as its author meant."""
    lines = [line for part in _BREAK.split(text) for line in textwrap.wrap(plain(part, 400), width, break_long_words=True)]
    lines = lines or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1] + "…"
    return lines

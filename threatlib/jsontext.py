"""One way to write JSON: indented, UTF-8, a final newline, so every JSON output diffs cleanly."""

from __future__ import annotations

import json


def json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

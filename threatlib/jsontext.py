"""One way to write JSON: indented, UTF-8, a final newline, so every JSON output diffs cleanly.

orjson writes the same text as json.dumps(indent=2, ensure_ascii=False) many times faster: the standard
library drops to its pure-Python encoder whenever it indents, which took seconds on a large estate.
"""

from __future__ import annotations

import orjson


def json_bytes(value: object) -> bytes:
    # The newline by orjson, not `+ b"\n"`, which would copy the whole text (170 MB for a large estate) once more.
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


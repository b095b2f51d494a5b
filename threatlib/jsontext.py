"""One way to write JSON: indented, UTF-8, a final newline, so every JSON output diffs cleanly.

orjson writes the same text as json.dumps(indent=2, ensure_ascii=False) many times faster: the standard
library drops to its pure-Python encoder whenever it indents, which took seconds on a large estate.
"""

from __future__ import annotations

import orjson
from pydantic import BaseModel


def json_bytes(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"


def model_json_bytes(model: BaseModel) -> bytes:
    """The same text for a pydantic model, serialised straight to JSON: no intermediate dict of a large estate."""
    return model.model_dump_json(indent=2).encode("utf-8") + b"\n"

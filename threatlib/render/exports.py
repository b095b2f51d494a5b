"""The machine-readable views `threatlib export` can write, by format name."""

from __future__ import annotations

from collections.abc import Callable

from threatlib.analysis.model import Analysis
from threatlib.render.otm import otm_json
from threatlib.render.sarif import sarif_json
from threatlib.render.tables import threats_csv, threats_json
from threatlib.render.threatdragon import threatdragon_json

EXPORTS: dict[str, Callable[[Analysis], bytes]] = {
    "otm": otm_json,
    "threatdragon": threatdragon_json,
    "sarif": sarif_json,
    "json": threats_json,
    "csv": threats_csv,
}

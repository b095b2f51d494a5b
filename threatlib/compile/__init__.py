"""Compile stage: a validated model plus the library become a pytm TM with derived facts and compulsion links.

- legal.py: which legal orders reach whom, on what basis, and the compulsion links that follow;
- facts.py and derived.py: what threat conditions read as `target.facts`, worked out once per model;
- pytm_model.py: the model's elements and flows as pytm objects, and our threats inside pytm's engine;
- pytm_state.py: the one place that touches pytm's process-wide state;
- pytm_check.py: pytm's check() of a model built here, its writes made without validating them again;
- compiled_model.py: the CompiledModel the analysis reads, from a YAML model or a pytm script.

The names below are imported when first asked for: `validate` reads legal reach (legal.py) without loading pytm.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threatlib.compile.compiled_model import CompiledModel, compile_model, compile_script
    from threatlib.compile.derived import Derived, derive
    from threatlib.compile.legal import CompulsionLink
    from threatlib.compile.pytm_model import LibraryThreat

_HOMES = {"CompiledModel": "compiled_model", "compile_model": "compiled_model", "compile_script": "compiled_model",
          "Derived": "derived", "derive": "derived", "CompulsionLink": "legal", "LibraryThreat": "pytm_model"}
__all__ = ["CompiledModel", "CompulsionLink", "Derived", "LibraryThreat", "compile_model", "compile_script", "derive"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)

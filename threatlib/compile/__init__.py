"""Compile stage: a validated model plus the library become a pytm TM with derived facts and compulsion links.

- legal.py: which legal orders reach whom, on what basis, and the compulsion links that follow;
- facts.py and derive.py: what threat conditions read as `target.facts`, worked out once per model;
- pytm_model.py: the model's elements and flows as pytm objects, and our threats inside pytm's engine;
- pytm_state.py: the one place that touches pytm's process-wide state;
- compiled_model.py: the CompiledModel the analysis reads, from a YAML model or a pytm script.
"""

from threatlib.compile.compiled_model import CompiledModel, compile_model, compile_script
from threatlib.compile.derive import Derived, derive
from threatlib.compile.legal import CompulsionLink
from threatlib.compile.pytm_model import LibraryThreat

__all__ = ["CompiledModel", "CompulsionLink", "Derived", "LibraryThreat", "compile_model", "compile_script", "derive"]

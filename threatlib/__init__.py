"""threatlib: jurisdiction-aware data-flow threat modelling on OWASP pytm.

The pipeline runs load -> compile -> analyse -> render; each stage is its own module.
"""

from threatlib.errors import InputError, Problem

__all__ = ["InputError", "Problem"]
__version__ = "0.1.0"

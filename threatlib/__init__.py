"""threatlib: jurisdiction-aware data-flow threat modelling on OWASP pytm.

The pipeline runs load -> compile -> analyse -> render; each stage is its own module.
"""

from threatlib.errors import InputError, Problem

__all__ = ["InputError", "Problem"]
__version__ = "0.1.0"
# Where people read about threatlib, and its threat catalogue (docs/catalogue.md, one anchor per threat id).
HOMEPAGE = "https://github.com/threatlib/threatlib"
CATALOGUE_URL = f"{HOMEPAGE}/blob/main/docs/catalogue.md"

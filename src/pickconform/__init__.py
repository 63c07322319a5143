"""pickconform: a contract-testing and API conformance suite for warehouse pick APIs."""

__version__ = "0.1.0"

# The built-in API families, one line each (see `pickconform.registry`): registered here, so the registry is complete
# whichever module of pickconform is imported first. A descriptor loads its family's target and reference on demand.
from pickconform import butler, clarus, emporix
from pickconform.registry import register

register(clarus.FAMILY)
register(butler.FAMILY)
register(emporix.FAMILY)

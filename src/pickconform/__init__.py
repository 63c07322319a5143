"""pickconform: a contract-testing and API conformance suite for warehouse pick APIs."""

__version__ = "0.1.0"

"""The conformance suite's data inside an installed wheel: specs/, features/, tests/conformance/ and the pytest
configuration, put here by the wheel build (pyproject.toml, force-include). A package, so that the suite's modules are
imported as `pickconform._suite.tests.conformance...`; empty in a checkout, whose own top-level folders are used."""

__all__ = []  # nothing to import: the folder is data

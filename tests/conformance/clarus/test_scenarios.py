"""The Clarus Gherkin scenarios (features/clarus); steps live in conftest.py beside this module."""

from pytest_bdd import scenarios

scenarios("clarus")

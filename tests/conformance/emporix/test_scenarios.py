"""The Emporix Gherkin scenarios (features/emporix); steps live in conftest.py beside this module."""

from pytest_bdd import scenarios

scenarios("emporix")

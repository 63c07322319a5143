"""The Butler Gherkin scenarios (features/butler); steps live in conftest.py beside this module."""

from pytest_bdd import scenarios

scenarios("butler")

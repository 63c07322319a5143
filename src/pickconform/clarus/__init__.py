"""Clarus WMS: the suite's side (profile settings, target, API client, checks), and the family's descriptor."""

from __future__ import annotations

from typing import Any

from pickconform.clarus import concurrency
from pickconform.clarus.settings import Settings
from pickconform.registry import Family

__all__ = ["FAMILY", "api", "checks", "settings", "spec", "target"]


def _embedded(base_url: str, handed: Any, wire: Any) -> Any:
    from pickconform.clarus.target import embedded

    return embedded(base_url, handed, wire)


def _from_settings(settings: Any, where: str, wire: Any) -> Any:
    from pickconform.clarus.target import from_settings

    return from_settings(settings, where, wire)


def _reference(faults: Any, demo_credentials: bool) -> Any:
    from pickconform.reference.clarus import build

    return build(faults, demo_credentials=demo_credentials)


def _faults() -> object:
    from pickconform.reference.clarus import mutants

    return mutants


# The family's descriptor, registered in pickconform/__init__.py. Its heavy parts load when first asked for.
FAMILY = Family(
    name="clarus",
    Settings=Settings,
    embedded=_embedded,
    from_settings=_from_settings,
    reference=_reference,
    faults=_faults,
    concurrency=concurrency.EXCLUSIVE,  # what may not overlap on one target
)

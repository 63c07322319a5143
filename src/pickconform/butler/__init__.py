"""GreyOrange Butler pick service requests: target, notification receiver and lifecycle checker, and the family's
descriptor."""

from __future__ import annotations

from typing import Any

from pickconform.butler import concurrency
from pickconform.butler.settings import Settings
from pickconform.registry import Family

__all__ = ["FAMILY", "api", "lifecycle", "receiver", "settings", "spec", "strategies", "target"]


def _embedded(base_url: str, handed: Any, wire: Any) -> Any:
    from pickconform.butler.target import embedded

    return embedded(base_url, handed, wire)


def _from_settings(settings: Any, where: str, wire: Any) -> Any:
    from pickconform.butler.target import from_settings

    return from_settings(settings, where, wire)


def _reference(faults: Any, demo_credentials: bool) -> Any:
    from pickconform.reference.butler import build

    return build(faults, demo_credentials=demo_credentials)


def _faults() -> object:
    from pickconform.reference.butler import mutants

    return mutants


def _notifications() -> type[Any]:
    from pickconform.butler.receiver import Receiver

    return Receiver


# The family's descriptor, registered in pickconform/__init__.py. Its heavy parts load when first asked for.
FAMILY = Family(
    name="butler",
    Settings=Settings,
    embedded=_embedded,
    from_settings=_from_settings,
    reference=_reference,
    faults=_faults,
    notifications=_notifications,
    concurrency=concurrency.EXCLUSIVE,  # what may not overlap on one target
)

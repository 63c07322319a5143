"""Every use of a dependency's non-public API, one module per dependency, each checked when it is imported.

An upgrade that removes or renames an internal the suite relies on fails loudly here, with the dependency's version
and what is gone, rather than silently changing the suite's behaviour elsewhere (tests/selftest/test_compat.py).
Everything else in pickconform uses the dependencies' public names only.
"""

from __future__ import annotations

__all__ = ["CompatError"]


class CompatError(ImportError):
    """An internal of a dependency that pickconform relies on is gone: the installed version is not supported."""

    def __init__(self, package: str, version: str, what: str) -> None:
        super().__init__(f"{package} {version}: {what} is gone; pickconform._compat needs updating for this version")


def require(condition: object, package: str, version: str, what: str) -> None:
    if not condition:  # pragma: no cover - only on an upgrade of the dependency
        raise CompatError(package, version, what)

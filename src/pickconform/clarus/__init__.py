"""Clarus WMS: the suite's side (profile settings, target, API client, checks)."""

__all__ = ["api", "checks", "settings", "spec", "target"]

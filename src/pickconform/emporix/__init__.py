"""Emporix pick-pack: the suite's side (profile settings, target, API client, spec checks)."""

__all__ = ["api", "settings", "spec", "target"]

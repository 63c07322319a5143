"""GreyOrange Butler pick service requests: target, notification receiver and lifecycle checker."""

__all__ = ["api", "lifecycle", "receiver", "settings", "spec", "strategies", "target"]

"""GreyOrange Butler pick service requests: target, notification receiver and lifecycle checker."""

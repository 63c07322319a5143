"""Clarus WMS: the suite's side (profile settings, target, API client, checks)."""

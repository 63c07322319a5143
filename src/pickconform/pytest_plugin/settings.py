"""The run's settings (`pickconform.options.RunSettings`), read from pytest's options once, at configure time, and kept
on the config for every hook and fixture that needs them."""

from __future__ import annotations

import pytest

from pickconform.options import RunSettings

__all__ = ["run_settings", "store_settings"]

_SETTINGS = pytest.StashKey[RunSettings]()


def store_settings(config: pytest.Config, settings: RunSettings) -> RunSettings:
    config.stash[_SETTINGS] = settings
    return settings


def run_settings(config: pytest.Config) -> RunSettings:
    """The run's settings (read from the options on first use)."""
    if _SETTINGS not in config.stash:
        store_settings(config, RunSettings.from_pytest(config))
    return config.stash[_SETTINGS]

"""The [butler] profile section: parsed strictly, secrets from the environment, one-line errors on preflight."""

from __future__ import annotations

from pathlib import Path

import pytest

from pickconform.butler.target import from_settings
from pickconform.family.profile import ProfileError, load_profile
from pickconform.http.client import Wire


def profile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "target.toml"
    path.write_text(body)
    return path


def test_a_butler_section_is_loaded(tmp_path: Path) -> None:
    path = profile(
        tmp_path,
        '[butler]\nbase_url = "http://127.0.0.1:9"\ntoken_env = "BUTLER_TOKEN"\n'
        'callback_listen = "0.0.0.0:8099"\ncallback_public_url = "https://tunnel.example/n"\n'
        'capabilities = ["callback", "inventory"]\n',
    )
    settings = load_profile(path).families["butler"]
    assert settings.capabilities == ["callback", "inventory"] and settings.callback_listen == "0.0.0.0:8099"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('capabilities = ["teleport"]', "unknown capability 'teleport'"),
        ('callback_listen = "8099"', "callback_listen must be host:port"),
        ('control = "x"', "unknown key 'control'"),
    ],
)
def test_a_bad_butler_section_is_one_line(tmp_path: Path, line: str, message: str) -> None:
    path = profile(tmp_path, f'[butler]\nbase_url = "http://127.0.0.1:9"\ntoken_env = "T"\n{line}\n')
    with pytest.raises(ProfileError, match=message) as error:
        load_profile(path)
    assert "\n" not in str(error.value)


def test_an_unreachable_target_fails_preflight_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUTLER_TOKEN", "secret-value")
    path = profile(tmp_path, '[butler]\nbase_url = "http://127.0.0.1:9"\ntoken_env = "BUTLER_TOKEN"\n')
    target = from_settings(load_profile(path).families["butler"], f"{path}: [butler]", Wire())
    try:
        with pytest.raises(ProfileError, match="unreachable") as error:
            target.preflight()
        assert "\n" not in str(error.value) and "secret-value" not in str(error.value)
    finally:
        target.close()


def test_a_missing_token_variable_is_a_profile_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUTLER_TOKEN", raising=False)
    path = profile(tmp_path, '[butler]\nbase_url = "http://127.0.0.1:9"\ntoken_env = "BUTLER_TOKEN"\n')
    with pytest.raises(ProfileError, match="BUTLER_TOKEN is not set"):
        from_settings(load_profile(path).families["butler"], f"{path}: [butler]", Wire())

"""The [emporix] profile section: what it accepts, and the one-line errors for what it does not."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from pickconform.emporix import target as emporix_target
from pickconform.emporix.settings import Settings
from pickconform.family.profile import ProfileError, load_profile
from pickconform.http.client import Wire
from pickconform.reference.app import Reference
from pickconform.reference.server import ReferenceServer

BASE = 'base_url = "https://sandbox.example"\ntenant = "acme"\n'
CLIENT = 'token_url = "https://sandbox.example/oauth/token"\nclient_id = "c"\nclient_secret_env = "EMPORIX_SECRET"\n'
TOKENS = 'view_token_env = "EMPORIX_VIEW"\nmanage_token_env = "EMPORIX_MANAGE"\n'


def profile(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(f"[emporix]\n{body}")
    return path


def test_client_credentials_and_other_tenant(tmp_path: Path) -> None:
    other = '[emporix.other_tenant]\ntenant = "globex"\nclient_id = "g"\nclient_secret_env = "EMPORIX_OTHER"\n'
    settings = load_profile(profile(tmp_path, BASE + CLIENT + other)).families["emporix"]
    assert isinstance(settings, Settings) and settings.other_tenant is not None
    assert settings.other_tenant.tenant == "globex"


def test_ready_made_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPORIX_VIEW", "v")
    monkeypatch.setenv("EMPORIX_MANAGE", "m")
    settings = load_profile(profile(tmp_path, BASE + TOKENS)).families["emporix"]
    target = emporix_target.from_settings(settings, "p: [emporix]", Wire())
    try:
        assert target.tenant.name == "acme" and target.expired_token() is None
    finally:
        target.close()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BASE, "give either client_id and client_secret_env, or view_token_env and manage_token_env"),
        (BASE + CLIENT + TOKENS, "give either client_id"),
        (BASE + 'view_token_env = "V"\n', "view_token_env and manage_token_env go together"),
        ('base_url = "https://x"\ntenant = "Acme"\n' + TOKENS, "tenant 'Acme' does not match"),
        ('base_url = "https://x"\ntenant = "ac"\n' + TOKENS, "tenant 'ac' does not match"),
        ('base_url = "ftp://x"\ntenant = "acme"\n' + TOKENS, "base_url must be an http(s) URL"),
        (BASE + TOKENS + 'capabilities = ["teleport"]\n', "unknown capability 'teleport'"),
        (BASE + TOKENS + 'capabilities = ["token_lifetime"]\n', "token_lifetime needs client_id"),
        (BASE + TOKENS + "jobs = 3\n", "unknown key 'jobs'"),
        (TOKENS, "missing 'base_url'"),
        (BASE + TOKENS + '[emporix.other_tenant]\ntenant = "globex"\n', "[emporix.other_tenant]: give either"),
    ],
)
def test_section_errors_are_one_line(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ProfileError) as error:
        load_profile(profile(tmp_path, body))
    assert message in str(error.value) and "\n" not in str(error.value)
    assert "[emporix" in str(error.value)


def test_unset_secret_is_a_profile_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMPORIX_SECRET", raising=False)
    settings = load_profile(profile(tmp_path, BASE + CLIENT)).families["emporix"]
    with pytest.raises(ProfileError, match="EMPORIX_SECRET is not set"):
        emporix_target.from_settings(settings, "p: [emporix]", Wire())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_preflight_unreachable_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPORIX_VIEW", "v")
    monkeypatch.setenv("EMPORIX_MANAGE", "m")
    url = f"http://127.0.0.1:{_free_port()}"
    settings = load_profile(profile(tmp_path, f'base_url = "{url}"\ntenant = "acme"\n' + TOKENS)).families["emporix"]
    target = emporix_target.from_settings(settings, "p: [emporix]", Wire())
    with pytest.raises(ProfileError, match="unreachable") as error:
        target.preflight()
    assert "\n" not in str(error.value)
    target.close()


def test_preflight_refused_client_and_accepted_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ReferenceServer(Reference()) as server:
        base = f"{server.url}/emporix"
        client_id, secret = server.reference.families["emporix"].clients["acme"]
        body = (
            f'base_url = "{base}"\ntenant = "acme"\ntoken_url = "{base}/oauth/token"\n'
            f'client_id = "{client_id}"\nclient_secret_env = "EMPORIX_SECRET"\ncapabilities = ["token_lifetime"]\n'
        )
        settings = load_profile(profile(tmp_path, body)).families["emporix"]
        monkeypatch.setenv("EMPORIX_SECRET", "not-the-secret")
        refused = emporix_target.from_settings(settings, "p: [emporix]", Wire())
        with pytest.raises(ProfileError, match="client credentials rejected"):
            refused.preflight()
        refused.close()
        monkeypatch.setenv("EMPORIX_SECRET", secret)
        accepted = emporix_target.from_settings(settings, "p: [emporix]", Wire())
        accepted.preflight()
        assert accepted.expired_token()  # token_lifetime: the token endpoint issues a zero-lifetime token
        accepted.close()

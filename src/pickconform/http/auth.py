"""How the suite authenticates: OAuth2 client credentials or a static bearer token, as httpx auth objects."""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field

import httpx

from pickconform.http.client import CREDENTIAL_KEY
from pickconform.http.tap import once_per_session


class TokenError(Exception):
    """The token endpoint refused or could not be reached; the message is one line and names the endpoint."""


class BearerToken(httpx.Auth):
    label = ""  # the credential slot (see `pickconform.targets.slots`): recordings name it instead of the token

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _authorize(request, self._token, self.label)
        yield request


class ClientCredentials(httpx.Auth):
    """OAuth2 client-credentials grant; the token is fetched once, cached and renewed shortly before it expires."""

    label = ""  # the credential slot (see `pickconform.targets.slots`): recordings name it instead of the token

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, scope: str | None = None, *, client: httpx.Client
    ) -> None:
        self.token_url = token_url
        self._form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        if scope:
            self._form["scope"] = scope
        self._client = client
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if self._token is None or time.monotonic() > self._expires_at - 30:
                self._token, lifetime = self._fetch()
                self._expires_at = time.monotonic() + lifetime
            return self._token

    def _fetch(self) -> tuple[str, float]:
        try:
            with once_per_session():  # cached for the session: fetched in whichever test needs it first
                response = self._client.post(self.token_url, data=self._form)
        except httpx.HTTPError as exc:
            raise TokenError(f"token endpoint {self.token_url} is unreachable: {exc}") from None
        if response.status_code in (400, 401, 403):
            raise TokenError(
                f"token endpoint {self.token_url} answered {response.status_code}: client credentials rejected"
            )
        if response.status_code != 200:
            raise TokenError(f"token endpoint {self.token_url} answered {response.status_code}")
        try:
            payload = response.json()
            return str(payload["access_token"]), float(payload.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise TokenError(f"token endpoint {self.token_url} answered without an access_token") from None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _authorize(request, self.token(), self.label)
        yield request


def _authorize(request: httpx.Request, token: str, slot: str) -> None:
    request.headers["Authorization"] = f"Bearer {token}"
    if slot:  # what redaction shows instead of the token (`pickconform.http.redaction.authorization`)
        request.extensions[CREDENTIAL_KEY] = slot


@dataclass(frozen=True)
class OAuthClient:
    """Client-credentials settings; the secret comes from the environment or, for the embedded target, memory."""

    token_url: str
    client_id: str
    client_secret: str = field(repr=False)
    scope: str = ""


@dataclass(frozen=True)
class StaticToken:
    token: str = field(repr=False)


Credentials = OAuthClient | StaticToken


def make_auth(credentials: Credentials, token_client: httpx.Client) -> httpx.Auth:
    if isinstance(credentials, StaticToken):
        return BearerToken(credentials.token)
    return ClientCredentials(
        credentials.token_url, credentials.client_id, credentials.client_secret, credentials.scope, client=token_client
    )

"""Preflight checks a family target runs before the first test: the target answers, and it issues our tokens.
Each problem is a one-line `ProfileError`, never a failed test."""

from __future__ import annotations

import httpx

from pickconform.family.profile import ProfileError
from pickconform.http.auth import ClientCredentials, TokenError

__all__ = ["require_reachable", "require_token"]


def require_reachable(client: httpx.Client, family: str, base_url: str) -> None:
    """Preflight: any HTTP answer from the base URL will do; no answer is a one-line profile error."""
    try:
        client.get(base_url + "/", timeout=5)
    except httpx.HTTPError as exc:
        raise ProfileError(f"{family} base_url {base_url} is unreachable: {type(exc).__name__}: {exc}") from None


def require_token(auth: httpx.Auth | None, what: str) -> None:
    """Preflight: fetch a client-credentials token now, so a refusal is a profile error, not a failed test."""
    try:
        if isinstance(auth, ClientCredentials):
            auth.token()
    except TokenError as exc:
        raise ProfileError(f"{what}: {exc}") from None

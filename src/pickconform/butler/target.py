"""A Butler target: the API and control clients, and (started on first use) the notification receiver."""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx

from pickconform.butler import spec
from pickconform.butler.receiver import Receiver
from pickconform.butler.settings import Settings, TestData
from pickconform.family.profile import ProfileError, secret_from_env
from pickconform.http.auth import BearerToken
from pickconform.http.client import Wire, make_client
from pickconform.http.tap import RECEIVER_ORIGIN, once_per_session
from pickconform.verdict import FirstSends


class ButlerTarget:
    """Implements `pickconform.family.target.FamilyTarget`."""

    offline = False  # a replay's target: the receiver is fed from cassettes and opens no socket

    def __init__(
        self,
        base_url: str,
        token: str,
        wire: Wire,
        *,
        control_url: str = "",
        callback_listen: str = "127.0.0.1:0",
        callback_public_url: str = "",
        capabilities: frozenset[str] | None = None,
        notification_timeout: float = 10.0,
        callback_token: str = "",
        test_data: TestData | None = None,
    ) -> None:
        self.base_url, self.control_url = base_url.rstrip("/"), control_url.rstrip("/")
        self.callback_listen, self.callback_public_url = callback_listen, callback_public_url
        self.callback_token = callback_token
        self.notification_timeout = notification_timeout
        self.test_data = test_data or TestData()
        self.wire = wire
        self.log = wire.log
        self.client = make_client(self.base_url, self.wire, auth=BearerToken(token))
        self.control = make_client(self.control_url, self.wire, auth=BearerToken(token)) if self.control_url else None
        self._capabilities = capabilities
        self._receiver: Receiver | None = None
        self.first_sends = FirstSends()  # pick request ids created in this process: an earlier run's are refused

    @property
    def capabilities(self) -> frozenset[str]:
        """Declared in the profile, or asked of the control protocol once; none without a control protocol."""
        if self._capabilities is None:
            found: frozenset[str] = frozenset()
            if self.control is not None:
                with once_per_session():  # asked once per session
                    response = self.control.get("/capabilities")
                try:
                    listed = response.json().get("capabilities") if response.status_code == 200 else None
                except (ValueError, AttributeError):
                    listed = None  # not the documented answer: no capability can be relied on
                found = frozenset(c for c in listed or () if isinstance(c, str))
            self._capabilities = found
        return self._capabilities

    @property
    def started_receiver(self) -> Receiver | None:
        """The receiver once it has started (None before its first use): what it received is a test's evidence."""
        return self._receiver

    @property
    def receiver(self) -> Receiver:
        """The notification receiver, started on first use and registered as the target's callback if it can be."""
        if self._receiver is None:
            host, _, port = self.callback_listen.rpartition(":")
            receiver = Receiver(
                host=host, port=int(port), offline=self.offline, token=self.callback_token, tap=self.wire.tap
            ).start()
            url = receiver.url
            if self.callback_public_url and not self.offline:
                url = receiver.public_url(self.callback_public_url)
                self.wire.tap.alias(url, RECEIVER_ORIGIN + receiver.PATH)
            if "callback" in self.capabilities and self.control is not None:
                with once_per_session():  # registered once per session
                    response = self.control.put("/callback", json={"url": url})
                if not response.is_success:
                    receiver.stop()
                    raise RuntimeError(f"the target refused the callback URL {url}: {response.status_code}")
            self._receiver = receiver
        return self._receiver

    # --- slots (see pickconform.family.target) ---

    def role_urls(self) -> dict[str, str]:
        return {"base": self.base_url, **({"control": self.control_url} if self.control_url else {})}

    def tenant_names(self) -> dict[str, str]:
        return {}  # Butler has no tenants

    def credential_slots(self) -> list[tuple[str, httpx.Auth]]:
        """One token, `butler/token`, carried by both the API and the control client."""
        clients = (self.client, self.control)
        return [("butler/token", c.auth) for c in clients if c is not None and c.auth is not None]

    def openapi_for(self, role: str, path: str) -> Any:
        """The service-request spec; the control protocol has none."""
        return _openapi() if role == "base" else None

    def take_unexpected_inbound(self) -> tuple[int, list[str]]:
        return self._receiver.take_unexpected() if self._receiver is not None else (0, [])

    def preflight(self) -> None:
        try:
            response = self.client.post(spec.CANCEL, json={}, timeout=5)  # bad data: a 400 if the token is accepted
        except httpx.HTTPError as exc:
            raise ProfileError(f"butler base_url {self.base_url} is unreachable: {type(exc).__name__}: {exc}") from None
        if response.status_code in (401, 403):
            raise ProfileError(f"butler base_url {self.base_url} refused the token ({response.status_code})")
        if self.control is not None:
            try:
                self.control.get("/capabilities", timeout=5)
            except httpx.HTTPError as exc:
                raise ProfileError(f"butler control_url {self.control_url} is unreachable: {exc}") from None

    def close(self) -> None:
        if self._receiver is not None:
            self._receiver.stop()
        self.client.close()
        if self.control is not None:
            self.control.close()


@cache
def _openapi() -> Any:
    from pickconform import fuzzing  # Schemathesis is loaded only when a spec is asked for

    return fuzzing.openapi(spec.OPENAPI)


def embedded(base_url: str, handed: dict[str, Any], wire: Wire) -> ButlerTarget:
    """The target on the embedded reference at `base_url`, from what it handed (`ButlerReference.handed`)."""
    return ButlerTarget(base_url, handed["token"], wire, control_url=f"{base_url}/control", notification_timeout=3.0)


def from_settings(settings: Settings, where: str, wire: Wire) -> ButlerTarget:
    return ButlerTarget(
        settings.base_url,
        secret_from_env(settings.token_env, where),
        wire,
        control_url=settings.control_url,
        callback_listen=settings.callback_listen,
        callback_public_url=settings.callback_public_url,
        capabilities=None if settings.capabilities is None else frozenset(settings.capabilities),
        notification_timeout=settings.notification_timeout,
        callback_token=secret_from_env(settings.callback_token_env, where) if settings.callback_token_env else "",
        test_data=settings.test_data,
    )

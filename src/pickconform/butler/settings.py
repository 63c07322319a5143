"""The [butler] section of a target profile."""

from __future__ import annotations

from dataclasses import dataclass

# What the control protocol (specs/butler/CONTROL.md) can do; scenarios needing a missing one are skipped.
CAPABILITIES = ("callback", "inventory", "hold", "rack", "pick", "finish")


@dataclass(frozen=True)
class Settings:
    base_url: str
    token_env: str
    # The control protocol's base URL; empty: the target has none (only the API and notifications are checked).
    control_url: str = ""
    # Where the suite's notification receiver listens, and the URL the target must POST to (when the receiver is
    # reached through a tunnel or a proxy). An empty public URL means http://<listen address>/notifications.
    callback_listen: str = "127.0.0.1:0"
    callback_public_url: str = ""
    # The receiver answers only on /notifications/<token>; the token is random per run unless this environment
    # variable gives it (when you configure the sandbox's webhook yourself, without the `callback` capability).
    callback_token_env: str = ""
    # Declared capabilities; when absent, the control protocol's capabilities endpoint says.
    capabilities: list[str] | None = None
    notification_timeout: float = 10.0

    def __post_init__(self) -> None:
        for name in ("base_url", "control_url", "callback_public_url"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                raise ValueError(f"{name} must be an http(s) URL, not {value!r}")
        host, _, port = self.callback_listen.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(f"callback_listen must be host:port, not {self.callback_listen!r}")
        unknown = set(self.capabilities or ()) - set(CAPABILITIES)
        if unknown:
            raise ValueError(f"unknown capability {sorted(unknown)[0]!r} (known: {', '.join(CAPABILITIES)})")
        if self.notification_timeout <= 0:
            raise ValueError("notification_timeout must be positive")

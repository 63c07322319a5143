"""The [butler] section of a target profile."""

from __future__ import annotations

from dataclasses import dataclass, field

# What the control protocol (specs/butler/CONTROL.md) can do; scenarios needing a missing one are skipped.
CAPABILITIES = ("callback", "inventory", "hold", "rack", "pick", "finish")


@dataclass(frozen=True)
class StockedSku:
    """A SKU the target has on hand: used by one test per run (its pick requests block and pick the inventory)."""

    sku: str
    quantity: int  # available now, exactly: a test may request all of it and count on a second request missing it

    def __post_init__(self) -> None:
        if not self.sku or self.quantity < 1:
            raise ValueError("a SKU in stock needs a sku and a quantity of at least 1")


@dataclass(frozen=True)
class TestData:
    """[butler.test_data]: SKUs known to be in stock and known to be absent, for a target without capability
    inventory."""

    __test__ = False  # a dataclass, not a pytest test class
    in_stock: list[StockedSku] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # known to the target, none on hand: never fulfillable

    def __post_init__(self) -> None:
        skus = [s.sku for s in self.in_stock]
        if len(set(skus)) < len(skus):
            raise ValueError("in_stock: a SKU is named twice")
        if any(not sku for sku in self.absent) or set(self.absent) & set(skus):
            raise ValueError("absent: a SKU is empty, or also in_stock")


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
    test_data: TestData = field(default_factory=TestData)

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

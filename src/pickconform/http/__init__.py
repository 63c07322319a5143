"""Talking to targets over real HTTP: the one client factory and the run's `Wire` (limits, exchange log, and the tap
recording or replaying sits behind), the credentials (bearer and client-credentials tokens), loopback servers for
what the suite serves itself, the pacing of polls, and the redaction every exchange goes through before it is shown
or stored."""

from __future__ import annotations

__all__ = ["auth", "client", "loopback", "pacing", "redaction", "tap"]

"""Targets: where the suite's requests go. The embedded reference implementation, or a remote one from a profile.

Each API family contributes a `pickconform.<family>.target` module with:
- `embedded(server, wire)`: the family's target on the embedded reference server, credentials from memory;
- `from_settings(settings, where, wire)`: the family's target from its profile section (secrets from the environment);
and the family target implements `pickconform.targets.family.FamilyTarget` (`preflight()`, `close()`, and the names
of its parts: role URLs, tenants, credential slots), so no code outside a family asks which family it is.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pickconform.determinism import RunContext
from pickconform.http.client import ExchangeLog, Wire
from pickconform.targets.family import FamilyTarget
from pickconform.targets.profile import Profile, ProfileError

__all__ = ["Target", "connect", "embedded_name", "replay_target", "start_embedded"]


@dataclass
class Target:
    name: str
    run: RunContext
    families: dict[str, FamilyTarget]
    wire: Wire = field(default_factory=Wire)  # what every client of its families shares (limits, log, tap)
    server: Any = None  # the embedded ReferenceServer, if any
    profile: Profile | None = None

    @property
    def log(self) -> ExchangeLog:
        return self.wire.log

    def take_unexpected_inbound(self) -> dict[str, Any]:
        """Requests to the suite's own endpoints (the Butler receiver) refused since the last call: how many, and the
        first few described."""
        count, examples = 0, []
        for family in self.families.values():
            more, described = family.take_unexpected_inbound()
            count, examples = count + more, examples + described
        return {"count": count, "examples": examples}

    def close(self) -> None:
        for family in self.families.values():
            family.close()
        if self.server is not None:
            self.server.stop()


def _family_module(family: str) -> Any:
    return importlib.import_module(f"pickconform.{family}.target")


def embedded_name(mutant: str | None = None, variant: str | None = None) -> str:
    if mutant:
        return f"reference (mutant {mutant})"
    return f"reference (variant {variant})" if variant else "reference"


def start_embedded(
    families: Iterable[str],
    run: RunContext,
    mutant: str | None = None,
    variant: str | None = None,
    wire: Wire | None = None,
) -> Target:
    """Start the reference implementation on a loopback port, with one deliberate fault if `mutant` is given, or one
    other reading of a silent point if `variant` is."""
    from pickconform.reference.app import Reference
    from pickconform.reference.mutants import Faults
    from pickconform.reference.server import ReferenceServer

    families = tuple(families)
    server = ReferenceServer(Reference(Faults(*[n for n in (mutant, variant) if n]), families=families)).start()
    wire = wire or Wire()
    name = embedded_name(mutant, variant)
    available = server.reference.families
    return Target(
        name=name,
        run=run,
        families={f: _family_module(f).embedded(server, wire) for f in families if f in available},
        wire=wire,
        server=server,
    )


@dataclass
class _Unstarted:
    """Stands in for the embedded server in a replay: the reference's families (for their tenants and client ids)
    without a socket, at the placeholder origin the cassettes were canonicalised to."""

    url: str
    reference: Any


def replay_target(families: Iterable[str], run: RunContext, origin: str, wire: Wire, name: str = "replay") -> Target:
    """The embedded target's families, built exactly as for a live run, but with no server: every request they send
    must be answered from a cassette."""
    from pickconform.reference.app import Reference

    families = tuple(families)
    server = _Unstarted(origin, Reference(families=families))
    available = server.reference.families
    resolved = {f: _family_module(f).embedded(server, wire) for f in families if f in available}
    for family_target in resolved.values():
        family_target.offline = True
    return Target(name=name, run=run, families=resolved, wire=wire)


def connect(profile: Profile, run: RunContext, families: Iterable[str], wire: Wire | None = None) -> Target:
    """Resolve a profile's families into targets and check that each can be reached and accepts our credentials."""
    wire = wire or Wire()
    resolved: dict[str, FamilyTarget] = {}
    try:
        for family in families:
            if family in profile.families:
                where = f"{profile.path}: [{family}]"
                resolved[family] = _family_module(family).from_settings(profile.families[family], where, wire)
                resolved[family].preflight()
    except ProfileError:
        for family_target in resolved.values():
            family_target.close()
        raise
    return Target(name=profile.target.name, run=run, families=resolved, wire=wire, profile=profile)

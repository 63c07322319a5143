"""Targets: where the suite's requests go. The embedded reference implementation, or a remote one from a profile:
resolving either into the families' targets.

Each registered API family's descriptor (`pickconform.registry.Family`) builds its target:
- `embedded(base_url, handed, wire)`: on the embedded reference, from what the family's reference handed the suite;
- `from_settings(settings, where, wire)`: from its profile section (secrets from the environment);
and the family target implements `pickconform.family.target.FamilyTarget` (`preflight()`, `close()`, and the names
of its parts: role URLs, tenants, credential slots), so no code outside a family asks which family it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pickconform.determinism import RunContext
from pickconform.family.profile import Profile, ProfileError
from pickconform.family.target import FamilyTarget
from pickconform.http.client import ExchangeLog, Wire
from pickconform.registry import family as registered_family

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
    return Target(
        name=name,
        run=run,
        families=_embedded_families(server, families, wire),
        wire=wire,
        server=server,
    )


def _embedded_families(server: Any, families: tuple[str, ...], wire: Wire) -> dict[str, FamilyTarget]:
    """Each family's target on the embedded reference, from what the family's reference hands the suite."""
    references = server.reference.families
    return {
        f: registered_family(f).embedded(f"{server.url}/{f}", references[f].handed, wire)
        for f in families
        if f in references
    }


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
    resolved = _embedded_families(_Unstarted(origin, Reference(families=families)), families, wire)
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
                settings = profile.families[family]
                resolved[family] = registered_family(family).from_settings(settings, where, wire)
                resolved[family].preflight()
    except ProfileError:
        for family_target in resolved.values():
            family_target.close()
        raise
    return Target(name=profile.target.name, run=run, families=resolved, wire=wire, profile=profile)

"""The reference implementation of all three API families, composed into one ASGI app.

Each family is mounted under its own prefix (`/clarus`, `/butler`, `/emporix`), as if it were its own vendor host;
each registered family's descriptor builds its part (`pickconform.registry`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterable

from starlette.applications import Starlette
from starlette.routing import Mount

from pickconform.family.reference import FamilyReference
from pickconform.reference.mutants import Faults
from pickconform.registry import registered


def available_families() -> tuple[str, ...]:
    return tuple(registered())


class Reference:
    def __init__(
        self, faults: Faults | None = None, *, families: Iterable[str] | None = None, demo_credentials: bool = False
    ) -> None:
        self.faults = faults or Faults()
        wanted = available_families() if families is None else tuple(f for f in available_families() if f in families)
        self.families: dict[str, FamilyReference] = {
            name: registered()[name].reference(self.faults, demo_credentials) for name in wanted
        }

        @contextlib.asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            for family in self.families.values():
                family.start()
            yield

        mounts = [Mount(f"/{name}", app=family.app) for name, family in self.families.items()]
        for mount in mounts:  # a path with a line break in it still reaches its family, which answers for it
            mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
        self.app = Starlette(routes=mounts, lifespan=lifespan)

    def close(self) -> None:
        for family in self.families.values():
            family.close()

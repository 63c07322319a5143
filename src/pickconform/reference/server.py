"""Run the reference implementation on a real loopback port, in a background thread of the suite's process."""

from __future__ import annotations

from pickconform.http.loopback import LoopbackServer
from pickconform.reference.app import Reference


class ReferenceServer(LoopbackServer):
    """The embedded target: started by the suite itself; every request reaches it over real HTTP."""

    def __init__(self, reference: Reference, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(reference.app, host, port, lifespan="on", name="the reference implementation")
        self.reference = reference

    def stop(self) -> None:
        super().stop()
        self.reference.close()

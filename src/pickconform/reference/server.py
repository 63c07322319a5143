"""Run the reference implementation on a real loopback socket, in a background thread of the suite's process."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn

from pickconform.reference.app import Reference


class ReferenceServer:
    """The embedded target: started by the suite itself; every request reaches it over real HTTP."""

    def __init__(self, reference: Reference, host: str = "127.0.0.1", port: int = 0) -> None:
        self.reference = reference
        # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets that say they are TCP, and without that
        # every response waits ~40 ms for the client's delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(reference.app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ReferenceServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the reference implementation did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()
        self.reference.close()

    def __enter__(self) -> ReferenceServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

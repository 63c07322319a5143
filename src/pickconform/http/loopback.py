"""An ASGI app served by uvicorn on a real loopback socket, in a background thread of the suite's process.

Used for the embedded reference implementation and for the Butler notification receiver: both are reached over
real HTTP, never in-process, so every byte crosses a socket as it would with a remote target.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import Literal, Self

import uvicorn
from starlette.types import ASGIApp


class _OneLineErrors(logging.Filter):
    """An exception in a served app (a crash mutant's, say) is logged as one line, without its traceback: in
    Python 3.11, formatting a traceback parses source with `ast`, whose recursion counter is shared between threads,
    so a server thread doing it while pytest formats a failure in the main thread breaks pytest (SystemError)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage().rstrip()}: {type(error).__name__}: {error}"
            record.args, record.exc_info, record.exc_text = None, None, None
        return True


logging.getLogger("uvicorn.error").addFilter(_OneLineErrors())


class LoopbackServer:
    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        lifespan: Literal["on", "off"] = "off",
        name: str = "the loopback server",
    ) -> None:
        self.name = name
        # IPPROTO_TCP explicitly, and TCP_NODELAY: accepted sockets inherit it, and without it every response
        # body waits ~40 ms for the client's delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, port))
        self.host, self.port = self._socket.getsockname()[:2]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan=lifespan)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

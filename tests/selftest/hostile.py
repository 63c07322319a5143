"""A server that misbehaves in one way on every request (but the preflight's `GET /`, so the run gets past it), for the
hostile-target matrix: the suite must end in bounded time and memory with an honest report whatever it gets."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import socketserver
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MODES = (
    "hang",  # reads the request, never answers
    "close",  # reads the request, closes the connection
    "5xx",
    "non-json-as-json",
    "html",
    "huge-body",  # 10 MB of JSON on every response
    "redirect-loop",
    "truncated",  # Content-Length promises more than is sent
    "slow-drip",  # one byte a second
    "gzip-bomb",  # ~1 GB of zeros, ~1 MB on the wire
    "empty-body",
    "wrong-shape",
)


@functools.cache
def _gzip_bomb() -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: a gzip container
    block = bytes(1024 * 1024)
    return b"".join(compressor.compress(block) for _ in range(1024)) + compressor.flush()


def _answer(status: str, body: bytes, content_type: str = "application/json", extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{extra}"
    return head.encode() + b"Connection: close\r\n\r\n" + body


class _Handler(socketserver.StreamRequestHandler):
    mode = ""
    stop: threading.Event

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client gave up on us: that is the point
            self._handle()

    def _handle(self) -> None:
        request_line = self.rfile.readline(65536).decode("latin-1")
        length = 0
        while (line := self.rfile.readline(65536)) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip() or 0)
        self.rfile.read(min(length, 10 * 1024 * 1024))
        method, path = ([*request_line.split(), "", ""])[:2]
        if method == "GET" and path == "/":
            self.wfile.write(_answer("200 OK", b"{}"))  # the preflight: any HTTP answer
            return
        mode = self.mode
        if mode == "hang":
            self.stop.wait(120)
        elif mode == "close":
            return
        elif mode == "5xx":
            self.wfile.write(_answer("500 Internal Server Error", b'{"error": "boom"}'))
        elif mode == "non-json-as-json":
            self.wfile.write(_answer("200 OK", b"this is {not json"))
        elif mode == "html":
            self.wfile.write(_answer("200 OK", b"<html><body>Welcome</body></html>", "text/html"))
        elif mode == "huge-body":
            self.wfile.write(_answer("200 OK", json.dumps({"data": "x" * 10_000_000}).encode()))
        elif mode == "redirect-loop":
            self.wfile.write(_answer("302 Found", b"", extra=f"Location: {path}\r\n"))
        elif mode == "truncated":
            self.wfile.write(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"da')
        elif mode == "slow-drip":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
            for _ in range(100):
                if self.stop.wait(1):
                    return
                self.wfile.write(b" ")
                self.wfile.flush()
        elif mode == "gzip-bomb":
            self.wfile.write(_answer("200 OK", _gzip_bomb(), extra="Content-Encoding: gzip\r\n"))
        elif mode == "empty-body":
            self.wfile.write(_answer("200 OK", b""))
        elif mode == "wrong-shape":
            self.wfile.write(_answer("200 OK", b'[{"unexpected": true}]'))


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def hostile_server(mode: str) -> Iterator[str]:
    """Serve `mode` on a loopback port; yields the base URL."""
    stop = threading.Event()
    if mode == "gzip-bomb":
        _gzip_bomb()  # made once, before the first request, not by several handler threads at once
    handler = type("Handler", (_Handler,), {"mode": mode, "stop": stop})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> str:
    """A loopback URL nothing listens on (the 'refused' mode)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    time.sleep(0.01)
    return f"http://127.0.0.1:{port}"


@dataclass(frozen=True)
class ChildRun:
    status: int
    output: str
    wall: float  # seconds
    rss: int  # the child's own peak resident set, bytes


def run_measured(command: list[str], env: dict[str, str], kill_after: float) -> ChildRun:
    """Run the suite in a child process, killed after `kill_after` seconds; its exit status, output, wall time and
    peak RSS (wait4 reports this child's own; RUSAGE_CHILDREN would be the largest child of the worker so far)."""
    started = time.monotonic()
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **env}
    )
    killer = threading.Timer(kill_after, child.kill)
    killer.start()
    try:
        assert child.stdout is not None
        output = child.stdout.read().decode(errors="replace")
        _, status, usage = os.wait4(child.pid, 0)
    finally:
        killer.cancel()
        child.stdout.close()  # type: ignore[union-attr]
    wall = time.monotonic() - started
    return ChildRun(os.waitstatus_to_exitcode(status), output, wall, usage.ru_maxrss * 1024)

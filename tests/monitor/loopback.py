"""Small HTTP servers on loopback addresses for the run tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread


@contextmanager
def serving(
    handler: type[BaseHTTPRequestHandler], hosts: tuple[str, ...] = ("127.0.0.1", "127.0.0.2")
) -> Iterator[list[str]]:
    """``handler`` served on each of ``hosts`` (different hosts, different sites); the
    base URLs, in the order of ``hosts``."""
    servers = [ThreadingHTTPServer((host, 0), handler) for host in hosts]
    for server in servers:
        Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()

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


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that answers a page in one call and keeps its log to itself."""

    def send_page(self, status: int, body: bytes, content_type: str = "text/html") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass

"""A loopback HTTP(S) server for check tests, with one handler per path.

Each route answers with a :class:`Reply` (status, headers, body as bytes or chunks,
an optional pause between chunks) or takes over the raw connection through a
:class:`Raw` callback (resets, stalls). Every request is logged, so tests can assert
what was, and was not, sent.
"""

from __future__ import annotations

import itertools
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    """A response. ``body`` may be an iterable of chunks, streamed with ``pause``."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    content_type: str | None = "text/html; charset=utf-8"
    length: int | None = None  # Content-Length for streamed bodies
    pause: float = 0.0  # seconds between chunks (waits on the server's stop event)


@dataclass(frozen=True)
class Raw:
    """Full control of the connection: ``act(handler)`` writes (or doesn't) itself."""

    act: Callable[[BaseHTTPRequestHandler], None]


Route = Callable[[Seen], Reply | Raw]


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a route table (exact paths)."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route | None = None
        self.log: list[Seen] = []
        self.bytes_sent = 0
        self.stop_event = threading.Event()
        self._lock = threading.Lock()
        handler = _make_handler(self)
        self.httpd = _QuietServer(("127.0.0.1", 0), handler)
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def route(self, path: str, route: Route | Reply) -> None:
        """Answer ``path`` with a fixed reply or a function of the request."""
        self.routes[path] = route if callable(route) else (lambda _seen, r=route: r)

    def sequence(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` with these replies in turn, repeating the last one."""
        counter = itertools.count()

        def next_reply(_seen: Seen) -> Reply:
            return replies[min(next(counter), len(replies) - 1)]

        self.routes[path] = next_reply

    def requests_to(self, path: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.log if seen.path == path]

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.log.append(seen)

    def _count(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients hang up mid-body on purpose in these tests (caps, deadlines).
        pass


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve()

        def do_HEAD(self) -> None:
            self._serve()

        def _serve(self) -> None:
            seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()})
            server._record(seen)
            route = server.routes.get(self.path.split("?", 1)[0]) or server.fallback
            if route is None:
                answer: Reply | Raw = Reply(404, body=b"<title>404</title>no such route")
            else:
                answer = route(seen)
            if isinstance(answer, Raw):
                answer.act(self)
                self.close_connection = True
                return
            self._reply(answer)

        def _reply(self, reply: Reply) -> None:
            body = reply.body
            self.send_response(reply.status)
            if reply.content_type is not None:
                self.send_header("Content-Type", reply.content_type)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                self.send_header("Content-Length", str(len(body)))
            elif reply.length is not None:
                self.send_header("Content-Length", str(reply.length))
            else:
                self.close_connection = True
            self.end_headers()
            if self.command == "HEAD":
                return
            chunks = [body] if isinstance(body, bytes) else body
            try:
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    server._count(len(chunk))
                    if reply.pause and server.stop_event.wait(reply.pause):
                        break
            except OSError:
                self.close_connection = True  # the client hung up: expected

    return Handler


# --- raw behaviours ---


def reset_connection(handler: BaseHTTPRequestHandler) -> None:
    """Close with an RST (SO_LINGER 0) before answering."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def stall(server: LoopbackServer) -> Raw:
    """Read the request, then say nothing until the server stops."""

    def act(_handler: BaseHTTPRequestHandler) -> None:
        server.stop_event.wait(10)

    return Raw(act)


def zeros(total: int, chunk: int = 64 * 1024) -> Iterable[bytes]:
    """``total`` zero bytes, generated on the fly (never held in memory at once)."""
    block = b"\0" * chunk
    sent = 0
    while sent < total:
        n = min(chunk, total - sent)
        yield block[:n]
        sent += n


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port

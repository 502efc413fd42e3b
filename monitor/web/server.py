"""A small read-only HTTP server for the dashboard, the status, badges and metrics."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from monitor.web.app import Response, error_page, respond
from monitor.workspace import Workspace

log = logging.getLogger("monitor.web")

ALLOWED = "GET, HEAD"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}

WorkspaceFactory = Callable[[], Workspace]
# Control characters a client can put in its request line, written as escapes in the
# log: raw, they could forge log lines or drive the terminal reading the log.
_CONTROL = str.maketrans({c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))})


def loggable(text: str) -> str:
    """``text`` with every control character written as an escape."""
    return text.translate(_CONTROL)


class DashboardServer(ThreadingHTTPServer):
    """Serves pages rendered from the store of the workspace the factory gives."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], workspace_factory: WorkspaceFactory) -> None:
        self.workspace_factory = workspace_factory
        super().__init__(address, DashboardHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}/"


class DashboardHandler(BaseHTTPRequestHandler):
    server: DashboardServer
    server_version = "citation-monitor"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(self._response(), body=True)

    def do_HEAD(self) -> None:
        self._answer(self._response(), body=False)

    def __getattr__(self, name: str) -> Any:
        # Every other method (POST, PUT, DELETE, PATCH, OPTIONS, made-up ones) is refused
        # with 405 rather than the default 501: the resource exists, it is read-only.
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        response = error_page(405, "This server is read-only: GET and HEAD only.")
        self._answer(response, body=True, extra={"Allow": ALLOWED})

    def _response(self) -> Response:
        path = unquote(urlsplit(self.path).path)
        try:
            return respond(self.server.workspace_factory(), path)
        except Exception:
            log.exception("error answering %s", loggable(path))
            return error_page(500, "The server could not answer; see its log.")

    def _answer(
        self, response: Response, *, body: bool, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.send_header("Content-Security-Policy", response.policy)
        for name, value in {**SECURITY_HEADERS, **response.headers, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), loggable(format % args))


def make_server(
    workspace_factory: WorkspaceFactory, host: str = "127.0.0.1", port: int = 8080
) -> ThreadingHTTPServer:
    """A read-only server bound to ``host:port`` (loopback by default; port 0 picks a
    free one). ``workspace_factory`` is called once per request; see
    :class:`WorkspaceLoader` for one that reloads the registry when it changes."""
    server = DashboardServer((host, port), workspace_factory)
    log.info("dashboard on %s", server.url)
    return server


def serve_forever(server: ThreadingHTTPServer) -> None:
    """Serve until interrupted (Ctrl-C) or ``server.shutdown()``, then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def serve_in_background(server: ThreadingHTTPServer) -> threading.Thread:
    """Serve from a daemon thread; stop with ``server.shutdown()`` then ``thread.join()``."""
    thread = threading.Thread(
        target=serve_forever, args=(server,), name="dashboard-server", daemon=True
    )
    thread.start()
    return thread


class WorkspaceLoader:
    """A workspace factory that loads the registry once and again whenever the registry
    file or one of its documents changes on disk (the previous workspace is closed)."""

    def __init__(self, registry_path: Path, **overrides: Any) -> None:
        self.registry_path = registry_path
        self.overrides = overrides
        self._lock = threading.Lock()
        self._workspace: Workspace | None = None
        self._stamp: tuple[int, ...] = ()

    def _stamp_of(self, workspace: Workspace | None) -> tuple[int, ...]:
        paths = [self.registry_path]
        if workspace is not None:
            paths += [d.path for d in workspace.registry.documents]
        return tuple(_mtime(p) for p in paths)

    def __call__(self) -> Workspace:
        with self._lock:
            current = self._workspace
            stamp = self._stamp_of(current)
            if current is not None and stamp == self._stamp:
                return current
            try:
                fresh = Workspace.load(self.registry_path, **self.overrides)
                fresh.store()  # open the database once, here, not racing in requests
            except Exception:
                if current is None:
                    raise
                # A half-edited registry: keep serving the last good one until it is fixed.
                log.exception("registry %s not reloaded", self.registry_path)
                self._stamp = stamp
                return current
            self._workspace, self._stamp = fresh, self._stamp_of(fresh)
            if current is not None:
                current.close()
            return fresh

    def close(self) -> None:
        with self._lock:
            if self._workspace is not None:
                self._workspace.close()
                self._workspace = None


def _mtime(path: Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return -1

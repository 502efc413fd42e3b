"""The read-only web server: dashboard pages, status JSON, badges, metrics."""

from monitor.web.server import (
    DashboardServer,
    WorkspaceLoader,
    make_server,
    serve_forever,
    serve_in_background,
)

__all__ = [
    "DashboardServer",
    "WorkspaceLoader",
    "make_server",
    "serve_forever",
    "serve_in_background",
]

"""What the read-only web server answers for each path; no sockets here.

Pages are rendered on request from the stored results; nothing here runs a check or
writes a result.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from prometheus_client import CONTENT_TYPE_LATEST

from monitor.dashboard import (
    CONTENT_SECURITY_POLICY,
    page_name,
    render_document,
    render_index,
    render_source,
)
from monitor.dashboard.render import csp_hash
from monitor.publish import document_page
from monitor.web.badge import badge
from monitor.web.metrics import metrics_text

if TYPE_CHECKING:
    from monitor.workspace import Workspace

HTML = "text/html; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
# For answers that are not pages: nothing may load or run.
NO_CONTENT_POLICY = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DASHBOARD_POLICY = f"{CONTENT_SECURITY_POLICY}; frame-ancestors 'none'"

_PAGE = re.compile(r"/(sources|documents|published)/([^/]+)\.html")
_BADGE = re.compile(r"/api/badge/([^/]+)\.json")
_HEAD_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes
    policy: str = NO_CONTENT_POLICY
    headers: dict[str, str] = field(default_factory=dict)


def _html(page: str, status: int = 200, policy: str = DASHBOARD_POLICY) -> Response:
    return Response(status, HTML, page.encode("utf-8"), policy)


def _json(value: Any, status: int = 200) -> Response:
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    return Response(status, JSON, text.encode("utf-8"))


def error_page(status: int, message: str) -> Response:
    """A small plain page for errors, with the message escaped."""
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{status}</title></head><body><main><h1>{status}</h1>"
        f'<p>{escape(message)}</p><p><a href="/">Dashboard</a></p></main></body></html>'
    )
    return Response(status, HTML, page.encode("utf-8"))


def not_found(what: str = "No such page.") -> Response:
    return error_page(404, what)


def respond(workspace: Workspace, path: str) -> Response:
    """The answer to a GET of ``path`` (no query string)."""
    if path == "/favicon.ico":
        return Response(204, TEXT, b"")  # no icon; saves browsers a logged 404
    if path == "/healthz":
        workspace.store().last_run()  # the database answers
        return Response(200, TEXT, b"ok\n")
    now = workspace.now()
    if path in ("/", "/index.html"):
        return _html(render_index(workspace, workspace.status(), now))
    if path == "/api/status.json":
        return _json(workspace.status())
    if path == "/metrics":
        return Response(200, CONTENT_TYPE_LATEST, metrics_text(workspace, workspace.status(), now))
    if match := _BADGE.fullmatch(path):
        found = badge(workspace.status(), match.group(1))
        if found is None:
            return _json(
                {
                    "schemaVersion": 1,
                    "label": "citations",
                    "message": "unknown document",
                    "color": "lightgrey",
                    "isError": True,
                },
                404,
            )
        return _json(found)
    if match := _PAGE.fullmatch(path):
        return _page(workspace, match.group(1), match.group(2))
    return not_found()


def _page(workspace: Workspace, kind: str, name: str) -> Response:
    registry = workspace.registry
    if kind == "sources":
        ids = {page_name(s.id): s.id for s in registry.sources}
    else:
        ids = {page_name(d.id): d.id for d in registry.documents}
    wanted = ids.get(name)
    if wanted is None:
        return not_found(f"No {kind[:-1]} with that name.")
    status = workspace.status()
    now = workspace.now()
    if kind == "sources":
        return _html(render_source(workspace, status, wanted, now))
    if kind == "documents":
        return _html(render_document(workspace, status, wanted, now))
    return _published(workspace, status, wanted)


def _published(workspace: Workspace, status: dict[str, Any], document_id: str) -> Response:
    """The published fact sheet, as ``publish`` writes it, rendered now."""
    document = next(d for d in workspace.registry.documents if d.id == document_id)
    # As ``publish`` writes it into its default folder: the same title, language,
    # pictures and links to the other documents (served beside it).
    page = document_page(workspace, status, document, workspace.reports_dir / "published")
    return _html(page, policy=published_policy(page))


def published_policy(page: str) -> str:
    """A policy for a published page: its own head stylesheet, no script at all."""
    head = page.split("</head>", 1)[0]
    styles = " ".join(csp_hash(m.group(1)) for m in _HEAD_STYLE.finditer(head)) or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; script-src 'none'; img-src https: data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )

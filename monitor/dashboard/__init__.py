"""The maintainers' dashboard: static, self-contained HTML pages from stored results."""

from monitor.dashboard.names import document_page, page_name, source_page
from monitor.dashboard.render import (
    CONTENT_SECURITY_POLICY,
    render_document,
    render_index,
    render_source,
)
from monitor.dashboard.write import write_dashboard

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "document_page",
    "page_name",
    "render_document",
    "render_index",
    "render_source",
    "source_page",
    "write_dashboard",
]

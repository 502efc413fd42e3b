"""The maintainers' dashboard: self-contained HTML pages from stored results.

Every value from the registry, the documents or the network reaches the page through
Jinja2's autoescaping, or through the markup :mod:`~monitor.dashboard.cells`,
:mod:`~monitor.dashboard.chart` and :mod:`~monitor.dashboard.sourcemain` build, which
escape every value themselves (anything added there must too); the only other
unescaped inserts are the package's own stylesheet and script, and JSON made by
:func:`~monitor.dashboard.jsonblock.json_for_html`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator, Mapping
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from checks.model import FAILING_VERDICTS
from monitor.dashboard import dates
from monitor.dashboard.cells import index_row, link, verdict_pill
from monitor.dashboard.data import (
    Facts,
    SourceHistory,
    index_facts,
    source_history,
)
from monitor.dashboard.jsonblock import json_for_html
from monitor.dashboard.names import document_page, page_name
from monitor.dashboard.sourcemain import CitedIn, SourceView, source_main
from monitor.dashboard.timeline import build_timeline
from monitor.dashboard.views import (
    HEALTH_MARKS,
    document_citations,
    document_summaries,
    document_titles,
    document_unmonitored,
    index_rows,
    owner_of,
    summarise,
)
from monitor.publish.marks import mark_for
from monitor.state import Health

if TYPE_CHECKING:
    from monitor.workspace import Workspace

RECENT_RESULTS = 50


def _asset(name: str) -> str:
    return resources.files("monitor.dashboard").joinpath("assets", name).read_text("utf-8")


CSS = _asset("dashboard.css")
SCRIPT = _asset("dashboard.js")


def csp_hash(text: str) -> str:
    """The CSP source expression allowing one inline element with exactly ``text``."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


# Only the package's own stylesheet and script may run; no inline style attributes, no
# other origin, no forms, no base URL. Static pages carry it in a <meta> element.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        f"style-src {csp_hash(CSS)}",
        f"script-src {csp_hash(SCRIPT)}",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
    )
)


# --- filters --------------------------------------------------------------------------


def _verdict_kind(key: str) -> str:
    return "unchecked" if key == "unchecked" else mark_for(key).kind.value


_env = Environment(
    loader=PackageLoader("monitor.dashboard", "templates"),
    # The templates ship with the package: looking for changed files before every page
    # (four templates, two stat calls each) costs more than some pages take to render.
    auto_reload=False,
    autoescape=True,
    trim_blocks=False,
    keep_trailing_newline=True,
)
_env.globals.update(link=link, verdict_pill=verdict_pill, index_row=index_row)
_env.filters.update(when=dates.when, verdict_kind=_verdict_kind)


def _page(
    template: str, *, root: str, status: Mapping[str, Any], now: datetime, **context: Any
) -> str:
    return "".join(_page_parts(template, root=root, status=status, now=now, **context))


def _page_parts(
    template: str, *, root: str, status: Mapping[str, Any], now: datetime, **context: Any
) -> Iterator[str]:
    """The page in pieces as rendered, so a large one can be written without ever
    holding all of it."""
    return _env.get_template(template).generate(
        csp=CONTENT_SECURITY_POLICY,
        css=Markup(CSS),  # the package's own stylesheet, not data
        root=root,
        now=now,
        generated=status.get("generated_at"),
        run=status.get("run"),
        **context,
    )


# --- pages ----------------------------------------------------------------------------


def index_html(
    workspace: Workspace, status: Mapping[str, Any], facts: Mapping[str, Facts], now: datetime
) -> str:
    """The index page from the status document and each source's facts."""
    return "".join(index_parts(workspace, status, facts, now))


def index_parts(
    workspace: Workspace, status: Mapping[str, Any], facts: Mapping[str, Facts], now: datetime
) -> Iterator[str]:
    """The index page in pieces, to be written as it is rendered."""
    rows = index_rows(status, workspace.registry, facts)
    documents = document_summaries(status)
    owner_ids = sorted({r.owner_id for r in rows if r.owner_id})
    names = {o.id: o.name for o in workspace.registry.owners}
    data = {
        "rows": [r.data() for r in rows],
        "failing": sorted(v.value for v in FAILING_VERDICTS),
    }
    return _page_parts(
        "index.html.j2",
        root="",
        status=status,
        now=now,
        rows=rows,
        summary=summarise(rows),
        documents=documents,
        owners=[(o, names.get(o, o)) for o in owner_ids],
        data=json_for_html(data),
        js=Markup(SCRIPT),  # the package's own script, not data
    )


def render_index(workspace: Workspace, status: Mapping[str, Any], now: datetime) -> str:
    """The index page, reading each source's facts from the store."""
    ids = [str(e["id"]) for e in status["sources"]]
    return index_html(workspace, status, index_facts(workspace.store(), ids, now), now)


def _entry(status: Mapping[str, Any], source_id: str) -> Mapping[str, Any]:
    for entry in status["sources"]:
        if entry["id"] == source_id:
            return entry  # type: ignore[no-any-return]
    raise KeyError(source_id)


def source_html(
    workspace: Workspace,
    status: Mapping[str, Any],
    source_id: str,
    history: SourceHistory,
    now: datetime,
    *,
    entry: Mapping[str, Any] | None = None,
) -> str:
    """A source's page from its status entry and its history. Pass ``entry`` when the
    caller already holds it: finding it in ``status`` is a search of every source."""
    if entry is None:
        entry = _entry(status, source_id)
    titles = document_titles(status)
    owner_id = owner_of(entry, workspace.registry)
    names = {o.id: o.name for o in workspace.registry.owners}
    facts = history.facts if history.checks else None
    health = facts.health.value if facts else Health.UNKNOWN.value
    citations = [
        CitedIn(
            href="../" + document_page(c["document"]),
            title=titles.get(c["document"], c["document"]),
            line=c["line"],
            footnote=c.get("footnote"),
            text=c.get("text"),
        )
        for c in entry.get("citations", [])
    ]
    title = entry.get("title") or source_id
    view = SourceView(
        entry=entry,
        title=title,
        mark=mark_for(entry.get("verdict")),
        health=HEALTH_MARKS[health],
        facts=facts,
        owner_name=names.get(owner_id or "", owner_id),
        history=history,
        timeline=build_timeline(history.points, history.spans, now),
        recent=list(reversed(history.points[-RECENT_RESULTS:])),
        citations=citations,
    )
    return _page(
        "source.html.j2",
        root="../",
        status=status,
        now=now,
        title=title,
        page=page_name(source_id) + ".html",
        main=source_main(view, now),
    )


def render_source(
    workspace: Workspace, status: Mapping[str, Any], source_id: str, now: datetime
) -> str:
    """A source's page, reading its history from the store. KeyError for an unknown id."""
    url = str(_entry(status, source_id).get("url") or "")
    history = source_history(workspace.store(), source_id, url, now)
    return source_html(workspace, status, source_id, history, now)


def render_document(
    workspace: Workspace, status: Mapping[str, Any], document_id: str, now: datetime
) -> str:
    """A document's page: its citations in order with their states. KeyError if unknown."""
    document = next((d for d in status.get("documents", []) if d["id"] == document_id), None)
    if document is None:
        raise KeyError(document_id)
    citations = document_citations(status, document_id, root="../")
    return _page(
        "document.html.j2",
        root="../",
        status=status,
        now=now,
        document={**document, "title": document.get("title") or document_id},
        page=page_name(document_id) + ".html",
        citations=citations,
        failing=sum(1 for c in citations if c.entry.get("failing")),
        unmonitored=document_unmonitored(status, document_id),
    )

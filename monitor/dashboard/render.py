"""The maintainers' dashboard: self-contained HTML pages from stored results.

Every value from the registry, the documents or the network reaches the page through
Jinja2's autoescaping; the only unescaped inserts are the package's own stylesheet and
script, and JSON made by :func:`~monitor.dashboard.jsonblock.json_for_html`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from checks.model import FAILING_VERDICTS
from monitor.dashboard.data import (
    Facts,
    SourceHistory,
    inconclusive_runs,
    index_facts,
    source_histories,
    source_history,
)
from monitor.dashboard.forked import BATCH, map_shares, worker_count
from monitor.dashboard.jsonblock import json_for_html
from monitor.dashboard.names import DOCUMENTS, SOURCES, document_page, page_name, source_page
from monitor.dashboard.timeline import build_timeline, format_ms
from monitor.dashboard.views import (
    HEALTH_MARKS,
    document_citations,
    document_summaries,
    document_titles,
    index_rows,
    owner_of,
    summarise,
    verdict_text,
    web_url,
)
from monitor.publish.marks import mark_for
from monitor.state import Health
from monitor.store import Store

if TYPE_CHECKING:
    from monitor.dashboard.live import LivePages
    from monitor.workspace import Workspace

RECENT_RESULTS = 50
# Source pages a forked worker must have to be worth starting.
PAGES_PER_WORKER = 300
# Unasked, forked workers render at most this many pages: each one's copy of what it
# touches (a few KB a page) stays small; the registry's ``processes`` lifts the bound.
AUTO_FORK_MAX_PAGES = 5000


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


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _when(value: Any) -> str:
    at = _datetime(value)
    return at.strftime("%Y-%m-%d %H:%M") if at else str(value or "")


def _clock(value: Any) -> str:
    at = _datetime(value)
    return at.strftime("%H:%M") if at else ""


def _day(value: Any) -> str:
    at = _datetime(value)
    return at.strftime("%Y-%m-%d") if at else str(value or "")


def _age(value: Any, now: datetime) -> str:
    """How long ago, in the largest whole unit: ``3 days ago``."""
    at = _datetime(value)
    if at is None:
        return ""
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def _percent(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 1:
        return "100%"
    return f"{value * 100:.1f}%"


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
_env.filters.update(
    when=_when,
    day=_day,
    clock=_clock,
    age=_age,
    ms=format_ms,
    percent=_percent,
    href=web_url,
    verdict_text=verdict_text,
    verdict_kind=_verdict_kind,
    mark=mark_for,
)


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
    return "".join(_index_parts(workspace, status, facts, now))


def _index_parts(
    workspace: Workspace, status: Mapping[str, Any], facts: Mapping[str, Facts], now: datetime
) -> Iterator[str]:
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
        {
            "href": "../" + document_page(c["document"]),
            "title": titles.get(c["document"], c["document"]),
            "line": c["line"],
            "footnote": c.get("footnote"),
            "text": c.get("text"),
        }
        for c in entry.get("citations", [])
    ]
    return _page(
        "source.html.j2",
        root="../",
        status=status,
        now=now,
        s=entry,
        title=entry.get("title") or source_id,
        page=page_name(source_id) + ".html",
        mark=mark_for(entry.get("verdict")),
        health=HEALTH_MARKS[health],
        facts=facts,
        owner_name=names.get(owner_id or "", owner_id),
        archive=entry.get("archive"),
        history=history,
        timeline=build_timeline(history.points, history.spans, now),
        recent=list(reversed(history.points[-RECENT_RESULTS:])),
        citations=citations,
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
    )


# --- writing the static dashboard -------------------------------------------------------

# Present in the dashboard's folder while it is being written: pages are rewritten in
# place, so if it is still there when the next dashboard starts, the last one was cut
# short and every page is written again, also those a partial update would keep.
UNFINISHED = ".unfinished"
_log = logging.getLogger(__name__)
# Held while a dashboard is written, by whichever process writes it.
LOCK = ".lock"


def write_page(path: Path, text: str | Iterable[str]) -> Path:
    """Write a page whole or from its pieces into its existing folder, over the page of
    the previous run if there is one.

    The page is rewritten in place rather than through a temporary file renamed over
    it, and cut to its new length only once written rather than emptied first: a
    rename deletes a file and creates one, emptying a file frees its blocks and
    writing allocates them again, and on some file systems (ext4 without a journal
    looks past every recently freed inode and block) either costs several times the
    rendering. A reader opening a page at the moment it is written may see it cut
    short or followed by the end of the old page; a write cut short by a crash is
    mended by the next dashboard (see :data:`UNFINISHED`).
    """
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666), "wb") as out:
        if isinstance(text, str):
            out.write(text.encode("utf-8"))
        else:
            for piece in text:
                out.write(piece.encode("utf-8"))
        out.truncate()  # what is left of a longer old page
    return path


def _prune(folder: Path, keep: set[Path]) -> None:
    """Remove pages of sources or documents no longer in the registry."""
    if folder.is_dir():
        for page in folder.glob("*.html"):
            if page not in keep:
                page.unlink()


def write_dashboard(
    workspace: Workspace,
    status: Mapping[str, Any],
    out_dir: Path,
    now: datetime,
    *,
    only: Collection[str] | None = None,
    processes: int | None = None,
    meanwhile: Callable[[], object] | None = None,
    live: LivePages | None = None,
) -> list[Path]:
    """Write ``index.html``, ``sources/<id>.html`` and ``documents/<id>.html`` into
    ``out_dir`` from ``status`` and the store's history. Returns the pages written.
    ``meanwhile()`` (other output of the run) is called once, while forked workers
    write the source pages when there are any.

    ``only`` limits the source pages rewritten to those sources (the ones a run just
    checked); the pages of the others are kept as they are, so a run costs what it
    checked, not the whole history of the registry. Many source pages are shared out to
    forked workers (:mod:`monitor.dashboard.forked`), up to ``processes`` of them; when
    ``processes`` is None, one per core for at most :data:`AUTO_FORK_MAX_PAGES` pages,
    since each worker holds its own copy of what it renders.

    ``live``: the pages written during the run (:mod:`monitor.dashboard.live`); this
    waits for them, writes the rest, and ends them.
    """
    if live is not None and live.lock is not None:
        # Pages were written during the run, which holds the lock and set the mark.
        try:
            live.finish()
            return _write_dashboard(
                workspace,
                status,
                out_dir,
                now,
                only=only,
                processes=processes,
                meanwhile=meanwhile,
                written_live=live.written,
                was_unfinished=live.was_unfinished,
            )
        finally:
            live.close()
    lock = _lock_dashboard(out_dir)
    try:
        return _write_dashboard(
            workspace,
            status,
            out_dir,
            now,
            only=only,
            processes=processes,
            meanwhile=meanwhile,
        )
    finally:
        lock.release()


def _lock_dashboard(out_dir: Path) -> FileLock:
    """The lock of the dashboard in ``out_dir``, taken; waits (and says so in the log)
    while another writer holds it.

    Pages are rewritten in place: two runs writing one dashboard at once (a check from
    the command line while the scheduler runs one) would mix their pages.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        # The other writer may be a run still checking, which writes pages as it goes.
        _log.warning("waiting for another run writing the dashboard in %s (%s)", out_dir, LOCK)
        lock.acquire()
    return lock


def _write_dashboard(
    workspace: Workspace,
    status: Mapping[str, Any],
    out_dir: Path,
    now: datetime,
    *,
    only: Collection[str] | None,
    processes: int | None,
    meanwhile: Callable[[], object] | None,
    written_live: Mapping[str, Path] | None = None,
    was_unfinished: bool | None = None,
) -> list[Path]:
    store = workspace.store()
    unfinished = out_dir / UNFINISHED
    if unfinished.exists() if was_unfinished is None else was_unfinished:
        only = None  # the last write was cut short: any kept page may be cut short too
    unfinished.touch()
    written_live = written_live or {}
    for folder in (SOURCES, DOCUMENTS):
        (out_dir / folder).mkdir(exist_ok=True)
    # Row figures of every source in a few grouped queries, not several per source.
    entries = {str(entry["id"]): entry for entry in status["sources"]}
    facts: dict[str, Facts] = index_facts(store, list(entries), now)
    written: list[Path] = []
    stale: list[tuple[str, str]] = []
    for source_id, entry in entries.items():
        page = out_dir / source_page(source_id)
        if source_id in written_live:
            written.append(written_live[source_id])
        elif only is not None and source_id not in only and page.exists():
            written.append(page)
        else:
            stale.append((source_id, str(entry.get("url") or "")))
    skipped = inconclusive_runs(store)
    url = store.engine.url.render_as_string(hide_password=False)

    def write_share(take: Callable[[], Sequence[tuple[str, str]]], forked: bool) -> list[str]:
        # A forked worker must not use the connections it inherited: it opens its own.
        reader = Store.open(url, migrate=False) if forked else store
        done: list[str] = []
        try:
            while batch := take():
                for source_id, history in source_histories(
                    reader, batch, now, skipped_runs=skipped, facts=facts
                ):
                    entry = entries[source_id]
                    html = source_html(workspace, status, source_id, history, now, entry=entry)
                    done.append(str(write_page(out_dir / source_page(source_id), html)))
        finally:
            if forked:
                reader.close()
        return done

    workers = worker_count(len(stale), minimum_share=PAGES_PER_WORKER)
    if store.in_memory:
        workers = 1  # a forked worker could not open the same database again
    if processes is not None:
        workers = min(workers, processes)
    elif len(stale) > AUTO_FORK_MAX_PAGES:
        workers = 1
    documents: list[Path] = []
    index = out_dir / "index.html"
    # The index appears last, so that it only links to pages that are there. While
    # forked workers write source pages it is written beside them under another name
    # and renamed at the end; otherwise it is streamed last (with thousands of sources
    # it is the largest thing a run writes).
    shared_out = workers > 1
    next_index = index.with_name("index.html.next")
    next_index.unlink(missing_ok=True)  # left by a write that was killed

    def other_pages() -> None:
        # They do not need the source pages, so they are written while those are.
        if meanwhile is not None:
            meanwhile()
        for document in status.get("documents", []):
            html = render_document(workspace, status, document["id"], now)
            documents.append(write_page(out_dir / document_page(document["id"]), html))
        if shared_out:
            write_page(next_index, _index_parts(workspace, status, facts, now))

    # Shared out in batches small enough that a dashboard of a few pages is shared too;
    # one process takes them all at once (their history is read in large chunks).
    batch = min(BATCH, len(stale) // (4 * workers)) if shared_out else len(stale)
    try:
        shares = map_shares(
            write_share, stale, max(1, workers), meanwhile=other_pages, batch=max(1, batch)
        )
    except BaseException:
        next_index.unlink(missing_ok=True)
        raise
    for share in shares:
        written.extend(Path(page) for page in share)
    written.extend(documents)
    _prune(out_dir / SOURCES, set(written))
    _prune(out_dir / DOCUMENTS, set(written))
    if shared_out:
        next_index.replace(index)
    else:
        write_page(index, _index_parts(workspace, status, facts, now))
    written.append(index)
    unfinished.unlink()
    return written

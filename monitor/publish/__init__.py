"""Publishing: each document rendered to a self-contained HTML page with its status."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from monitor.publish.local import LocalLinks
from monitor.publish.render import Relink, first_heading, mark_html, render_document
from monitor.reports.status import SCHEMA_ID

if TYPE_CHECKING:
    from monitor.registry.model import Document
    from monitor.workspace import Workspace

_env = Environment(
    loader=PackageLoader("monitor.publish", "templates"),
    auto_reload=False,  # packaged templates do not change while the program runs
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)


def document_sources(status: Mapping[str, Any], document_id: str) -> list[dict[str, Any]]:
    """The status entries of the sources a document cites, in order of first citation."""
    cited = []
    for entry in status["sources"]:
        lines = [c["line"] for c in entry["citations"] if c["document"] == document_id]
        if lines:
            cited.append((min(lines), entry))
    return [entry for _, entry in sorted(cited, key=lambda pair: pair[0])]


def render_page(
    markdown: str,
    status: Mapping[str, Any],
    document_id: str,
    *,
    title: str,
    publisher: str = "",
    lang: str = "en",
    relink: Relink | None = None,
) -> str:
    """The published page of one document. ``relink`` rewrites the links and images
    written relative to the document for where the page is served from."""
    sources = document_sources(status, document_id)
    checked = sorted(str(s["checked_at"]) for s in sources if s.get("checked_at"))
    run = status.get("run") or {}
    return _env.get_template("document.html.j2").render(
        lang=lang,
        title=title,
        publisher=publisher,
        body=Markup(render_document(markdown, sources, relink=relink)),
        sources=[{**s, "mark_html": Markup(mark_html(s))} for s in sources],
        checked_on=(checked[-1][:10] if checked else "never"),
        run_note=run.get("note") if run.get("inconclusive") else None,
        generated_at=str(status["generated_at"]),
    )


def document_page(
    workspace: Workspace, status: Mapping[str, Any], document: Document, out_dir: Path
) -> str:
    """The published page of ``document``, for the folder ``out_dir`` it is served from
    (its links to files beside the document are made from there)."""
    markdown = document.path.read_text(encoding="utf-8")
    owner = next((o for o in workspace.registry.owners if o.id == document.owner), None)
    pages = {d.path.resolve(): f"{d.id}.html" for d in workspace.registry.documents}
    return render_page(
        markdown,
        status,
        document.id,
        # A registry entry without a title: the tab, bookmarks and search results show
        # the document's own heading, not its id.
        title=document.title or first_heading(markdown) or document.id,
        publisher=owner.name if owner else "",
        lang=document.lang or "en",
        relink=LocalLinks(document.path.parent, out_dir, pages, workspace.base_dir),
    )


def publish_documents(
    workspace: Workspace,
    status: Mapping[str, Any],
    out_dir: Path,
    only: Sequence[str] = (),
) -> Iterable[Path]:
    """Write ``<document-id>.html`` and ``<document-id>.status.json`` for each document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for document in workspace.registry.documents:
        if only and document.id not in only:
            continue
        page = document_page(workspace, status, document, out_dir)
        path = out_dir / f"{document.id}.html"
        _write_atomically(path, page)
        doc_status = {**status, "sources": document_sources(status, document.id)}
        _write_atomically(
            out_dir / f"{document.id}.status.json",
            json.dumps(doc_status, indent=2, ensure_ascii=False) + "\n",
        )
        yield path
    _prune(out_dir, {d.id for d in workspace.registry.documents})


def _prune(out_dir: Path, documents: set[str]) -> None:
    """Remove the pages of documents no longer in the registry, so that a document
    taken out is not still served with its old marks. Only pages published here are
    removed: a ``<id>.html`` beside a ``<id>.status.json`` that is a status document."""
    for status_file in out_dir.glob(f"*{_STATUS_SUFFIX}"):
        document_id = status_file.name.removesuffix(_STATUS_SUFFIX)
        page = out_dir / f"{document_id}.html"
        if document_id in documents or not page.is_file() or not _ours(status_file):
            continue
        page.unlink(missing_ok=True)
        status_file.unlink(missing_ok=True)


_STATUS_SUFFIX = ".status.json"


def _ours(status_file: Path) -> bool:
    try:
        with status_file.open(encoding="utf-8") as file:
            document = json.load(file)
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and document.get("schema") == SCHEMA_ID


def _write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` whole: a web server or reader sees the old page or the new one,
    never half of one, and a failed write leaves the old page in place. The page keeps
    the mode it had; a new one gets the mode a file created in place gets (the umask's)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("x", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise

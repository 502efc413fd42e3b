"""What each dashboard page shows, worked out from the status document and the store's
facts. Pure: no I/O, no markup."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from monitor.dashboard.data import Facts
from monitor.dashboard.names import document_page, source_page
from monitor.publish.marks import Mark, mark_for
from monitor.registry.model import Registry
from monitor.state import Health

# Worse sorts later; the same order is used for every "by verdict" list.
VERDICT_SEVERITY = {
    "ok": 1,
    "moved": 2,
    "blocked": 3,
    "transient": 3,
    "anchor_missing": 4,
    "claim_missing": 4,
    "type_mismatch": 5,
    "tls_error": 5,
    "invalid": 5,
    "soft_404": 6,
    "broken": 6,
}
HEALTH_SEVERITY = {"unknown": 0, "healthy": 1, "recovered": 2, "suspect": 3, "dead": 4}


@dataclass(frozen=True)
class HealthMark:
    kind: str
    icon: str
    label: str


HEALTH_MARKS = {
    Health.HEALTHY.value: HealthMark("healthy", "✓", "healthy"),
    Health.RECOVERED.value: HealthMark("recovered", "↺", "recovered"),
    Health.SUSPECT.value: HealthMark("suspect", "?", "suspect"),
    Health.DEAD.value: HealthMark("dead", "✗", "dead"),
    Health.UNKNOWN.value: HealthMark("unknown", "–", "not checked"),
}


def verdict_text(verdict: str | None) -> str:
    """A verdict as words: ``soft_404`` -> ``soft 404``."""
    return verdict.replace("_", " ") if verdict else "not checked"


# White space (as str.isspace has it) and control characters.
_UNFIT_IN_HREF = re.compile(r"[\s\x00-\x1f]")
# An http(s) URL with a plain host name or address and printable ASCII after it.
_PLAIN_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:[/?#][!-~]*)?")


def web_url(url: Any) -> str | None:
    """``url`` when it is an http(s) URL fit for an ``href``; None for anything else
    (``javascript:``, ``data:``, relative or malformed), which is then shown as text."""
    if not isinstance(url, str) or _UNFIT_IN_HREF.search(url):
        return None
    if _PLAIN_WEB_URL.fullmatch(url):
        return url  # as almost every URL is: no need to take it apart
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class DocumentRef:
    id: str
    title: str
    href: str


@dataclass(frozen=True)
class Row:
    """One source on the index page."""

    key: str
    source_id: str
    href: str
    title: str
    url: str
    publisher: str | None
    verdict: str | None
    mark: Mark
    failing: bool
    reason: str
    health: HealthMark
    since: datetime | None
    snoozed_until: datetime | None
    owner_id: str | None
    owner_name: str | None
    documents: tuple[DocumentRef, ...]
    uptime: float | None
    elapsed_ms: float | None
    checked_at: str | None
    archive_status: str | None
    archive_url: str | None
    archive_date: str | None
    previous_verdict: str | None
    changed: bool

    @property
    def verdict_text(self) -> str:
        return verdict_text(self.verdict)

    def data(self) -> dict[str, Any]:
        """The row as the page's script sees it: filter values and sort keys."""
        return {
            "row": self.key,
            "verdict": self.verdict or "unchecked",
            "health": self.health.kind,
            "owner": self.owner_id or "",
            "documents": [d.id for d in self.documents],
            "changed": self.changed,
            "sort": {
                "source": self.title.casefold(),
                "verdict": VERDICT_SEVERITY.get(self.verdict or "", 0),
                "health": HEALTH_SEVERITY.get(self.health.kind, 0),
                "since": self.since.isoformat() if self.since else None,
                "owner": (self.owner_name or "").casefold() or None,
                "documents": len(self.documents),
                "uptime": self.uptime,
                "elapsed": self.elapsed_ms,
                "archive": self.archive_status,
                "checked": self.checked_at,
            },
        }


def document_titles(status: Mapping[str, Any]) -> dict[str, str]:
    return {d["id"]: d.get("title") or d["id"] for d in status.get("documents", [])}


def owner_of(entry: Mapping[str, Any], registry: Registry) -> str | None:
    """The source's owner id, or the first document's owner when it names none."""
    if entry.get("owner"):
        return str(entry["owner"])
    if entry.get("id"):
        try:
            owner = registry.owner_of(registry.source(entry["id"]))
        except KeyError:
            return None
        return owner.id if owner else None
    return None


def index_rows(
    status: Mapping[str, Any], registry: Registry, facts: Mapping[str, Facts], root: str = ""
) -> list[Row]:
    """A row per source of the status document, in registry order."""
    owners = {o.id: o.name for o in registry.owners}
    titles = document_titles(status)
    rows = []
    for number, entry in enumerate(status["sources"]):
        source_id = str(entry["id"])
        found = facts.get(source_id)
        owner_id = owner_of(entry, registry)
        cited_in = list(dict.fromkeys(c["document"] for c in entry.get("citations", [])))
        archive = entry.get("archive") or {}
        previous = found.previous_verdict.value if found and found.previous_verdict else None
        verdict = entry.get("verdict")
        health = found.health.value if found else Health.UNKNOWN.value
        rows.append(
            Row(
                key=f"row-{number}",
                source_id=source_id,
                href=root + source_page(source_id),
                title=entry.get("title") or source_id,
                url=str(entry.get("url") or ""),
                publisher=entry.get("publisher"),
                verdict=verdict,
                mark=mark_for(verdict),
                failing=bool(entry.get("failing")),
                reason=str(entry.get("reason") or ""),
                health=HEALTH_MARKS.get(health, HEALTH_MARKS[Health.UNKNOWN.value]),
                since=found.since if found else None,
                snoozed_until=found.snoozed_until if found else None,
                owner_id=owner_id,
                owner_name=owners.get(owner_id or "", owner_id),
                documents=tuple(
                    DocumentRef(d, titles.get(d, d), root + document_page(d)) for d in cited_in
                ),
                uptime=found.uptime if found else None,
                elapsed_ms=entry.get("elapsed_ms"),
                checked_at=entry.get("checked_at"),
                archive_status=archive.get("status"),
                archive_url=web_url(archive.get("url")),
                archive_date=str(archive.get("captured_at") or "")[:10] or None,
                previous_verdict=previous,
                changed=bool(found and found.changed and previous != verdict),
            )
        )
    return rows


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    icon: str
    count: int


@dataclass(frozen=True)
class Summary:
    sources: int
    checked: int
    failing: int
    changed: int
    by_verdict: tuple[Count, ...]
    by_health: tuple[Count, ...]


def summarise(rows: Sequence[Row]) -> Summary:
    """The counts at the top of the index: every verdict and health present."""
    verdicts = Counter(r.verdict or "unchecked" for r in rows)
    healths = Counter(r.health.kind for r in rows)
    by_verdict = [
        Count(v, verdict_text(v), mark_for(v).icon, verdicts[v])
        for v in sorted(VERDICT_SEVERITY, key=lambda v: (-VERDICT_SEVERITY[v], v))
        if verdicts[v]
    ]
    if verdicts["unchecked"]:
        by_verdict.append(Count("unchecked", "not checked", "–", verdicts["unchecked"]))
    by_health = [
        Count(h, m.label, m.icon, healths[h])
        for h, m in sorted(HEALTH_MARKS.items(), key=lambda i: -HEALTH_SEVERITY[i[0]])
        if healths[h]
    ]
    return Summary(
        sources=len(rows),
        checked=sum(1 for r in rows if r.verdict),
        failing=sum(1 for r in rows if r.failing),
        changed=sum(1 for r in rows if r.changed),
        by_verdict=tuple(by_verdict),
        by_health=tuple(by_health),
    )


@dataclass(frozen=True)
class DocumentSummary:
    id: str
    title: str
    path: str | None
    owner: str | None
    href: str
    citations: int
    failing: int
    unmonitored: int  # places citing what the registry does not hold


def document_summaries(status: Mapping[str, Any], root: str = "") -> list[DocumentSummary]:
    """Each document with how many citations it holds, how many of those fail, and how
    many places in it cite what nothing checks."""
    unmonitored = Counter(
        str(item.get("document"))
        for key in ("unregistered", "references")
        for item in status.get(key) or ()
    )
    out = []
    for doc in status.get("documents", []):
        cites = [
            (c, s)
            for s in status["sources"]
            for c in s.get("citations", [])
            if c["document"] == doc["id"]
        ]
        out.append(
            DocumentSummary(
                id=doc["id"],
                title=doc.get("title") or doc["id"],
                path=doc.get("path"),
                owner=doc.get("owner"),
                href=root + document_page(doc["id"]),
                citations=len(cites),
                failing=sum(1 for _, s in cites if s.get("failing")),
                unmonitored=unmonitored[str(doc["id"])],
            )
        )
    return out


@dataclass(frozen=True)
class CitedSource:
    """One citation on a document's page."""

    line: int
    text: str
    footnote: str | None
    entry: Mapping[str, Any]
    href: str
    mark: Mark
    url: str | None  # an href-safe URL, or None
    archive_url: str | None

    @property
    def verdict_text(self) -> str:
        return verdict_text(self.entry.get("verdict"))


def document_citations(
    status: Mapping[str, Any], document_id: str, root: str = ""
) -> list[CitedSource]:
    """The document's citations in the order they appear in it (line, then source)."""
    cited = []
    for order, entry in enumerate(status["sources"]):
        for citation in entry.get("citations", []):
            if citation["document"] != document_id:
                continue
            archive = entry.get("archive") or {}
            cited.append(
                (
                    citation["line"],
                    order,
                    CitedSource(
                        line=int(citation["line"]),
                        text=str(citation.get("text") or ""),
                        footnote=citation.get("footnote"),
                        entry=entry,
                        href=root + source_page(str(entry["id"])),
                        mark=mark_for(entry.get("verdict")),
                        url=web_url(entry.get("url")),
                        archive_url=web_url(archive.get("url")),
                    ),
                )
            )
    return [c for _, _, c in sorted(cited, key=lambda t: (t[0], t[1]))]


@dataclass(frozen=True)
class Unmonitored:
    """A place in a document citing what the registry does not hold, so that nothing
    checks it: a link to an unregistered URL, or a mention of a source without one."""

    line: int
    text: str
    url: str | None
    note: str | None


def document_unmonitored(status: Mapping[str, Any], document_id: str) -> list[Unmonitored]:
    """The document's unregistered links and unresolved mentions, in document order."""
    found = [
        Unmonitored(
            line=int(item.get("line") or 0),
            text=str(item.get("text") or ""),
            url=str(item["url"]) if item.get("url") else None,
            note=str(item["note"]) if item.get("note") else None,
        )
        for key in ("unregistered", "references")
        for item in status.get(key) or ()
        if item.get("document") == document_id
    ]
    return sorted(found, key=lambda u: u.line)

"""The status document: one stable, documented shape read by every report format.

Schema: ``monitor/reports/status.schema.json``. Fields are only ever added, never renamed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from checks.model import CheckResult, Verdict
from monitor.registry.model import Claim, Registry, Source
from monitor.state import SourceHealth
from monitor.store.records import RunRecord

SCHEMA_ID = "citation-monitor/status/v1"


class CitationLike(Protocol):
    @property
    def document(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def url(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def footnote(self) -> str | None: ...


def source_entry(
    result: CheckResult | Mapping[str, Any] | None,
    source: Source | None = None,
    citations: Iterable[CitationLike] = (),
    health: SourceHealth | None = None,
    claims: Sequence[Claim] = (),
) -> dict[str, Any]:
    """One source (or one ad-hoc URL) as it appears in ``status.json`` and ``check-url``,
    from its result or the result's plain data (:meth:`CheckResult.to_dict`).

    Every claim of the source (or, for an ad-hoc URL, every one of ``claims``) is
    listed, found or not, or not checked when its result has no finding for it."""
    if isinstance(result, CheckResult):
        data: dict[str, Any] = result.to_dict()
    else:
        data = dict(result) if result else {}
    extra = data.pop("extra", None) or {}
    statements = {c.id: c for c in (source.claims if source else claims)}
    listed = []
    found = {c["claim_id"]: c for c in data.pop("claims", [])}
    for claim_id in list(statements) + [k for k in found if k not in statements]:
        finding = found.get(claim_id, {})
        claim = statements.get(claim_id)
        listed.append(
            {
                "id": claim_id,
                "statement": (claim.statement or None) if claim else None,
                "evidence": claim.evidence if claim else None,
                "cited_as": claim.cited_as if claim else None,
                "lenient": claim.lenient if claim else bool(finding.get("lenient")),
                "found": finding.get("found") if finding else None,
                "sentence": finding.get("sentence"),
                "method": finding.get("method"),
                "score": finding.get("score"),
            }
        )
    verdict = Verdict(data["verdict"]) if result else None
    entry: dict[str, Any] = {
        "id": source.id if source else None,
        "url": source.url if source else data.get("url"),
        "title": source.title if source else None,
        "publisher": source.publisher if source else None,
        "owner": source.owner if source else None,
        "accessed": source.accessed.isoformat() if source and source.accessed else None,
        "checked": result is not None,
        "verdict": verdict.value if verdict else None,
        "failing": bool(verdict and verdict.is_failure),
        "reason": data.get("reason") if result else "not checked yet",
        "health": health.health.value if health else None,
        "health_since": _iso(health.since) if health else None,
        "failing_since": _iso(health.failing_since) if health else None,
        "last_success_at": _iso(health.last_success_at) if health else None,
    }
    for key in (
        "status",
        "final_url",
        "suggested_url",
        "hops",
        "checked_at",
        "elapsed_ms",
        "bytes_read",
        "content_type",
        "fingerprint",
        "error_kind",
        "error",
        "attempts",
        "tls_expires_at",
        "warnings",
        "not_modified",
        "archive",
    ):
        entry[key] = data.get(key)
    entry["hops"] = entry["hops"] or []
    entry["warnings"] = entry["warnings"] or []
    entry["claims"] = listed
    entry["saved_capture"] = extra.get("saved_capture")
    entry["drift"] = extra.get("drift")
    entry["citations"] = [
        {
            "document": c.document,
            "line": c.line,
            "text": c.text,
            "footnote": c.footnote,
        }
        for c in citations
    ]
    return entry


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _relative(path: Path, base: Path) -> str:
    """A document path as written relative to the registry (what CI annotations need)."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def run_entry(run: RunRecord | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "id": run.id,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "status": run.status.value,
        "inconclusive": run.inconclusive,
        "note": run.note,
        "planned": run.planned,
    }


def document_entries(registry: Registry) -> list[dict[str, Any]]:
    """The registry's documents as they appear in the status document."""
    return [
        {
            "id": d.id,
            "path": _relative(d.path, registry.path.parent),
            "owner": d.owner,
            "title": d.title,
        }
        for d in registry.documents
    ]


def build_status(
    registry: Registry,
    latest: Mapping[str, CheckResult | Mapping[str, Any]],
    run: RunRecord | None,
    citations: Mapping[str, Sequence[CitationLike]],
    generated_at: datetime,
    unresolved: Sequence[Mapping[str, Any]] = (),
    unregistered: Sequence[CitationLike] = (),
    health: Mapping[str, SourceHealth] | None = None,
    entries: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The whole status document, from the registry and the newest result of each source
    (or its plain data). ``entries``: sources' entries already made by
    :func:`source_entry` from the same result, citations and health (by id); the others'
    are made from ``latest`` and ``health``."""
    healths = health or {}
    made = entries or {}
    sources = [
        made[s.id]
        if s.id in made
        else source_entry(latest.get(s.id), s, citations.get(s.url, ()), healths.get(s.id))
        for s in registry.sources
    ]
    by_verdict: dict[str, int] = {v.value: 0 for v in Verdict}
    for entry in sources:
        if entry["verdict"]:
            by_verdict[entry["verdict"]] += 1
    return {
        "schema": SCHEMA_ID,
        "generated_at": generated_at.isoformat(),
        "registry": str(registry.path.name),
        "run": run_entry(run),
        "totals": {
            "sources": len(sources),
            "checked": sum(1 for e in sources if e["checked"]),
            "failing": sum(1 for e in sources if e["failing"]),
            "by_verdict": by_verdict,
        },
        "documents": document_entries(registry),
        "sources": sources,
        "references": list(unresolved),
        "unregistered": [
            {"document": c.document, "line": c.line, "url": c.url, "text": c.text}
            for c in unregistered
        ],
    }

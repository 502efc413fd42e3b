"""Status documents built by hand, the shape of ``monitor/reports/status.schema.json``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
SHEET = ("sheet", "content/sheet.md")
OTHER = ("other", "content/other.md")
ARCHIVE_URL = "https://web.archive.org/web/20140115000000/http://gone.example/r.pdf"

_FAILING = {
    "broken",
    "soft_404",
    "claim_missing",
    "anchor_missing",
    "type_mismatch",
    "tls_error",
    "invalid",
}


def archive(status: str = "verified", url: str | None = ARCHIVE_URL) -> dict[str, Any]:
    return {
        "status": status,
        "url": url,
        "captured_at": "2014-01-15T00:00:00+00:00" if url else None,
        "claims_found": [],
        "reason": None,
        "candidates": [],
    }


def source(
    sid: str | None,
    url: str,
    verdict: str | None,
    *,
    cited: list[tuple[str, int]] | None = None,
    reason: str | None = None,
    archive: dict[str, Any] | None = None,
    tls_expires_at: datetime | None = None,
    final_url: str | None = None,
    suggested_url: str | None = None,
    elapsed_ms: float | None = 120.0,
    owner: str | None = "web",
    status: int | None = None,
) -> dict[str, Any]:
    """One source entry; ``cited`` lists (document id, line) pairs."""
    checked = verdict is not None
    return {
        "id": sid,
        "url": url,
        "title": None,
        "publisher": None,
        "owner": owner,
        "accessed": "2014-01-15",
        "checked": checked,
        "verdict": verdict,
        "failing": verdict in _FAILING,
        "reason": reason if reason is not None else (verdict or "not checked yet"),
        "status": status,
        "final_url": final_url,
        "suggested_url": suggested_url,
        "hops": [],
        "checked_at": T.isoformat() if checked else None,
        "elapsed_ms": elapsed_ms if checked else None,
        "bytes_read": 0,
        "content_type": None,
        "fingerprint": None,
        "error_kind": None,
        "error": None,
        "attempts": 1,
        "tls_expires_at": tls_expires_at.isoformat() if tls_expires_at else None,
        "warnings": [],
        "not_modified": False,
        "claims": [],
        "archive": archive,
        "citations": [
            {"document": doc, "line": line, "text": "link", "footnote": None}
            for doc, line in (cited if cited is not None else [("sheet", 1)])
        ],
    }


def build(
    *sources: dict[str, Any],
    documents: tuple[tuple[str, str], ...] = (SHEET, OTHER),
    generated_at: datetime = T,
    inconclusive: bool = False,
) -> dict[str, Any]:
    """A whole status document around ``sources``."""
    by_verdict: dict[str, int] = {}
    for s in sources:
        if s["verdict"]:
            by_verdict[s["verdict"]] = by_verdict.get(s["verdict"], 0) + 1
    return {
        "schema": "citation-monitor/status/v1",
        "generated_at": generated_at.isoformat(),
        "registry": "registry.yaml",
        "run": {
            "id": 7,
            "started_at": (generated_at - timedelta(minutes=5)).isoformat(),
            "finished_at": generated_at.isoformat(),
            "status": "finished",
            "inconclusive": inconclusive,
            "note": "most hosts failed at once" if inconclusive else None,
            "planned": len(sources),
        },
        "totals": {
            "sources": len(sources),
            "checked": sum(1 for s in sources if s["checked"]),
            "failing": sum(1 for s in sources if s["failing"]),
            "by_verdict": by_verdict,
        },
        "documents": [
            {"id": doc, "path": path, "owner": "web", "title": None} for doc, path in documents
        ],
        "sources": list(sources),
        "references": [],
    }

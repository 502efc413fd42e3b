"""Turning stored JSON back into check records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from checks.model import (
    ArchiveCandidate,
    ArchiveFallback,
    ArchiveStatus,
    CheckResult,
    ClaimFinding,
    ErrorKind,
    RedirectHop,
    Verdict,
)


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def archive_from_dict(data: dict[str, Any] | None) -> ArchiveFallback | None:
    if not data:
        return None
    return ArchiveFallback(
        status=ArchiveStatus(data["status"]),
        url=data.get("url"),
        captured_at=_dt(data.get("captured_at")),
        claims_found=tuple(data.get("claims_found") or ()),
        candidates=tuple(
            ArchiveCandidate(
                url=c["url"],
                captured_at=_dt(c.get("captured_at")),
                archive=c.get("archive", ""),
                accepted=bool(c.get("accepted")),
                reason=c.get("reason", ""),
            )
            for c in data.get("candidates") or ()
        ),
        reason=data.get("reason"),
    )


def result_from_dict(data: dict[str, Any]) -> CheckResult:
    """Inverse of :meth:`CheckResult.to_dict`."""
    checked_at = _dt(data["checked_at"])
    assert checked_at is not None
    return CheckResult(
        url=data["url"],
        verdict=Verdict(data["verdict"]),
        reason=data.get("reason", ""),
        checked_at=checked_at,
        source_id=data.get("source_id"),
        status=data.get("status"),
        final_url=data.get("final_url"),
        suggested_url=data.get("suggested_url"),
        hops=tuple(RedirectHop(**h) for h in data.get("hops") or ()),
        elapsed_ms=data.get("elapsed_ms"),
        bytes_read=data.get("bytes_read") or 0,
        content_type=data.get("content_type"),
        # None in results stored before the body's type was kept.
        document_type=data.get("document_type"),
        fingerprint=data.get("fingerprint"),
        claims=tuple(ClaimFinding(**c) for c in data.get("claims") or ()),
        error_kind=ErrorKind(data["error_kind"]) if data.get("error_kind") else None,
        error=data.get("error"),
        attempts=data.get("attempts") or 1,
        tls_expires_at=_dt(data.get("tls_expires_at")),
        warnings=tuple(data.get("warnings") or ()),
        etag=data.get("etag"),
        last_modified=data.get("last_modified"),
        not_modified=bool(data.get("not_modified")),
        archive=archive_from_dict(data.get("archive")),
        extra=dict(data.get("extra") or {}),
    )


def result_data(data: dict[str, Any]) -> dict[str, Any]:
    """``result_from_dict(data).to_dict()``: the stored JSON with the fields a newer
    version added given their defaults. A result without redirects, claims or an
    archived copy (most of them) is made so without building the result, since the
    status document and the dashboard read every source's newest one."""
    if data.get("hops") or data.get("claims") or data.get("archive"):
        return result_from_dict(data).to_dict()
    checked_at = _dt(data["checked_at"])
    assert checked_at is not None
    tls_expires_at = _dt(data.get("tls_expires_at"))
    error_kind = data.get("error_kind")
    return {
        "url": data["url"],
        "verdict": Verdict(data["verdict"]).value,
        "reason": data.get("reason", ""),
        "checked_at": checked_at.isoformat(),
        "source_id": data.get("source_id"),
        "status": data.get("status"),
        "final_url": data.get("final_url"),
        "suggested_url": data.get("suggested_url"),
        "hops": [],
        "elapsed_ms": data.get("elapsed_ms"),
        "bytes_read": data.get("bytes_read") or 0,
        "content_type": data.get("content_type"),
        "document_type": data.get("document_type"),
        "fingerprint": data.get("fingerprint"),
        "claims": [],
        "error_kind": ErrorKind(error_kind).value if error_kind else None,
        "error": data.get("error"),
        "attempts": data.get("attempts") or 1,
        "tls_expires_at": tls_expires_at.isoformat() if tls_expires_at else None,
        "warnings": list(data.get("warnings") or ()),
        "etag": data.get("etag"),
        "last_modified": data.get("last_modified"),
        "not_modified": bool(data.get("not_modified")),
        "archive": None,
        "extra": dict(data.get("extra") or {}),
    }
